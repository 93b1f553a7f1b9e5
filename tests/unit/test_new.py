"""``lifeline new``: a commented, valid scenario from a place and a date; never overwrites."""

from __future__ import annotations

import tomllib

from typer.testing import CliRunner

from lifeline.cli import app
from lifeline.config import load_scenario

TONGA = ["new", "tonga", "--site", "-21.14,-175.20,Nukualofa", "--start", "2022-01-20",
         "--hours", "6"]  # fmt: skip


def test_tonga_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, TONGA)
    assert result.exit_code == 0, result.output
    path = tmp_path / "tonga.toml"
    text = path.read_text()
    assert "# " in text and "auto = true" in text and 'tle_file = "builtin:auto"' in text
    data = tomllib.loads(text)
    assert data["time"]["duration_s"] == 21600
    scenario = load_scenario(str(path))
    # Nuku'alofa's only gateway in bent-pipe reach is Suva (tests/unit/test_ground.py).
    assert [g.name for g in scenario.gateways] == ["Suva"]
    assert scenario.constellation.tle_file == "builtin:starlink-2021-11-17"
    assert "Suva" in result.output
    # What loading chose is written into the file as comments.
    assert "Suva (743 km)" in text


def test_never_overwrites_without_force(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tonga.toml").write_text("mine\n")
    result = CliRunner().invoke(app, TONGA)
    assert result.exit_code == 2
    assert "--force" in result.output
    assert (tmp_path / "tonga.toml").read_text() == "mine\n"
    assert CliRunner().invoke(app, [*TONGA, "--force"]).exit_code == 0
    assert (tmp_path / "tonga.toml").read_text() != "mine\n"


def test_bad_site_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["new", "x", "--site", "95,10", "--start", "2022-01-20", "--hours", "1"]
    )
    assert result.exit_code == 2
    assert "LAT,LON[,NAME]" in result.output and "Traceback" not in result.output
    assert not list(tmp_path.iterdir())  # nothing written, not even a temporary file
