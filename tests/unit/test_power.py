"""Power autonomy: the Sun's elevation against closed forms, the battery by hand, bad tables.

Whole runs with a power kit: tests/integration/test_power_runs.py."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from lifeline.errors import ScenarioError
from lifeline.power import run_battery, solar_power_w, sun_elevation_deg
from tests.helpers import AZOVSTAL, first_minutes


def cooper_declination_deg(day_of_year):
    """Cooper (1969), Duffie & Beckman, Solar Engineering of Thermal Processes, eq. 1.6.1a:
    δ = 23.45 sin(360 (284 + n) / 365); within about 1 deg of the true declination."""
    return 23.45 * np.sin(np.radians(360.0 * (284 + day_of_year) / 365.0))


def test_day_length_and_noon_height_at_azovstal_on_11_may():
    """Sunset hour angle ωs = arccos(−tan φ tan δ) (Duffie & Beckman eq. 1.6.10), day length
    2ωs/15 h, noon elevation 90 − |φ − δ|, with Cooper's declination for 11 May (n = 131):
    14.7 h and 60.6 deg. A 1-deg error in δ moves the day by ~9 min and noon by 1 deg."""
    t0 = datetime(2022, 5, 11, tzinfo=UTC).timestamp()
    t = t0 + np.arange(0, 86400, 60.0)
    h = sun_elevation_deg(t, *AZOVSTAL)
    lat = np.radians(AZOVSTAL[0])
    decl = np.radians(cooper_declination_deg(131))
    day_h = 2 * np.degrees(np.arccos(-np.tan(lat) * np.tan(decl))) / 15.0
    assert np.count_nonzero(h > 0) / 60.0 == pytest.approx(day_h, abs=10 / 60)
    assert h.max() == pytest.approx(90.0 - abs(AZOVSTAL[0] - np.degrees(decl)), abs=1.0)
    # Solar noon at 37.61 E is 12:00 − 37.61 × 4 min ≈ 09:29:30 UTC, give or take the equation
    # of time (under 4 min in May, Duffie & Beckman Fig. 1.5.1).
    noon_h = (t[np.argmax(h)] - t0) / 3600.0
    assert noon_h == pytest.approx(12.0 - 37.61 * 4 / 60, abs=5 / 60)


def test_flat_panel_follows_sine_of_elevation():
    np.testing.assert_allclose(solar_power_w(100.0, [-10.0, 0.0, 30.0, 90.0]), [0, 0, 50, 100])


def test_battery_by_hand():
    # 100 W draw from 200 Wh, no supply, 1-minute steps: 200 Wh / (100 W / 60) = 120 steps.
    on, energy = run_battery(np.zeros((200, 1)), [100.0], [200.0], [200.0], 60.0)
    assert on[:120, 0].all() and not on[120:, 0].any()
    assert energy[0, 0] == 200.0 and energy[120, 0] == pytest.approx(0.0, abs=1e-9)
    # Supply equal to the draw keeps an empty battery running forever.
    on, _ = run_battery(np.full((50, 1), 100.0), [100.0], [0.0], [0.0], 60.0)
    assert on.all()
    # Half the draw from outside: an off step charges, so it alternates off/on after emptying.
    on, _ = run_battery(np.full((10, 1), 50.0), [100.0], [100.0], [0.0], 60.0)
    assert on[:, 0].tolist() == [False, True] * 5


@pytest.mark.parametrize(
    ("power", "field"),
    [
        ({"model": "dish"}, "terminals[0].power.model"),
        ({"battery_wh": -1}, "terminals[0].power.battery_wh"),
        ({"generator_utc_hours": [18]}, "terminals[0].power.generator_utc_hours"),
        ({"initial_charge": 2}, "terminals[0].power.initial_charge"),
    ],
)
def test_bad_power_tables_are_clear_errors(power, field):
    terminal = {"name": "Azovstal", "lat_deg": AZOVSTAL[0], "lon_deg": AZOVSTAL[1], "power": power}
    with pytest.raises(ScenarioError) as err:
        first_minutes("mariupol-2022", 1, terminals=[terminal])
    assert err.value.field == field
