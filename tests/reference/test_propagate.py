"""Tests for lifeline.orbits.propagate."""

from __future__ import annotations

import logging
from importlib.resources import files

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sgp4.api import WGS72, Satrec
from skyfield.api import EarthSatellite, load
from skyfield.framelib import itrs

from lifeline.io.tle import filter_launched_by, read_tle
from lifeline.orbits.propagate import (
    Constellation,
    Ephemeris,
    propagate_ecef,
    propagate_teme,
    teme_to_ecef,
)
from lifeline.orbits.walker import walker_delta
from lifeline.time import days_since_1949_12_31

ONE_METRE_KM = 1e-3
TLE_PATH = files("lifeline.data") / "starlink-2022-08-17.tle"
START = np.datetime64("2022-05-11T00:00:00", "ns")


@pytest.fixture(scope="module")
def may_2022():
    """Satellites launched by 2022-053 (PROVENANCE.md), every 120th: 20 satellites."""
    tles = filter_launched_by(read_tle(TLE_PATH), "2022-053")
    return tles.subset(np.arange(0, len(tles), 120))


def _raw_lines(catalog: np.ndarray) -> dict[int, tuple[str, str]]:
    """Line 1 and line 2 as written in the shipped file, by catalog number."""
    lines = TLE_PATH.read_text().splitlines()
    wanted = set(catalog.tolist())
    return {
        int(line[2:7]): (line, lines[i + 1])
        for i, line in enumerate(lines)
        if line.startswith("1 ") and int(line[2:7]) in wanted
    }


def _seconds(offsets_s: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(offsets_s) * 1e9).astype("timedelta64[ns]")


def test_ecef_matches_skyfield_itrs(may_2022):
    times = np.array(
        [
            "2022-05-11T00:00:00",  # 98 days before the elements' epochs
            "2022-05-11T06:17:23.5",
            "2022-05-11T23:59:59.999",
            "2022-08-17T12:00:00",  # near the epochs
        ],
        dtype="datetime64[ns]",
    )
    r_km, v_km_s, error = propagate_ecef(may_2022.satrecs, times)
    altitude_km = np.linalg.norm(r_km, axis=-1) - 6378.137
    in_band = (error == 0).all(axis=0) & ((altitude_km > 150) & (altitude_km < 2000)).all(axis=0)
    assert in_band.sum() == len(may_2022)  # every sampled satellite stays plausible

    # Reference: Skyfield's own SGP4 + TEME->GCRS->ITRS chain, same builtin timescale (no
    # polar motion, as in lifeline).
    ts = load.timescale(builtin=True)
    seconds = (times - times.astype("datetime64[D]")) / np.timedelta64(1, "s")
    days = times.astype("datetime64[D]").astype("datetime64[D]")
    years = days.astype("datetime64[Y]").astype(int) + 1970
    months = days.astype("datetime64[M]").astype(int) % 12 + 1
    mdays = (days - days.astype("datetime64[M]")).astype(int) + 1
    t = ts.utc(years, months, mdays, 0, 0, seconds)
    lines = _raw_lines(may_2022.catalog)
    for k, catalog in enumerate(may_2022.catalog):
        sat = EarthSatellite(*lines[int(catalog)], ts=ts)
        r_ref, v_ref = sat.at(t).frame_xyz_and_velocity(itrs)
        assert np.abs(r_ref.km.T - r_km[:, k]).max() < ONE_METRE_KM
        # Skyfield's ITRS velocity uses the IERS rotation rate 7.292115e-5 rad/s, lifeline the
        # GMST 1982 rate 7.2921158553e-5 (AIAA 2006-6753 App. C): 8.6e-12 rad/s x 7,000 km
        # = 0.06 mm/s.
        assert np.abs(v_ref.km_per_s.T - v_km_s[:, k]).max() < 0.1e-6


def test_propagate_teme_shapes_and_single_satellite_reference(may_2022):
    times = START + _seconds(np.array([0.0, 60.0, 3600.0]))
    r_km, v_km_s, error = propagate_teme(may_2022.satrecs[:3], times)
    assert r_km.shape == v_km_s.shape == (3, 3, 3)
    assert error.shape == (3, 3)
    # Reference: Satrec.sgp4 for one satellite at one split JD (sgp4 package).
    satrec = may_2022.satrecs[2]
    e, r_ref, v_ref = satrec.sgp4(2459710.5, 3600.0 / 86400.0)
    assert e == 0
    np.testing.assert_allclose(r_km[2, 2], r_ref, rtol=0, atol=1e-9)
    np.testing.assert_allclose(v_km_s[2, 2], v_ref, rtol=0, atol=1e-12)


def test_teme_to_ecef_preserves_radius_and_z():
    rng = np.random.default_rng(1)
    r = rng.normal(size=(4, 5, 3)) * 7000
    v = rng.normal(size=(4, 5, 3)) * 7
    times = START + _seconds(np.arange(4) * 1000.0)
    r_ecef, _ = teme_to_ecef(r, v, times)
    # A rotation about z keeps |r| and z (AIAA 2006-6753 App. C).
    np.testing.assert_allclose(np.linalg.norm(r_ecef, axis=-1), np.linalg.norm(r, axis=-1))
    np.testing.assert_array_equal(r_ecef[..., 2], r[..., 2])


#: Cubic Hermite error bound h^4/384 max|r^(4)| for h = 60 s in LEO (Burden & Faires,
#: Numerical Analysis, §3.4; |r^(4)| ≈ w^4 |r| with w ≈ 1.17e-3 rad/s, |r| ≈ 6,950 km):
#: 60^4/384 x 1.3e-8 km/s^4 ≈ 0.44 m; under one metre.
HERMITE_60S_BOUND_KM = ONE_METRE_KM


def _interpolation_error_km(constellation: Constellation, start: np.datetime64) -> np.ndarray:
    """Max |interpolated - direct SGP4| per satellite over 2 h at 40 random instants [km]."""
    ephemeris = Ephemeris.compute(constellation, start, start + np.timedelta64(2, "h"), 60.0)
    rng = np.random.default_rng(20220511)
    fine_s = np.sort(rng.uniform(0, 7200, size=40))
    r_interp, valid = ephemeris.at(fine_s)
    r_direct, _, _ = propagate_ecef(constellation.satrecs, start + _seconds(fine_s))
    assert valid.all()
    return np.abs(r_interp - r_direct).max(axis=(0, 2))


def test_interpolation_matches_sgp4_real_tles_near_epoch(may_2022):
    start = np.datetime64("2022-08-17T00:00:00", "ns")  # epochs 08-16..08-17 (PROVENANCE.md)
    error_km = _interpolation_error_km(Constellation.from_tle(may_2022), start)
    assert error_km.max() < HERMITE_60S_BOUND_KM


def test_interpolation_matches_sgp4_walker_shell():
    shell = walker_delta(550.0, 53.0, 6, 5, 1, START)
    error_km = _interpolation_error_km(Constellation.from_shells([shell]), START)
    assert error_km.max() < HERMITE_60S_BOUND_KM


@pytest.fixture(scope="module")
def launched_by_2022_049():
    """Every satellite launched by 2022-049, the closest match to the fleet on 2022-05-11
    (PROVENANCE.md): 2,233 satellites, epochs 2022-08-16..17."""
    return Constellation.from_tle(filter_launched_by(read_tle(TLE_PATH), "2022-049"))


@pytest.mark.parametrize("day", ["2022-05-11", "2022-07-01"])
def test_interpolation_within_one_metre_far_from_epoch(launched_by_2022_049, day):
    # 98 and 47 days before the epochs, SGP4's velocity misses the derivative of its
    # position by up to 2.2 m/s (05-11) and 14 m/s (07-01) for high-drag elements; with
    # SGP4 velocities this interpolation erred by 12.7 m and 83 m. Four hours span three
    # propagation chunks of this constellation.
    constellation = launched_by_2022_049
    start = np.datetime64(f"{day}T00:00:00", "ns")
    ephemeris = Ephemeris.compute(constellation, start, start + np.timedelta64(4, "h"), 60.0)
    rng = np.random.default_rng(20220511)
    fine_s = np.sort(rng.uniform(0, 4 * 3600, size=50))
    r_interp, valid = ephemeris.at(fine_s)
    r_direct, _, error = propagate_ecef(constellation.satrecs, start + _seconds(fine_s))
    # 13 and 10 satellites are out of the altitude band or fail in SGP4 on these days.
    assert valid.all(axis=0).sum() >= 2_200
    assert (error[valid] == 0).all()
    error_km = np.linalg.norm(r_interp - r_direct, axis=-1)[valid]
    assert error_km.max() < ONE_METRE_KM


def test_velocities_are_derivatives_of_positions(launched_by_2022_049):
    # STARLINK-1952's SGP4 velocity is 2.2 m/s off the derivative of its SGP4 position on
    # 2022-05-11; a Walker satellite's is within 26 mm/s, so it keeps SGP4's velocity.
    names = launched_by_2022_049.names
    high_drag = launched_by_2022_049.satrecs[names.index("STARLINK-1952")]
    walker = walker_delta(550.0, 53.0, 1, 1, 0, START, first_satnum=90000).satrecs[0]
    satrecs = [high_drag, walker]
    constellation = Constellation(
        names=["STARLINK-1952", "walker"],
        satrecs=satrecs,
        plane=np.full(2, -1),
        slot=np.full(2, -1),
        shell=np.full(2, -1),
        catalog=np.array([s.satnum for s in satrecs]),
        source="test",
    )
    ephemeris = Ephemeris.compute(constellation, START, START + np.timedelta64(10, "m"), 60.0)
    _, v_sgp4_km_s, _ = propagate_ecef(satrecs, ephemeris.times_utc)
    # Reference: central difference of Earth-fixed positions (±0.1 s), which carries the
    # −ω × r term by itself; truncation 0.1²/6 s² x ~1e-5 km/s³ ≈ 0.02 mm/s.
    half_step = np.timedelta64(100, "ms")
    r_minus, _, _ = propagate_ecef(satrecs, ephemeris.times_utc - half_step)
    r_plus, _, _ = propagate_ecef(satrecs, ephemeris.times_utc + half_step)
    v_ref_km_s = (r_plus - r_minus) / 0.2
    mismatch_km_s = np.linalg.norm(v_sgp4_km_s - v_ref_km_s, axis=-1)
    assert (mismatch_km_s[:, 0] > 1e-3).all()
    assert (mismatch_km_s[:, 1] < 26e-6).all()
    # One millimetre per second: well inside the 40 mm/s threshold of Ephemeris.compute.
    np.testing.assert_allclose(ephemeris.v_ecef_km_s[:, 0], v_ref_km_s[:, 0], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(ephemeris.v_ecef_km_s[:, 1], v_sgp4_km_s[:, 1])


def _failing_satrecs() -> list[Satrec]:
    epoch_days = days_since_1949_12_31(START)
    bad_eccentricity = Satrec()  # e = 1.2: SGP4 error 1 at every instant
    bad_eccentricity.sgp4init(WGS72, "i", 90001, epoch_days, 0, 0, 0, 1.2, 0, 0.9, 0, 0.0677, 0)
    decaying = Satrec()  # B* = 0.5 at ~200 km: decays (error 6) within the first hour
    decaying.sgp4init(
        WGS72, "i", 90002, epoch_days, 0.5, 0, 0, 1e-4, 0, 0.9, 0, 2 * np.pi / 88.5, 0
    )
    return [bad_eccentricity, decaying]


def test_sgp4_failures_are_marked_counted_and_logged(caplog):
    shell = walker_delta(550.0, 53.0, 1, 3, 0, START)
    satrecs = shell.satrecs + _failing_satrecs()
    constellation = Constellation(
        names=[f"s{i}" for i in range(5)],
        satrecs=satrecs,
        plane=np.full(5, -1),
        slot=np.full(5, -1),
        shell=np.full(5, -1),
        catalog=np.array([s.satnum for s in satrecs]),
        source="synthetic",
    )
    with caplog.at_level(logging.DEBUG, logger="lifeline.orbits.propagate"):
        eph = Ephemeris.compute(constellation, START, START + np.timedelta64(3, "h"), 600.0)
    assert eph.t_s.tolist() == [600.0 * k for k in range(19)]
    assert eph.valid[:, :3].all()
    assert not eph.valid[:, 3].any()
    assert eph.valid[0, 4] and not eph.valid[1:, 4].any()
    # The decaying one is at 200, 129 and 59 km altitude at 0, 10 and 20 min (so two
    # samples below the band), then SGP4 error 6 (decayed) from 30 min on: 16 samples.
    assert eph.n_sgp4_errors == 19 + 16
    assert eph.n_out_of_band == 2
    assert np.isnan(eph.r_ecef_km[~eph.valid]).all()
    # Per window at DEBUG: a run adds the windows up and warns once (test_engine.py).
    records = [r for r in caplog.records if "invalid samples" in r.getMessage()]
    assert len(records) == 1 and records[0].levelno == logging.DEBUG
    assert "2 of 5 satellites" in records[0].getMessage()


def test_altitude_band_counts():
    low = walker_delta(550.0, 53.0, 2, 2, 1, START, first_satnum=1)
    high = walker_delta(1200.0, 53.0, 1, 3, 0, START, first_satnum=10)
    constellation = Constellation.from_shells([low, high])
    end = START + np.timedelta64(30, "m")
    # Altitude |r| - 6378.137 km of a 550 km WGS72 circular shell stays within ~±25 km
    # (J2 oblateness of the orbit, and WGS72/WGS84 radius 2 m apart), so these bands
    # separate the shells cleanly.
    eph = Ephemeris.compute(constellation, START, end, 60.0, altitude_band_km=(150.0, 1000.0))
    assert eph.t_s.size == 31
    assert eph.n_out_of_band == 31 * 3
    assert eph.n_sgp4_errors == 0
    assert eph.valid[:, :4].all() and not eph.valid[:, 4:].any()
    eph = Ephemeris.compute(constellation, START, end, 60.0, altitude_band_km=(150.0, 500.0))
    assert eph.n_out_of_band == 31 * 7


def test_last_sample_covers_end_and_at_edges():
    shell = walker_delta(550.0, 53.0, 1, 2, 0, START)
    constellation = Constellation.from_shells([shell])
    eph = Ephemeris.compute(constellation, START, START + np.timedelta64(150, "s"), 60.0)
    assert eph.t_s.tolist() == [0.0, 60.0, 120.0, 180.0]
    assert eph.times_utc[-1] == START + np.timedelta64(180, "s")
    # On a sample the sample itself comes back, bit for bit.
    r, valid = eph.at(np.array([0.0, 120.0, 180.0]))
    np.testing.assert_array_equal(r, eph.r_ecef_km[[0, 2, 3]])
    assert valid.all()
    r_dt, _ = eph.at(START + np.array([120, 180], dtype="timedelta64[s]"), np.array([1]))
    np.testing.assert_array_equal(r_dt[:, 0], eph.r_ecef_km[[2, 3], 1])
    with pytest.raises(ValueError, match="outside the sampled span"):
        eph.at(np.array([180.5]))
    with pytest.raises(ValueError, match="outside the sampled span"):
        eph.at(np.array([-0.1]))


def test_compute_rejects_bad_arguments():
    constellation = Constellation.from_shells([walker_delta(550.0, 53.0, 1, 2, 0, START)])
    with pytest.raises(ValueError, match="before"):
        Ephemeris.compute(constellation, START, START - np.timedelta64(1, "s"))
    with pytest.raises(ValueError, match="step_s"):
        Ephemeris.compute(constellation, START, START, step_s=0.0)


def test_from_shells_names_and_indices():
    a = walker_delta(550.0, 53.0, 2, 2, 1, START, first_satnum=1)
    b = walker_delta(560.0, 97.6, 1, 2, 0, START, first_satnum=5)
    constellation = Constellation.from_shells([a, b])
    assert len(constellation) == 6
    assert constellation.names[3] == "shell0-p01-s01"
    assert constellation.names[5] == "shell1-p00-s01"
    assert constellation.shell.tolist() == [0, 0, 0, 0, 1, 1]
    # Shells built with the same first_satnum get renumbered 1..S, same orbits.
    twice = Constellation.from_shells([a, a])
    assert twice.catalog.tolist() == list(range(1, 9))
    r_km, _, _ = propagate_ecef(twice.satrecs, START + _seconds(np.array([0.0, 86400.0])))
    assert np.abs(r_km[:, :4] - r_km[:, 4:]).max() < ONE_METRE_KM / 100
    with pytest.raises(ValueError, match="at least one"):
        Constellation.from_shells([])


coefficient = st.floats(-1e3, 1e3, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(
    coeffs=st.lists(coefficient, min_size=4, max_size=4),
    step_s=st.floats(1.0, 120.0),
    fractions=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8),
)
def test_hermite_reproduces_cubics(coeffs, step_s, fractions):
    # Cubic Hermite interpolation is exact for cubic polynomials (Burden & Faires §3.4:
    # the error term has the fourth derivative, which is zero).
    c0, c1, c2, c3 = coeffs
    t_s = np.arange(5) * step_s
    x = t_s / 100.0  # scale so that terms stay O(1e3)

    def position(t):
        x = np.asarray(t) / 100.0
        return c0 + c1 * x + c2 * x**2 + c3 * x**3

    def velocity(t):
        x = np.asarray(t) / 100.0
        return (c1 + 2 * c2 * x + 3 * c3 * x**2) / 100.0

    r = np.repeat(position(t_s)[:, None, None], 3, axis=2)
    v = np.repeat(velocity(t_s)[:, None, None], 3, axis=2)
    eph = Ephemeris(START, t_s, r, v, np.ones((5, 1), bool), 0, 0)
    t_query = np.array(fractions) * t_s[-1]
    r_interp, valid = eph.at(t_query)
    assert valid.all()
    scale = 1.0 + np.abs(coeffs).sum() * (1 + x[-1]) ** 3
    np.testing.assert_allclose(r_interp[:, 0, 0], position(t_query), rtol=0, atol=1e-12 * scale)
