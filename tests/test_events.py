"""Events: each kind against an independent expectation (a hand-built equivalent run, the
geometry of the sites, or the definition of the window), plus the errors for bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter, ValidationError

import lifeline
from lifeline.config import Event, Scenario, scenario_from_dict
from lifeline.errors import ScenarioError
from lifeline.events import compile_events, inside_polygon
from lifeline.geo import great_circle_km

ADAPTER = TypeAdapter(Event)

# FACTS.md §7, "Azovstal works".
AZOVSTAL = (47.098, 37.610)


def short(preset: str, minutes: float = 3, events=()) -> Scenario:
    """The preset cut to its first minutes, with events (validated as a scenario file is)."""
    data = {
        "extends": preset,
        "name": f"{preset}-short",
        "time": {"duration_s": minutes * 60.0},
        "events": list(events),
    }
    return scenario_from_dict(data, source="<test>")


@pytest.fixture(scope="module")
def bentpipe():
    return "mariupol-2022-bentpipe"


@pytest.fixture(scope="module")
def isl():
    return "mariupol-2022"


def rows(preset, events):
    return lifeline.run(short(preset, events=events), workers=1).terminals


@pytest.fixture(scope="module")
def bentpipe_rows(bentpipe):
    return rows(bentpipe, [])


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


# ---------------------------------------------------------------------------------------------
# Whole runs (mariupol presets, 3 minutes)
# ---------------------------------------------------------------------------------------------


def test_ground_loss_equals_outage_of_the_gateways_inside(bentpipe):
    """A region ground loss is exactly the outage of the gateways and PoPs inside it: the
    gateways within 1,500 km of Azovstal in the preset (great-circle distance from its list)."""
    inside = [
        g.name
        for g in short(bentpipe).gateways
        if great_circle_km(*AZOVSTAL, g.lat_deg, g.lon_deg) <= 1500
    ]
    assert sorted(inside) == ["Kaunas", "Muallim", "Wola Krobowska"]  # issue 6: TR, LT, PL
    circle = {"kind": "ground_loss", "center_lat_deg": AZOVSTAL[0],
              "center_lon_deg": AZOVSTAL[1], "radius_km": 1500}  # fmt: skip
    by_name = {"kind": "gateway_outage", "gateways": inside}
    a, b = rows(bentpipe, [circle]), rows(bentpipe, [by_name])
    pd.testing.assert_frame_equal(a, b)
    assert not a.gateway.isin(inside).any()


def test_outage_of_every_gateway_gives_ground_down(bentpipe, bentpipe_rows):
    down = rows(
        bentpipe,
        [{"kind": "gateway_outage", "gateways": [g.name for g in short(bentpipe).gateways]}],
    )
    assert not down.connected.any()
    # Where the run without events was connected, the cause is the ground stations that are down;
    # where it had no satellite in view it still says so.
    base = bentpipe_rows
    assert (down.reason[base.connected] == "ground_down").all()
    assert (down.reason[base.reason == "no_satellite"] == "no_satellite").all()


def test_power_loss_window_is_exact_and_touches_nothing_else(bentpipe, bentpipe_rows):
    # 40.5 s .. 100 s: from step 41 to step 99 (1 s steps; the window is half-open), a start
    # inside a 15-s slot.
    ev = {"kind": "power_loss", "terminals": ["Azovstal"], "start_s": 40.5, "end_s": 100}
    df = rows(bentpipe, [ev])
    az = df.terminal == "Azovstal"
    off = az & (df.time_s >= 41) & (df.time_s < 100)
    assert (df.reason[off] == "no_power").all() and not df.connected[off].any()
    # Every other row is the run without events: power loss re-plans nothing.
    pd.testing.assert_frame_equal(df[~off], bentpipe_rows[~off], check_dtype=False)
    assert df.connected[off].sum() == 0 and bentpipe_rows.connected[off].sum() > 0


def test_all_lasers_failed_is_bent_pipe(isl, bentpipe_rows):
    """An ISL constellation whose every laser link has failed routes exactly like bent pipe."""
    df = rows(isl, [{"kind": "isl_failure", "fraction": 1.0, "seed": 0}])
    pd.testing.assert_frame_equal(df, bentpipe_rows)


def test_failed_satellites_never_serve(bentpipe, bentpipe_rows):
    used = bentpipe_rows.satellite.dropna().unique().tolist()
    df = rows(bentpipe, [{"kind": "satellite_failure", "satellites": used}])
    assert not df.satellite.isin(used).any()
    everything = rows(bentpipe, [{"kind": "satellite_failure", "fraction": 1.0, "seed": 1}])
    assert not everything.connected.any()
    seen = bentpipe_rows.reason != "no_satellite"
    assert (everything.reason[seen] == "satellite_failed").all()


def test_pop_outage_rehomes_gateways_to_a_live_pop(bentpipe, bentpipe_rows):
    assert (bentpipe_rows["pop"][bentpipe_rows.connected] == "FRA - FRNTDEU1").any()
    df = rows(bentpipe, [{"kind": "pop_outage", "pops": ["FRA - FRNTDEU1"]}])
    on = df[df.connected]
    assert len(on) and not (on["pop"] == "FRA - FRNTDEU1").any()
    # Re-homing only lengthens the fibre: RTT never drops (same satellites, same gateways).
    both = df.connected & bentpipe_rows.connected & (df.gateway == bentpipe_rows.gateway)
    assert (df.rtt_ms[both] >= bentpipe_rows.rtt_ms[both] - 1e-9).all()


def test_events_outside_the_window_change_nothing(bentpipe, bentpipe_rows):
    ev = {"kind": "gateway_outage", "gateways": ["Foggia"], "start_s": 1e6, "end_s": 2e6}
    pd.testing.assert_frame_equal(rows(bentpipe, [ev]), bentpipe_rows)


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
        short("mariupol-2022", events=[event])
    assert err.value.field == field and err.value.file == "<test>"
    assert allowed in err.value.allowed
