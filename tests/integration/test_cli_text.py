"""Names with Rich markup or escape codes print as text in every table (they crashed the tables
of run, compare, plan and sweep, or reached the terminal raw)."""

from __future__ import annotations

import io
import json

from rich.console import Console
from typer.testing import CliRunner

from lifeline.cli import app
from lifeline.cli.sweep import _distribution_table, _unknowns_table

NAMES = ["[/]", "[bold red]loud[/bold red]", "clear\x1b[2Jscreen", "rtl\u202eevil"]


def _summary(scenario: str) -> dict:
    figures = {"availability_pct": 50.0, "rtt_ms_p50": 40.0, "rtt_ms_p95": 60.0}
    return {"scenario": scenario, "terminals": {n: dict(figures) for n in NAMES}}


def _render(table) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None).print(table)
    return buffer.getvalue()


def test_compare_prints_names_as_text(tmp_path):
    for side in ("a", "b"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "summary.json").write_text(json.dumps(_summary("[/] \x1b[31m")))
    result = CliRunner().invoke(app, ["compare", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    for shown in ("[/]", "[bold red]loud[/bold red]", "clear\\x1b[2Jscreen", "rtl\\u202eevil"):
        assert shown in result.output


def test_sweep_tables_print_names_as_text():
    q = {"p5": 1.0, "p50": 2.0, "p95": 3.0}
    unknown = {"unknown": "[i]rain\x1b[0m", "spearman_availability": 0.5,
               "spearman_rtt_p50": None, "spearman_throughput_p50": None}  # fmt: skip
    summary = {
        "samples": 3,
        "terminals": {
            n: {
                "availability_pct": q,
                "share_of_samples_at_least": 0.5,
                "rtt_ms_p50": q,
                "throughput_down_mbps_p50": q,
                "throughput_up_mbps_p50": q,
                "unknowns": [unknown],
            }
            for n in NAMES
        },
    }
    text = _render(_distribution_table(summary)) + _render(_unknowns_table(summary))
    assert "\x1b" not in text
    assert "[bold red]loud[/bold red]" in text and "[i]rain\\x1b[0m" in text
