"""Events in whole runs (mariupol presets, 3 minutes): each kind against an independent
expectation (a hand-built equivalent run, the geometry of the sites, or the definition of the
window). The pure parts and the input errors are in tests/unit/test_events.py."""

from __future__ import annotations

import pandas as pd
import pytest

import lifeline
from lifeline.config import Scenario
from lifeline.geo import great_circle_km
from tests.helpers import AZOVSTAL, first_minutes

# End-to-end runs (seconds each): outside the quick loop `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

MINUTES = 3


def short(preset: str, events=()) -> Scenario:
    """The preset's first minutes, with events (validated as a scenario file is)."""
    return first_minutes(preset, MINUTES, events=list(events))


@pytest.fixture(scope="module")
def bentpipe():
    return "mariupol-2022-bentpipe"


@pytest.fixture(scope="module")
def isl():
    return "mariupol-2022"


def rows(preset, events):
    return lifeline.run(short(preset, events=events), workers=1).terminals


@pytest.fixture(scope="module")
def bentpipe_rows(bentpipe, preset_run):
    return preset_run(bentpipe, MINUTES).terminals


def test_ground_loss_equals_outage_of_the_gateways_inside(bentpipe):
    """A region ground loss is exactly the outage of the gateways and PoPs inside it: the
    gateways within 1,500 km of Azovstal in the preset (great-circle distance from its list)."""
    inside = [
        g.name
        for g in short(bentpipe).gateways
        if great_circle_km(*AZOVSTAL, g.lat_deg, g.lon_deg) <= 1500
    ]
    assert sorted(inside) == ["Kaunas", "Muallim", "Wola Krobowska"]  # TR, LT, PL
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
    # Every other row is the run without events: power loss re-plans nothing. Only the
    # throughput of terminals sharing Azovstal's beam (Mariupol, 4.6 km away, same cell) may
    # rise where they take a new share while Azovstal is off: removing a flow never lowers the
    # others' max-min fair rates (Bertsekas & Gallager §6.5.2).
    thr = ["throughput_down_mbps", "throughput_up_mbps"]
    pd.testing.assert_frame_equal(
        df[~off].drop(columns=thr), bentpipe_rows[~off].drop(columns=thr), check_dtype=False
    )
    for col in thr:
        assert (df[col][~off] >= bentpipe_rows[col][~off] * (1 - 1e-6)).all()
    others = ~az & (df.time_s < 41)  # before the window, every row as without the event
    pd.testing.assert_frame_equal(df[others], bentpipe_rows[others], check_dtype=False)
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
