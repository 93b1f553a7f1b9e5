"""Events without a run: timelines, geometry and the errors for bad input (each against an
independent expectation). Events in whole runs: tests/integration/test_events_runs.py."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from lifeline.config import Event
from lifeline.errors import ScenarioError
from lifeline.events import compile_events, inside_polygon
from lifeline.geo import great_circle_km
from tests.helpers import AZOVSTAL, first_minutes

ADAPTER = TypeAdapter(Event)


# ---------------------------------------------------------------------------------------------
# Pure parts
# ---------------------------------------------------------------------------------------------


def test_inside_polygon_unit_square_and_concave_notch():
    # A 2 x 2 square with a notch cut from the top edge down to y = 1 between x = 0.8..1.2
    # (vertices as lat = y, lon = x): points are inside or outside by construction.
    lat = [0, 0, 2, 2, 1, 2, 2]
    lon = [0, 2, 2, 1.2, 1, 0.8, 0]
    pts_lat = np.array([0.5, 1.5, 1.5, 3.0, -0.1, 1.9])
    pts_lon = np.array([0.5, 0.3, 1.0, 1.0, 1.0, 1.9])
    expected = [True, True, False, False, False, True]
    np.testing.assert_array_equal(inside_polygon(pts_lat, pts_lon, lat, lon), expected)


def _sites():
    return {
        "gateway_names": ["A", "B", "C"],
        "gateway_lat_deg": np.array([47.0, 52.0, 40.0]),
        "gateway_lon_deg": np.array([37.0, 21.0, -3.0]),
        "pop_names": ["P", "Q"],
        "pop_lat_deg": np.array([50.1, 40.4]),
        "pop_lon_deg": np.array([8.7, -3.7]),
        "sat_names": ["S1", "S2", "S3", "S4"],
        "sat_catalog": np.array([101, 102, 103, 104]),
        "isl_edges": np.array([[0, 1], [1, 2], [2, 3], [3, 0]]),
        "terminal_names": ["T1", "T2"],
    }


def compile_(events, duration_s=100.0):
    from datetime import UTC, datetime

    parsed = tuple(ADAPTER.validate_python(e) for e in events)
    return compile_events(
        parsed,
        source="test.toml",
        start_utc=datetime(2022, 5, 11, tzinfo=UTC),
        duration_s=duration_s,
        **_sites(),
    )


def test_timeline_intervals_follow_the_windows():
    tl = compile_(
        [
            {"kind": "gateway_outage", "gateways": ["A"], "start_s": 10, "end_s": 50},
            {"kind": "power_loss", "terminals": ["T2"], "start_utc": "2022-05-11T00:00:30Z"},
            {"kind": "pop_outage", "pops": ["Q"], "start_s": 200},  # after the run: no effect
            {"kind": "isl_failure", "satellites": [101], "start_s": 30, "end_s": 60},
        ]
    )
    np.testing.assert_array_equal(tl.boundaries_s, [10.0, 30.0, 50.0, 60.0])
    gw = [m.gateway_up.tolist() for m in tl.masks]
    assert gw == [[True] * 3, [False, True, True], [False, True, True], [True] * 3, [True] * 3]
    isl = [int(m.isl_ok.sum()) for m in tl.masks]
    assert isl == [4, 4, 2, 2, 4]
    # Power loss cuts no interval; it masks the terminal's own steps.
    powered = tl.terminal_powered(np.array([0.0, 29.9, 30.0, 99.0]), 2)
    assert powered.tolist() == [[True, True], [True, True], [True, False], [True, False]]
    assert all(m.pop_up.all() for m in tl.masks)
    # Steps of 0.1 s: a boundary on a step maps to that step, not the next (10 s -> step 100).
    np.testing.assert_array_equal(tl.boundary_steps(0.1), [100, 300, 500, 600])
    assert tl.interval_at_step(99, 0.1) == 0 and tl.interval_at_step(100, 0.1) == 1


def test_ground_loss_circle_and_polygon_pick_sites_by_geometry():
    # Circle of 1,500 km around Azovstal: A (47N 37E) is ~46 km away, B (Poland) ~1,230 km,
    # C (Spain) ~3,400 km; both PoPs are > 2,000 km away (great_circle_km, checked below).
    d = great_circle_km(*AZOVSTAL, _sites()["gateway_lat_deg"], _sites()["gateway_lon_deg"])
    assert d[0] < 100 and 1000 < d[1] < 1500 and d[2] > 3000
    tl = compile_([{"kind": "ground_loss", "center_lat_deg": 47.098, "center_lon_deg": 37.61,
                    "radius_km": 1500}])  # fmt: skip
    assert tl.masks[0].gateway_up.tolist() == [False, False, True]
    assert tl.masks[0].pop_up.all()
    # A polygon around Spain only.
    tl = compile_([{"kind": "ground_loss", "polygon_lat_deg": [36, 44, 44, 36],
                    "polygon_lon_deg": [-10, -10, 4, 4]}])  # fmt: skip
    assert tl.masks[0].gateway_up.tolist() == [True, True, False]
    assert tl.masks[0].pop_up.tolist() == [True, False]
    assert tl.hits[0]["gateways"] == ["C"] and tl.hits[0]["pops"] == ["Q"]


def test_satellites_by_name_number_and_seeded_fraction():
    tl = compile_([{"kind": "satellite_failure", "satellites": ["S2", 104]}])
    assert tl.masks[0].sat_ok.tolist() == [True, False, True, False]
    # ISL failure of S1 takes its two links (0-1 and 3-0).
    tl = compile_([{"kind": "isl_failure", "satellites": ["S1"]}])
    assert tl.masks[0].isl_ok.tolist() == [False, True, True, False]
    a = compile_([{"kind": "satellite_failure", "fraction": 0.5, "seed": 3}]).masks[0].sat_ok
    b = compile_([{"kind": "satellite_failure", "fraction": 0.5, "seed": 3}]).masks[0].sat_ok
    assert (~a).sum() == 2 and (a == b).all()  # round(0.5 x 4) = 2, the same for one seed


@pytest.mark.parametrize(
    ("event", "field", "hint"),
    [
        ({"kind": "gateway_outage", "gateways": ["A", "Cc"]}, "events[0].gateways[1]", "'C'"),
        ({"kind": "pop_outage", "pops": ["X"]}, "events[0].pops[0]", "[[pops]]"),
        ({"kind": "power_loss", "terminals": ["T3"]}, "events[0].terminals[0]", "one of: T1, T2"),
        ({"kind": "satellite_failure", "satellites": [999]}, "events[0].satellites[0]", "catalog"),
    ],
)
def test_unknown_names_are_clear_errors(event, field, hint):
    with pytest.raises(ScenarioError) as err:
        compile_([event])
    assert err.value.field == field and err.value.file == "test.toml"
    assert hint in err.value.allowed


@pytest.mark.parametrize(
    "event",
    [
        {"kind": "gateway_outage", "gateways": []},
        {"kind": "gateway_outage", "gateways": ["A"], "start_s": 5, "end_s": 5},
        {
            "kind": "gateway_outage",
            "gateways": ["A"],
            "start_s": 5,
            "start_utc": "2022-05-11T00:00:00Z",
        },
        {"kind": "gateway_outage", "gateways": ["A"], "end_utc": "2022-05-11T00:00:00"},
        {"kind": "ground_loss", "center_lat_deg": 47, "center_lon_deg": 37},
        {"kind": "ground_loss", "polygon_lat_deg": [1, 2, 3], "polygon_lon_deg": [1, 2]},
        {"kind": "satellite_failure", "fraction": 0.1},
        {"kind": "satellite_failure", "fraction": 1.5, "seed": 1},
        {"kind": "satellite_failure", "satellites": ["S1"], "fraction": 0.1, "seed": 1},
        {"kind": "meteor", "gateways": ["A"]},
        {"kind": "power_loss", "terminals": ["T1"], "gateways": ["A"]},
    ],
)
def test_bad_events_are_refused(event):
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(event)


@pytest.mark.parametrize(
    ("event", "field", "allowed"),
    [
        ({"kind": "gateway_outage", "gateways": ["Foggia", "Kaunass"]}, "events[0].gateways[1]",
         "did you mean 'Kaunas'?"),
        ({"kind": "power_loss", "terminals": ["Azovstal"], "pops": ["x"]}, "events[0].pops",
         "unknown key 'pops'"),
        ({"kind": "jamming"}, "events[0]", "kind = one of: gateway_outage"),
        ({"kind": "ground_loss", "center_lat_deg": 95, "center_lon_deg": 0, "radius_km": 1},
         "events[0].center_lat_deg", "-90"),
    ],
)  # fmt: skip
def test_scenario_file_errors_name_the_event_field(event, field, allowed):
    with pytest.raises(ScenarioError) as err:
        first_minutes("mariupol-2022", 3, events=[event])
    assert err.value.field == field and err.value.file == "<test>"
    assert allowed in err.value.allowed
