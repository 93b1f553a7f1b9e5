"""``lifeline.run`` from Python writes what ``lifeline run`` writes (the CLI only calls it)."""

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import lifeline
from lifeline.cli import app
from lifeline.config import scenario_from_dict

#: One minute of the bent-pipe preset: every output, in a few seconds.
MINUTE = {
    "extends": "mariupol-2022-bentpipe",
    "name": "api-minute",
    "time": {"duration_s": 60.0},
}


def test_python_run_writes_every_output_the_cli_writes(tmp_path):
    toml = tmp_path / "minute.toml"
    toml.write_text(
        'extends = "mariupol-2022-bentpipe"\nname = "api-minute"\n[time]\nduration_s = 60.0\n'
    )
    lifeline.run(toml, out_dir=tmp_path / "py", workers=1)
    cli = CliRunner().invoke(
        app, ["run", str(toml), "--out", str(tmp_path / "cli"), "--quiet", "--workers", "1"]
    )
    assert cli.exit_code == 0, cli.output
    files = {p.name for p in (tmp_path / "py").iterdir()}
    assert files == {"terminals.parquet", "summary.json", "scenario.json", "report.html"}
    assert files == {p.name for p in (tmp_path / "cli").iterdir()}
    scenario = (tmp_path / "py" / "scenario.json").read_text()
    assert scenario == (tmp_path / "cli" / "scenario.json").read_text()
    assert pq.read_table(tmp_path / "py" / "terminals.parquet").equals(
        pq.read_table(tmp_path / "cli" / "terminals.parquet")
    )
    py, cl = (json.loads((tmp_path / d / "summary.json").read_text()) for d in ("py", "cli"))
    assert py["terminals"] == cl["terminals"]


def test_report_can_be_skipped(tmp_path):
    lifeline.run(scenario_from_dict(MINUTE, "<test>"), out_dir=tmp_path, report=False)
    assert not (tmp_path / "report.html").exists()
    assert (tmp_path / "scenario.json").exists()


def test_pair_mode_without_a_folder_is_a_clear_error():
    scenario = scenario_from_dict({**MINUTE, "pairs": "all"}, "<test>")
    assert scenario.pair_ids  # pair mode is on
    with pytest.raises(ValueError, match="pair mode .* give out_dir"):
        lifeline.run(scenario)
