"""Power autonomy in whole runs: a battery that runs out and a generator window (the
mariupol-2022 preset with Azovstal alone, 2 hours at 30-s steps)."""

from __future__ import annotations

import pytest

import lifeline
from lifeline.config import scenario_from_dict
from tests.helpers import AZOVSTAL

# End-to-end runs (seconds each): outside the quick loop `pytest -m "not slow"`.
pytestmark = pytest.mark.slow


def run_powered(power, hours=2.0):
    terminal = {"name": "Azovstal", "lat_deg": AZOVSTAL[0], "lon_deg": AZOVSTAL[1]}
    terminal["power"] = power
    data = {
        "extends": "mariupol-2022",
        "name": "power",
        "time": {"duration_s": hours * 3600, "step_s": 30.0, "slot_s": 30.0},
        "terminals": [terminal],
    }
    return lifeline.run(scenario_from_dict(data, source="<test>"), workers=1)


def test_battery_runs_out_after_capacity_over_draw():
    """A 90 Wh battery and the 2021-23 dish at 90 W (references.md#terminal-power, 80-100 W
    measured): one hour
    of service, then 'no_power' (no panel, no generator)."""
    result = run_powered({"battery_wh": 90.0})
    df = result.terminals
    after = df.time_s >= 3600
    assert (df.reason[after] == "no_power").all() and not df.connected[after].any()
    assert df.connected[~after].mean() > 0.99
    s = result.summary["terminals"]["Azovstal"]
    assert s["power"]["first_power_loss_s"] == 3600.0
    assert s["power"]["draw_w"] == 90.0
    assert s["outage_s_by_reason"]["no_power"] == pytest.approx(3600.0)


def test_generator_window_powers_the_terminal_only_then():
    """A generator running 00:30-01:00 UTC and no battery: service only in that window."""
    df = run_powered({"generator_w": 500.0, "generator_utc_hours": [0.5, 1.0]}).terminals
    window = (df.time_s >= 1800) & (df.time_s < 3600)
    assert (df.reason[~window] == "no_power").all()
    assert df.connected[window].mean() > 0.99
