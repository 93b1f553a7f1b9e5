"""The place-and-date keys through the loader: terminals_mode with extends, terminals_file
errors at their line, cache: elements, and a stale snapshot refused with its reason."""

from __future__ import annotations

import logging
from importlib.resources import files
from pathlib import Path

import pytest

from lifeline.config import load_scenario
from lifeline.errors import ScenarioError
from tests.helpers import TINY, write_text

OVERLAY = f"""
extends = "{TINY}"
name = "more"
{{mode}}
[[terminals]]
name = "Kyiv"
lat_deg = 50.45
lon_deg = 30.5233
"""


def test_terminals_mode_append_keeps_the_base_sites(tmp_path):
    path = write_text(tmp_path / "a.toml", OVERLAY.format(mode='terminals_mode = "append"'))
    assert [t.name for t in load_scenario(str(path)).terminals] == ["Mariupol", "Kyiv"]


def test_terminals_replace_is_said_out_loud(tmp_path, caplog):
    path = write_text(tmp_path / "r.toml", OVERLAY.format(mode=""))
    # The "lifeline" logger's own level is set here: an in-process sweep raises it to ERROR.
    caplog.set_level(logging.WARNING, logger="lifeline")
    with caplog.at_level(logging.WARNING):
        assert [t.name for t in load_scenario(str(path)).terminals] == ["Kyiv"]
    assert any("replace the 1 of the base" in r.getMessage() for r in caplog.records)
    caplog.clear()
    path = write_text(tmp_path / "r2.toml", OVERLAY.format(mode='terminals_mode = "replace"'))
    load_scenario(str(path))
    assert not [r for r in caplog.records if "replace the" in r.getMessage()]


def test_terminals_file_error_names_its_line(tmp_path):
    write_text(tmp_path / "sites.csv", "name,lat,lon\nOK,1,2\nBad,123,2\n")
    path = write_text(
        tmp_path / "s.toml",
        TINY.read_text().replace('name = "tiny"', 'name = "tiny"\nterminals_file = "sites.csv"'),
    )
    # tiny.toml's tle_file is relative to tests/data; point it there.
    path.write_text(path.read_text().replace('"tiny.tle"', f'"{TINY.parent / "tiny.tle"}"'))
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(path))
    assert "terminals[2] (sites.csv line 3).lat_deg" in str(err.value)


def test_cache_elements_are_found(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFELINE_CACHE_DIR", str(tmp_path / "cache"))
    tle = Path(str(files("lifeline.data").joinpath("starlink-2022-08-17.tle")))
    write_text(tmp_path / "cache" / "starlink-latest.tle", tle.read_text())
    text = TINY.read_text().replace('tle_file = "tiny.tle"', 'tle_file = "cache:starlink-latest"')
    path = write_text(tmp_path / "c.toml", text)
    scenario = load_scenario(str(path))
    assert scenario.constellation.tle_path == tmp_path / "cache" / "starlink-latest.tle"
    assert any("cache:starlink-latest" in n for n in scenario.notes)
    missing = write_text(tmp_path / "m.toml", text.replace("starlink-latest", "nothing"))
    with pytest.raises(ScenarioError, match="lifeline data fetch starlink"):
        load_scenario(str(missing))


def test_2030_on_2021_elements_is_refused(tmp_path):
    text = TINY.read_text().replace(
        'tle_file = "tiny.tle"', 'tle_file = "builtin:starlink-2021-11-17"'
    )
    text = text.replace("start_utc = 2022-08-17T12:00:00Z", "start_utc = 2030-01-01T00:00:00Z")
    path = write_text(tmp_path / "future.toml", text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(path))
    assert "constellation.tle_file" in str(err.value) and "within 120 days" in str(err.value)
    allowed = write_text(
        tmp_path / "allowed.toml",
        text.replace("[constellation]", '[constellation]\nallow_stale_elements = "what-if"'),
    )
    assert any("accepted because: what-if" in n for n in load_scenario(str(allowed)).notes)
