"""Tests for lifeline.orbits.walker and lifeline.orbits.presets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lifeline.orbits.presets import CONSTELLATION_PRESETS, PRESET_SOURCES, build_preset
from lifeline.orbits.propagate import propagate_teme
from lifeline.orbits.walker import walker_delta

EPOCH = "2022-05-11T00:00:00Z"


def _wrap_deg(angle_deg: np.ndarray) -> np.ndarray:
    """Wrap to (-180, 180] deg."""
    return (angle_deg + 180.0) % 360.0 - 180.0


def test_preset_counts():
    # references.md#constellation-shells: 4,408 (FCC 21-48).
    starlink = build_preset("starlink-gen1", EPOCH)
    assert sum(len(s) for s in starlink) == 4408
    # FCC 20-102 (30 Jul 2020): 34x34 + 36x36 + 28x28 = 3,236 Kuiper satellites.
    kuiper = build_preset("kuiper-gen1", EPOCH)
    assert sum(len(s) for s in kuiper) == 3236
    satnums = [r.satnum for shell in starlink for r in shell.satrecs]
    assert len(set(satnums)) == 4408
    assert set(PRESET_SOURCES) == set(CONSTELLATION_PRESETS)


def test_unknown_preset_lists_valid_names():
    with pytest.raises(ValueError, match="kuiper-gen1.*starlink-gen1"):
        build_preset("oneweb", EPOCH)


def test_period_of_550_km_shell():
    # references.md#constellation-shells: orbital period 95.65 min at 550 km (circular Kepler with
    # WGS84 mu).
    # The shell uses WGS72 (mu 398600.8, a = 6378.135 + 550 km): the two differ by
    # 1e-4 min, so the tolerance is the table's rounding (0.005 min) plus that.
    shell = walker_delta(550.0, 53.0, 72, 22, 1, EPOCH)
    period_min = 2 * math.pi / shell.satrecs[0].no_kozai
    assert period_min == pytest.approx(95.65, abs=0.0051)


def test_walker_geometry_from_propagated_state():
    planes, per_plane, phasing = 12, 10, 3
    total = planes * per_plane
    shell = walker_delta(550.0, 53.0, planes, per_plane, phasing, EPOCH)
    assert shell.plane.tolist() == np.repeat(np.arange(planes), per_plane).tolist()
    assert shell.slot.tolist() == np.tile(np.arange(per_plane), planes).tolist()

    r_km, v_km_s, error = propagate_teme(shell.satrecs, np.array([EPOCH[:-1]], "datetime64[ns]"))
    assert not error.any()
    r_km, v_km_s = r_km[0], v_km_s[0]
    # Orbit normal h = r x v gives inclination and RAAN; argument of latitude u is the angle
    # from the ascending node in the orbit plane (Vallado, Fundamentals of Astrodynamics,
    # 4th ed., Algorithm 9, RV2COE).
    h = np.cross(r_km, v_km_s)
    inclination = np.arccos(h[:, 2] / np.linalg.norm(h, axis=1))
    raan = np.arctan2(h[:, 0], -h[:, 1])
    u = np.arctan2(
        r_km[:, 2] / np.sin(inclination),
        r_km[:, 0] * np.cos(raan) + r_km[:, 1] * np.sin(raan),
    )
    # Walker (1984): RAAN_j = j 360/p, u_jk = k 360/s + j f 360/t.
    expected_raan_deg = shell.plane * 360.0 / planes
    expected_u_deg = shell.slot * 360.0 / per_plane + shell.plane * phasing * 360.0 / total
    # SGP4 returns osculating states; its short-period J2 terms (order J2 (R/a)^2 ≈ 9e-4
    # rad ≈ 0.05 deg, times factors of order 1) move the angles off their mean values.
    osculating_tol_deg = 0.2
    assert np.degrees(inclination) == pytest.approx(53.0, abs=osculating_tol_deg)
    assert np.abs(_wrap_deg(np.degrees(raan) - expected_raan_deg)).max() < osculating_tol_deg
    assert np.abs(_wrap_deg(np.degrees(u) - expected_u_deg)).max() < osculating_tol_deg
    # In-plane neighbours are 360/s apart; the short-period terms nearly cancel between them.
    u_grid = np.degrees(u).reshape(planes, per_plane)
    separation = _wrap_deg(np.roll(u_grid, -1, axis=1) - u_grid)
    assert np.abs(separation - 360.0 / per_plane).max() < 0.1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((100.0, 53.0, 72, 22, 1), "altitude_km"),
        ((550.0, 181.0, 72, 22, 1), "inclination_deg"),
        ((550.0, 53.0, 0, 22, 1), "planes"),
        ((550.0, 53.0, 72, 2.5, 1), "sats_per_plane"),
        ((550.0, 53.0, 72, 22, 72), "phasing"),
    ],
)
def test_walker_rejects_bad_arguments(args, fragment):
    with pytest.raises(ValueError, match=fragment):
        walker_delta(*args, EPOCH)


def test_names_and_satnums():
    shell = walker_delta(550.0, 53.0, 2, 3, 1, EPOCH, name="test", first_satnum=101)
    assert shell.names[:4] == ["test-p00-s00", "test-p00-s01", "test-p00-s02", "test-p01-s00"]
    assert [s.satnum for s in shell.satrecs] == list(range(101, 107))
