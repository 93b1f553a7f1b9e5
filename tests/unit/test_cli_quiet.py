"""Quiet means quiet: library logs follow -v, a warning shows once per command, and every
help text is printed whole."""

from __future__ import annotations

import logging
import re

import click
import pytest
import typer
from typer.testing import CliRunner

from lifeline.cli import app
from lifeline.cli.app import configure_logging


@pytest.fixture(autouse=True)
def _restore_logging():
    yield
    logging.basicConfig(level=logging.WARNING, force=True)


def test_library_info_is_dropped_and_warnings_show_once(capsys):
    configure_logging(verbose=False)
    # Dask's distributed sets its loggers to INFO when imported; they propagate to the root.
    logging.getLogger("distributed").setLevel(logging.INFO)
    logging.getLogger("distributed.scheduler").info("State start")
    for _ in range(5):  # `plan` runs the scenario several times
        logging.getLogger("lifeline.engine").warning("143 propagated samples are unusable")
    err = capsys.readouterr().err
    assert "State start" not in err
    assert err.count("143 propagated samples are unusable") == 1


def test_verbose_lets_info_through(capsys):
    configure_logging(verbose=True)
    logging.getLogger("lifeline.engine").info("chunk 3 of 144")
    assert "chunk 3 of 144" in capsys.readouterr().err


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_help_text_is_printed_whole():
    # Rich read "[s]" and "[sweep]" in help texts as markup and dropped them ("Simulated time
    # . [required]", "TOML file with a  table").
    runner = CliRunner()
    root = typer.main.get_command(app)
    checked = 0
    for path, command in _commands(root):
        result = runner.invoke(app, [*path, "--help"], terminal_width=100)
        assert result.exit_code == 0, (path, result.output)
        shown = _words(result.output)
        for param in command.params:
            text = getattr(param, "help", None)
            if text:
                assert _words(text) in shown, (path, param.name, text)
                checked += 1
    assert checked > 30


def test_tables_are_written_whole_into_a_pipe():
    import io

    from rich.console import Console
    from rich.table import Table

    from lifeline.cli.app import print_table

    table = Table(title="wide")
    for k in range(12):
        table.add_column(f"availability column {k}", no_wrap=True)
    table.add_row(*[f"{99.95 + k:.2f}" for k in range(12)])
    out = io.StringIO()  # not a terminal, as when stdout is piped
    print_table(table, Console(file=out))
    text = out.getvalue()
    assert "…" not in text
    assert all(f"availability column {k}" in text for k in range(12))
    assert "110.95" in text


def test_presets_lists_every_preset_and_sweep_in_full():
    from lifeline.presets import describe_presets

    result = CliRunner().invoke(app, ["presets"])
    assert result.exit_code == 0
    shown = _words(result.output)
    described = describe_presets()
    assert {kind for _, kind, _ in described} == {"scenario", "sweep"}
    for name, _, description in described:
        assert name in shown
        assert _words(description) in shown  # the whole description, not its first line
    assert "mariupol-2022-sweep (sweep: lifeline sweep NAME)" in shown
