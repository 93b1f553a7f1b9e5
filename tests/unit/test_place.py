"""Loading steps from a place and a date (lifeline.config.place), on scenario dicts."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

from lifeline.config.place import expand_place, nearest_snapshot
from lifeline.errors import ScenarioError


def _tonga(**const) -> dict:
    return {
        "name": "tonga",
        "time": {"start_utc": datetime(2022, 1, 20, tzinfo=UTC), "duration_s": 21600},
        "constellation": {"tle_file": "builtin:auto", **const},
        "ground": {"auto": True},
        "terminals": [{"name": "Nukualofa", "lat_deg": -21.14, "lon_deg": -175.2}],
    }


def test_nearest_snapshot():
    # Shipped: 2021-11-17, 2022-08-17, 2026-02-24 (lifeline/data/PROVENANCE.md).
    assert nearest_snapshot(date(2022, 1, 20)) == ("starlink-2021-11-17", 64)
    assert nearest_snapshot(date(2022, 5, 11)) == ("starlink-2022-08-17", 98)
    assert nearest_snapshot(date(2030, 1, 1))[0] == "starlink-2026-02-24"


def test_tonga_from_place_and_date():
    data, _ = expand_place(_tonga(), "tonga.toml", None)
    assert data["constellation"]["tle_file"] == "builtin:starlink-2021-11-17"
    # The 2021-11-17 elements predate the start: every satellite had flown, no filter.
    assert "launched_by" not in data["constellation"]
    assert [g["name"] for g in data["gateways"]] == ["Suva"]
    assert [p["name"] for p in data["pops"]] == ["AKL - AKLNZL1"]
    notes = " ".join(data["notes"])
    # 64 days before the start, 2021-11-17 epochs (median ~17 Nov): a warning-sized gap.
    assert "builtin:auto chose starlink-2021-11-17" in notes
    assert "days from the window" in notes
    assert "Suva (743 km)" in notes


def test_2030_on_2021_elements_is_refused_with_the_reason():
    sc = _tonga(tle_file="builtin:starlink-2021-11-17")
    sc["time"]["start_utc"] = datetime(2030, 1, 1, tzinfo=UTC)
    with pytest.raises(ScenarioError) as err:
        expand_place(sc, "future.toml", None)
    text = str(err.value)
    assert "constellation.tle_file" in text and "within 120 days" in text
    assert "SGP4 drifts" in text and "lifeline data fetch starlink" in text


def test_a_stated_reason_accepts_old_elements_without_a_warning(caplog):
    # The "lifeline" logger's own level is set here: an in-process sweep raises it to ERROR.
    caplog.set_level(logging.WARNING, logger="lifeline")
    sc = _tonga(tle_file="builtin:starlink-2022-08-17", launched_by="2022-049")
    sc["time"]["start_utc"] = datetime(2022, 5, 11, tzinfo=UTC)
    sc["constellation"]["allow_stale_elements"] = "no May 2022 snapshot exists"
    data, _ = expand_place(sc, "m.toml", None)
    assert any("accepted because: no May 2022 snapshot exists" in n for n in data["notes"])
    assert not caplog.records
    # Without the reason: 98 days is a warning, not a refusal.
    del sc["constellation"]["allow_stale_elements"]
    expand_place(sc, "m.toml", None)
    assert any("98 days from the window" in r.getMessage() for r in caplog.records)


def test_launched_by_defaults_from_the_start():
    sc = _tonga(tle_file="builtin:starlink-2022-08-17", allow_stale_elements=True)
    sc["time"]["start_utc"] = datetime(2022, 5, 11, tzinfo=UTC)
    data, _ = expand_place(sc, "m.toml", None)
    # The default preset's hand-made cut for 11 May 2022 (PROVENANCE.md).
    assert data["constellation"]["launched_by"] == "2022-049"


def test_terminals_file_rows_are_appended_and_located(tmp_path):
    (tmp_path / "sites.csv").write_text("name,lat,lon\nEua,-21.37,-174.93\n")
    sc = _tonga()
    sc["terminals_file"] = "sites.csv"
    data, where = expand_place(sc, "t.toml", tmp_path)
    assert [t["name"] for t in data["terminals"]] == ["Nukualofa", "Eua"]
    assert where == {1: "sites.csv line 2"}


def test_gateways_auto_spelling_and_kept_hand_gateways():
    sc = _tonga()
    del sc["ground"]
    sc["gateways"] = "auto"
    data, _ = expand_place(sc, "t.toml", None)
    assert data["ground"] == {"auto": True}
    assert [g["name"] for g in data["gateways"]] == ["Suva"]


def test_no_gateway_in_reach_is_an_error():
    sc = _tonga()
    sc["terminals"] = [{"name": "mid-Pacific", "lat_deg": -30.0, "lon_deg": -140.0}]
    with pytest.raises(ScenarioError, match="ground.auto"):
        expand_place(sc, "t.toml", None)
