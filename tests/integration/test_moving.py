"""Moving terminals: a terminal on a route is, at each instant, the fixed terminal that would
stand where the route puts it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lifeline
from lifeline.config import load_scenario, scenario_from_dict
from lifeline.errors import ScenarioError

# End-to-end runs (seconds each): outside the quick loop `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

# references.md#sites: Azovstal works and Mariupol city.
A = (47.098, 37.610)
B = (47.0958, 37.5494)


def run(terminals, minutes=10):
    data = {
        "extends": "mariupol-2022-bentpipe",
        "name": "moving",
        "time": {"duration_s": minutes * 60.0},
        "terminals": terminals,
    }
    return lifeline.run(scenario_from_dict(data, source="<test>"), workers=1).terminals


def test_route_matches_fixed_terminals_where_it_passes():
    """From A (t = 0) to B (t = 600 s), linearly: at t = 300 s, a slot start, the convoy is at
    the midpoint, and its row there equals a fixed terminal's at the midpoint (same instant,
    same network: the plan is made with its position at that instant)."""
    mid = ((A[0] + B[0]) / 2, (A[1] + B[1]) / 2)
    convoy = {
        "name": "Convoy",
        "lat_deg": A[0],
        "lon_deg": A[1],
        "waypoints": [{"time_s": 600.0, "lat_deg": B[0], "lon_deg": B[1]}],
    }
    fixed = [{"name": n, "lat_deg": p[0], "lon_deg": p[1]} for n, p in [("A", A), ("Mid", mid)]]
    df = run([convoy, *fixed])
    # The access part of the RTT is drawn per terminal (links/access.py), so the geometry-made
    # parts are what must agree.
    cols = [
        "connected", "satellite", "elevation_deg", "azimuth_deg", "range_km", "rtt_space_ms",
        "rtt_ground_ms",
    ]  # fmt: skip
    at = df.set_index(["time_s", "terminal"])
    moving, still = at.loc[(300.0, "Convoy"), cols], at.loc[(300.0, "Mid"), cols]
    assert moving["connected"]
    assert moving["satellite"] == still["satellite"]
    for c in ("elevation_deg", "azimuth_deg", "range_km", "rtt_space_ms", "rtt_ground_ms"):
        assert moving[c] == pytest.approx(still[c], abs=1e-9)
    # At t = 0 the convoy is at A.
    pd.testing.assert_series_equal(
        at.loc[(0.0, "Convoy"), cols], at.loc[(0.0, "A"), cols], check_names=False
    )
    # On one satellite the range changes smoothly while moving: at most the satellite's speed
    # (circular, sqrt(GM / r) = 7.59 km/s at 550 km with WGS84 GM, references.md#wgs84) plus the
    # convoy's (~0.01 km/s) per 1-s step.
    c = df[df.terminal == "Convoy"]
    same = (c.satellite.to_numpy()[1:] == c.satellite.to_numpy()[:-1]) & c.connected.to_numpy()[1:]
    assert np.abs(np.diff(c.range_km.to_numpy()))[same].max() < 8.0


def test_waypoints_at_the_start_position_change_nothing():
    still = {"name": "T", "lat_deg": A[0], "lon_deg": A[1]}
    parked = dict(still, waypoints=[{"time_s": 120.0, "lat_deg": A[0], "lon_deg": A[1]}])
    pd.testing.assert_frame_equal(run([parked], minutes=3), run([still], minutes=3))


@pytest.mark.parametrize(
    ("waypoints", "field"),
    [
        ([{"time_s": 60.0, "lat_deg": 47, "lon_deg": 37},
          {"time_s": 30.0, "lat_deg": 47, "lon_deg": 36}], "terminals[0].waypoints[1]"),
        ([{"lat_deg": 47, "lon_deg": 37}], "terminals[0].waypoints[0]"),
        ([{"time_s": 60.0, "lat_deg": 97, "lon_deg": 37}], "terminals[0].waypoints[0].lat_deg"),
    ],
)  # fmt: skip
def test_bad_routes_are_clear_errors(waypoints, field):
    with pytest.raises(ScenarioError) as err:
        run([{"name": "T", "lat_deg": A[0], "lon_deg": A[1], "waypoints": waypoints}])
    assert err.value.field == field


def test_evacuation_preset_route():
    sc = load_scenario("mariupol-2022-evacuation")
    convoy = sc.terminals[0]
    times, lats, lons = convoy.route(sc.time.start_utc)
    assert times == [0.0, 3600.0, 14400.0, 36000.0]
    # Ends in Zaporizhzhia, the fixed terminal of the same preset.
    zap = next(t for t in sc.terminals if t.name == "Zaporizhzhia")
    assert (lats[-1], lons[-1]) == (zap.lat_deg, zap.lon_deg)
