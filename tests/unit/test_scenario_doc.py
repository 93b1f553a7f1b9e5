"""docs/scenario.md is generated from the schema; this fails when it is out of date."""

from __future__ import annotations

from pathlib import Path

from lifeline.config.doc import COMMAND, main, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario.md"


def test_scenario_reference_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render(), f"docs/scenario.md is stale: run {COMMAND}"


def test_every_key_is_listed():
    text = render()
    for key in ("`users`", "`mbps_per_user`", "`alt_m`", "`horizon_deg`", "`launched_by`"):
        assert f"| {key} |" in text
    assert COMMAND in text.splitlines()[2]


def test_check_mode(tmp_path, capsys):
    stale = tmp_path / "scenario.md"
    stale.write_text("old\n")
    assert main(["--check", str(stale)]) == 1
    assert COMMAND in capsys.readouterr().err
    assert main(["--check", str(DOC)]) == 0
