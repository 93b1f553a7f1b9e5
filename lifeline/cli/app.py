"""The ``lifeline`` typer app and what its commands share.

Commands live in the sibling modules (``run.py``, ``pairs.py``, ...), each a thin wrapper that
loads, validates and calls the API. User-input problems (``LifelineError``) are printed as one
clear message with exit code 2, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from lifeline.errors import LifelineError

app = typer.Typer(
    add_completion=False,
    # Help texts are plain text: "[s]", "[sweep]" must show as written, not as Rich markup.
    rich_markup_mode=None,
    no_args_is_help=False,
    help="Can a cut-off place get online through a LEO constellation, how well, and what would "
    "it take?",
)
DEFAULT_PRESET = "mariupol-2022"


def fail(err: Exception) -> None:
    # The message is user text (file names, TOML like "[time]"): never read it as markup.
    Console(stderr=True).print(
        Text("error: ", style="bold red") + Text(str(err)), highlight=False, soft_wrap=True
    )
    raise typer.Exit(2)


def guard(fn: Callable[[], None]) -> None:
    try:
        fn()
    except LifelineError as err:
        fail(err)


def print_table(table: Table, console: Console | None = None) -> None:
    """Print a table whole: on a terminal Rich fits it to the window (wrapping cells); into a
    pipe or file there is no window, so it is written at the width it needs instead of Rich's
    default 80 columns, which cut figures to "avai…"."""
    console = console or Console()
    if not console.is_terminal:
        # Measured without a width limit: the table's natural width.
        natural = console.measure(table, options=console.options.update_width(100_000)).maximum
        console = Console(file=console.file, width=max(natural, 80), soft_wrap=False)
    console.print(table)


def progress_bar(console: Console, disable: bool, eta: bool = True) -> Progress:
    """The progress bar every long command shows (on a terminal, unless --quiet)."""
    columns = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TimeElapsedColumn(),
    ]
    if eta:
        columns += [TextColumn("ETA"), TimeRemainingColumn()]
    return Progress(*columns, console=console, disable=disable)


class OncePerCommand(logging.Filter):
    """Let each distinct message through once per command: ``plan`` and ``sweep`` run a
    scenario many times, and the same warning (unusable propagated samples) would repeat."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[str, int, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, record.getMessage())
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


def configure_logging(verbose: bool) -> None:
    """Log to stderr at WARNING (INFO with --verbose), each message once.

    The level is set on the handler, not only on the root logger: libraries that set their own
    loggers' levels (Dask's ``distributed`` sets INFO when imported) propagate their records
    to the root handler, which is where -q/-v must decide.
    """
    level = logging.INFO if verbose else logging.WARNING
    # force: replace the handler of an earlier invocation in the same process (CliRunner,
    # notebooks), which holds that invocation's stderr, now closed; logging to it prints
    # "--- Logging error ---" and a traceback.
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)
        handler.addFilter(OncePerCommand())


@app.callback()
def main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log what the engine does.")
    ] = False,
) -> None:
    configure_logging(verbose)
