"""Horizon masks in whole runs, and the availability statistics of the summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lifeline
from lifeline.config import scenario_from_dict
from lifeline.errors import ScenarioError
from lifeline.reasons import REASONS
from lifeline.results import TerminalAccumulator, summarize

# End-to-end runs (seconds each): outside the quick loop `pytest -m "not slow"`.
pytestmark = pytest.mark.slow


def azovstal(horizon=None, minutes=3):
    """mariupol-2022-bentpipe with Azovstal only, optionally behind a horizon mask."""
    terminal = {"name": "Azovstal", "lat_deg": 47.098, "lon_deg": 37.610}  # references.md#sites
    if horizon is not None:
        terminal["horizon_deg"] = horizon
    data = {
        "extends": "mariupol-2022-bentpipe",
        "name": "obstructed",
        "time": {"duration_s": minutes * 60.0},
        "terminals": [terminal],
    }
    return lifeline.run(scenario_from_dict(data, source="<test>"), workers=1)


@pytest.fixture(scope="module")
def open_sky():
    return azovstal()


def test_a_flat_zero_horizon_changes_nothing(open_sky):
    masked = azovstal([0.0] * 8)
    pd.testing.assert_frame_equal(masked.terminals, open_sky.terminals)
    assert masked.summary["terminals"]["Azovstal"]["obstructed_pct"] == 0.0


def test_walls_all_round_obstruct_every_satellite(open_sky):
    """At 90 deg all round nothing clears the mask: every step that saw a satellite is
    'obstructed' and the summary's obstructed share is that share of the steps."""
    walled = azovstal([90.0])
    df, base = walled.terminals, open_sky.terminals
    assert not df.connected.any()
    saw = base.reason != "no_satellite"
    assert (df.reason[saw] == "obstructed").all() and (df.reason[~saw] == "no_satellite").all()
    s = walled.summary["terminals"]["Azovstal"]
    assert s["obstructed_pct"] == pytest.approx(100.0 * saw.mean())


def test_only_the_open_sector_serves(open_sky):
    """A trench open to the south-west only (180..270 deg): every connected step's satellite
    is in that sector; steps on other satellites are gone or re-planned."""
    horizon = [90.0, 90.0, 0.0, 90.0]  # sectors of 90 deg from north: the third is 180..270
    df = azovstal(horizon, minutes=10).terminals
    on = df[df.connected]
    assert len(on) > 0
    assert ((on.azimuth_deg >= 180.0) & (on.azimuth_deg < 270.0)).all()
    assert set(df.reason[~df.connected]) <= {"obstructed", "no_satellite", "no_gateway_path"}


@pytest.mark.parametrize("horizon", [[], [10.0] * 7, [95.0], ["low"], True])
def test_bad_horizon_is_a_clear_error(horizon):
    with pytest.raises(ScenarioError) as err:
        azovstal(horizon)
    assert err.value.field == "terminals[0].horizon_deg"
    assert "divides 360" in err.value.allowed


def test_availability_statistics_by_hand():
    """One terminal, 1 s steps: 2 s without satellite, 3 connected, 1 no_gateway_path,
    2 no_satellite, 4 connected, 5 ground_down, 1 connected."""
    code = REASONS.index
    seq = (
        [code("no_satellite")] * 2
        + [0] * 3
        + [code("no_gateway_path")]
        + [code("no_satellite")] * 2
        + [0] * 4
        + [code("ground_down")] * 5
        + [0]
    )
    reason = np.array(seq, dtype=np.int8)[:, None]
    acc = TerminalAccumulator(1)
    acc.add(reason == 0, np.where(reason == 0, 30.0, np.nan), np.zeros_like(reason), reason)
    s = summarize(acc, ["T"], REASONS, step_s=1.0)["T"]
    assert s["time_to_first_service_s"] == 2.0
    assert s["outages"] == 3  # runs of 2, 3 (1 + 2) and 5 steps
    # numpy.percentile, linear: p50 of (2, 3, 5) is 3, p95 is 3 + 0.9 x 2 = 4.8.
    assert s["outage_durations"] == {"count": 3, "p50_s": 3.0, "p95_s": 4.8, "max_s": 5.0}
    by = s["outage_durations_by_reason"]
    assert by["no_satellite"]["count"] == 2 and by["no_satellite"]["max_s"] == 2.0
    assert by["ground_down"] == {"count": 1, "p50_s": 5.0, "p95_s": 5.0, "max_s": 5.0}
    assert s["outage_s_by_reason"] == {
        "no_satellite": 4.0,
        "no_gateway_path": 1.0,
        "ground_down": 5.0,
    }
    assert s["availability_pct"] == pytest.approx(100 * 8 / 18)


def test_gsl_range_rule_limits_the_serving_satellite(open_sky):
    """network.gsl_max_range_km (a rule the scenario has for pair mode) holds in runs too:
    no connected step is served from farther away."""
    data = {
        "extends": "mariupol-2022-bentpipe",
        "name": "range",
        "time": {"duration_s": 180.0},
        "network": {"isl": False, "gsl_max_range_km": 700.0},
        "terminals": [{"name": "Azovstal", "lat_deg": 47.098, "lon_deg": 37.610}],
    }
    df = lifeline.run(scenario_from_dict(data, source="<test>"), workers=1).terminals
    assert (df.range_km[df.connected] <= 700.0).all()
    base = open_sky.terminals
    assert (base.range_km[base.connected] > 700.0).any()  # the rule did bite
