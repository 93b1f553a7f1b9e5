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


@app.callback()
def main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log what the engine does.")
    ] = False,
) -> None:
    # force: replace the handler of an earlier invocation in the same process (CliRunner,
    # notebooks), which holds that invocation's stderr, now closed; logging to it prints
    # "--- Logging error ---" and a traceback.
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        force=True,
    )
