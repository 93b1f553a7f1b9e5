"""Tests for lifeline.time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from sgp4.api import jday
from skyfield.api import load

from lifeline.time import (
    datetime64_from_jd,
    days_since_1949_12_31,
    earth_rotation_angle,
    sgp4_jd,
    to_datetime64,
)

#: Resolution of the JD fraction in float64 near 1 day [day]: 2**-52 day ≈ 19 ps.
FRACTION_EPS_DAY = 2.0**-52


def _utc(*iso: str) -> np.ndarray:
    return np.array(iso, dtype="datetime64[ns]")


def test_to_datetime64_accepts_z_offset_aware_and_datetime64():
    expected = np.datetime64("2022-05-11T00:00:00", "ns")
    assert to_datetime64("2022-05-11T00:00:00Z") == expected
    assert to_datetime64("2022-05-11T03:00:00+03:00") == expected
    assert to_datetime64(datetime(2022, 5, 11, tzinfo=UTC)) == expected
    kyiv_summer = timezone(timedelta(hours=3))
    assert to_datetime64(datetime(2022, 5, 11, 3, tzinfo=kyiv_summer)) == expected
    assert to_datetime64(np.datetime64("2022-05-11")) == expected
    assert to_datetime64(np.datetime64("2022-05-11")).dtype == np.dtype("datetime64[ns]")


@pytest.mark.parametrize(
    "value", ["2022-05-11T00:00:00", datetime(2022, 5, 11), "yesterday", 1.5, np.datetime64("NaT")]
)
def test_to_datetime64_rejects_ambiguous_or_bad_values(value):
    with pytest.raises(ValueError, match="time"):
        to_datetime64(value)


def test_sgp4_jd_matches_sgp4_jday_and_j2000():
    # J2000.0 = JD 2451545.0 = 2000-01-01T12:00 (IAU definition; Meeus ch. 7).
    whole, fraction = sgp4_jd(_utc("2000-01-01T12:00:00", "2022-05-11T06:17:23.5"))
    assert whole[0] + fraction[0] == 2451545.0
    # Reference split from the sgp4 package's own jday() (Vallado's algorithm).
    ref_whole, ref_fraction = jday(2022, 5, 11, 6, 17, 23.5)
    assert whole[1] == ref_whole
    assert fraction[1] == pytest.approx(ref_fraction, abs=FRACTION_EPS_DAY * 4)
    assert np.all((fraction >= 0) & (fraction < 1))


def test_sgp4_jd_resolves_one_microsecond():
    # A single float64 JD near 2.46e6 cannot: its spacing is 2**-31 day ≈ 40 µs.
    whole, fraction = sgp4_jd(_utc("2022-05-11T06:00:00", "2022-05-11T06:00:00.000001"))
    assert whole[0] == whole[1]
    assert (fraction[1] - fraction[0]) * 86400e6 == pytest.approx(1.0, abs=1e-3)


def test_datetime64_from_jd_round_trips_to_the_nanosecond():
    times = _utc("1999-12-31T23:59:59.999999999", "2022-08-17T04:12:47.854368", "2030-01-01")
    assert np.array_equal(datetime64_from_jd(*sgp4_jd(times)), times)


def test_days_since_1949_12_31():
    # sgp4 docs: the epoch 1949-12-31 00:00 UT is day 0; JD 2433281.5.
    assert days_since_1949_12_31(np.datetime64("1949-12-31")) == 0.0
    assert days_since_1949_12_31("2022-05-11T12:00:00Z") == 2459711.0 - 2433281.5


def test_gmst_matches_vallado_example():
    # Vallado, Fundamentals of Astrodynamics and Applications, 4th ed., Example 3-5:
    # GMST = 152.578787810 deg at 1992-08-20 12:14:00 UT1.
    theta_rad, theta_dot_rad_s = earth_rotation_angle(_utc("1992-08-20T12:14:00"))
    # Our input is UTC; UT1 - UTC is kept within 0.9 s by IERS (Bulletin C), which moves
    # GMST by at most 0.9 s x 0.004178 deg/s = 0.0038 deg.
    dut1_s = load.timescale(builtin=True).utc(1992, 8, 20, 12, 14, 0).dut1
    assert abs(dut1_s) <= 0.9
    rate_deg_s = np.degrees(theta_dot_rad_s[0])
    expected_deg = 152.578787810 + dut1_s * rate_deg_s
    # 1e-7 deg ≈ 1 cm at a LEO satellite.
    assert np.degrees(theta_rad[0]) == pytest.approx(expected_deg, abs=1e-7)


def test_gmst_rate_is_sidereal():
    # GMST 1982 (Aoki et al. 1982, A&A 105, 359; AIAA 2006-6753 App. C) advances
    # 1.002737909350795 turns per UT1 day: 1.002737909350795 x 2 pi / 86400 s
    # = 7.29211585530e-5 rad/s; the T-dependent terms change it by < 1e-14 rad/s by 2022.
    _, theta_dot_rad_s = earth_rotation_angle(_utc("2022-05-11", "2022-05-12"))
    assert theta_dot_rad_s == pytest.approx(7.29211585530e-5, abs=1e-14)


def test_times_must_be_datetime64():
    with pytest.raises(ValueError, match="datetime64"):
        sgp4_jd(np.array([1.0, 2.0]))
