"""``lifeline compare``: differences of hand-made summaries, and the command's errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lifeline.cli import app
from lifeline.errors import InputFileError
from lifeline.results import compare_summaries, read_summary


def summary(name, terminals):
    return {"scenario": name, "terminals": terminals}


A = summary(
    "isl",
    {
        "Azovstal": {"availability_pct": 100.0, "rtt_ms_p50": 35.9, "rtt_ms_p95": 63.2},
        "Kyiv": {"availability_pct": 100.0, "rtt_ms_p50": 27.1, "rtt_ms_p95": 44.2},
    },
)
B = summary(
    "bentpipe",
    {
        "Azovstal": {"availability_pct": 0.08, "rtt_ms_p50": 37.7, "rtt_ms_p95": 37.9},
        "Odesa": {"availability_pct": 50.0, "rtt_ms_p50": None, "rtt_ms_p95": None},
    },
)


def test_deltas_are_b_minus_a_and_unmatched_terminals_are_marked():
    rows = {r["terminal"]: r for r in compare_summaries(A, B)}
    az = rows["Azovstal"]
    assert az["in"] == "both"
    assert az["availability_pct_delta"] == pytest.approx(0.08 - 100.0)
    assert az["rtt_ms_p95_delta"] == pytest.approx(37.9 - 63.2)
    assert rows["Kyiv"]["in"] == "a" and rows["Kyiv"]["rtt_ms_p50_b"] is None
    assert rows["Odesa"]["in"] == "b" and rows["Odesa"]["availability_pct_delta"] is None
    assert "throughput_down_mbps_p50_a" not in az  # neither run has throughput


def test_cli_prints_table_and_json(tmp_path):
    for name, data in (("a", A), ("b", B)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.json").write_text(json.dumps(data))
    runner = CliRunner()
    result = runner.invoke(app, ["compare", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert "Azovstal" in result.output and "-99.92" in result.output
    result = runner.invoke(app, ["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json"])
    assert json.loads(result.output)["terminals"][0]["terminal"] == "Azovstal"


def test_missing_or_foreign_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputFileError):
        read_summary(tmp_path)
    (tmp_path / "summary.json").write_text("[1, 2]")
    with pytest.raises(InputFileError) as err:
        read_summary(tmp_path)
    assert err.value.column == "terminals"
    result = CliRunner().invoke(app, ["compare", str(tmp_path), str(tmp_path / "nope")])
    assert result.exit_code == 2 and "Traceback" not in result.output
