"""Tests of lifeline.links.isl: +Grid on Walker shells, plane inference, link lengths."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pytest
from sgp4.api import Satrec, SatrecArray, jday

from lifeline.links.isl import (
    GM_EARTH_KM3_S2,
    infer_planes,
    isl_lengths_km,
    laser_grid,
    plus_grid,
)

ONE_MM_KM = 1e-6
R_KM = 6378.137


def walker(planes, per_plane, phasing, altitude_km, inclination_deg, raan0_deg=2.5, u0_deg=1.0):
    """Circular-orbit positions/velocities of a Walker-delta shell (Walker, JBIS 24, 1971).

    Returns r [km], v [km/s], plane, slot and u [deg]. Satellite ``p * per_plane + s`` is in
    plane p (RAAN = raan0 + 360 p / P) at argument of latitude u0 + 360 s / Q + 360 F p / (P Q).
    """
    p, s = np.divmod(np.arange(planes * per_plane), per_plane)
    raan = np.radians(raan0_deg + 360.0 * p / planes)
    u = np.radians(u0_deg + 360.0 * s / per_plane + 360.0 * phasing * p / (planes * per_plane))
    inc = np.radians(inclination_deg)
    node = np.stack([np.cos(raan), np.sin(raan), np.zeros_like(raan)], axis=1)
    normal = np.stack(
        [np.sin(inc) * np.sin(raan), -np.sin(inc) * np.cos(raan), np.full_like(raan, np.cos(inc))],
        axis=1,
    )
    in_plane = np.cross(normal, node)
    radius = R_KM + altitude_km
    r_hat = np.cos(u)[:, None] * node + np.sin(u)[:, None] * in_plane
    v_hat = -np.sin(u)[:, None] * node + np.cos(u)[:, None] * in_plane
    speed = np.sqrt(GM_EARTH_KM3_S2 / radius)
    return radius * r_hat, speed * v_hat, p, s, np.degrees(u)


def hypatia_plus_grid(planes, per_plane, isl_shift=0):
    """Edges as Hypatia's generate_plus_grid_isls.py defines them (satellite = i * Q + j)."""
    i, j = np.divmod(np.arange(planes * per_plane), per_plane)
    sat = i * per_plane + j
    same = i * per_plane + (j + 1) % per_plane
    adjacent = ((i + 1) % planes) * per_plane + (j + isl_shift) % per_plane
    edges = np.concatenate([np.stack([sat, same], 1), np.stack([sat, adjacent], 1)])
    return np.unique(np.sort(edges, axis=1), axis=0)


def test_walker_72x22_plus_grid():
    # Starlink Gen1 shell 1: 72 planes × 22 at 550 km, 53° (references.md#constellation-shells).
    r, _, plane, slot, _ = walker(72, 22, 1, 550.0, 53.0)
    edges = plus_grid(plane, slot)
    assert edges.shape == (2 * 72 * 22, 2)
    assert np.all(edges[:, 0] < edges[:, 1])
    np.testing.assert_array_equal(np.bincount(edges.ravel()), 4)
    np.testing.assert_array_equal(edges, hypatia_plus_grid(72, 22))
    # In-plane neighbours are 360°/22 apart on a circle of radius R + h: chord 2(R+h)sin(π/22).
    in_plane = plane[edges[:, 0]] == plane[edges[:, 1]]
    assert in_plane.sum() == 72 * 22
    expected_km = 2.0 * (R_KM + 550.0) * np.sin(np.pi / 22)
    np.testing.assert_allclose(isl_lengths_km(r, edges[in_plane]), expected_km, atol=ONE_MM_KM)


@pytest.mark.parametrize("isl_shift", [1, 5, -2])
def test_isl_shift_matches_hypatia(isl_shift):
    _, _, plane, slot, _ = walker(6, 8, 0, 550.0, 53.0)
    np.testing.assert_array_equal(
        plus_grid(plane, slot, isl_shift=isl_shift), hypatia_plus_grid(6, 8, isl_shift)
    )


def test_shells_never_join_and_invalid_get_nothing():
    _, _, p1, s1, _ = walker(5, 6, 0, 550.0, 53.0)
    _, _, p2, s2, _ = walker(4, 7, 0, 570.0, 70.0)
    plane = np.concatenate([p1, p2, [-1]])
    slot = np.concatenate([s1, s2, [3]])
    shell = np.concatenate([np.zeros_like(p1), np.ones_like(p2), [0]])
    edges = plus_grid(plane, slot, shell=shell)
    assert np.all(shell[edges[:, 0]] == shell[edges[:, 1]])
    assert len(edges) == 2 * 30 + 2 * 28
    assert len(plane) - 1 not in edges


def test_small_and_incomplete_shells():
    # Two planes of two: in-plane and cross-plane pairs coincide, so each appears once.
    edges = plus_grid([0, 0, 1, 1], [0, 1, 0, 1])
    np.testing.assert_array_equal(edges, [[0, 1], [0, 2], [1, 3], [2, 3]])
    # A missing satellite drops its own links only; its neighbour links past it in-plane.
    _, _, plane, slot, _ = walker(4, 5, 0, 550.0, 53.0)
    keep = np.arange(20) != 7
    edges = plus_grid(np.where(keep, plane, -1), slot)
    assert 7 not in edges
    assert [6, 8] in edges.tolist()
    assert plus_grid([], []).shape == (0, 2)


def test_infer_planes_recovers_noisy_walker_shells():
    rng = np.random.default_rng(4)
    shells = [walker(72, 22, 1, 550.0, 53.0), walker(72, 22, 1, 540.0, 53.2, raan0_deg=0.8)]
    shells.append(walker(6, 58, 0, 560.0, 97.6))
    r = np.concatenate([w[0] for w in shells])
    v = np.concatenate([w[1] for w in shells])
    true_shell = np.concatenate([np.full(len(w[2]), k) for k, w in enumerate(shells)])
    true_plane = np.concatenate([w[2] for w in shells])
    # Noise: 100 m in position and 0.1 m/s in velocity per axis (tilts normals by ~0.001°).
    r = r + rng.normal(scale=0.1, size=r.shape)
    v = v + rng.normal(scale=1e-4, size=v.shape)
    valid = np.ones(len(r), bool)
    valid[[5, 2000]] = False
    shell, plane, slot, u_deg = infer_planes(r, v, valid)
    # Shells are numbered by inclination: 53.0°, 53.2°, 97.6°.
    np.testing.assert_array_equal(shell[valid], true_shell[valid])
    np.testing.assert_array_equal(plane[valid], true_plane[valid])
    # Slots count from the lowest argument of latitude (mod 360°; Walker phasing pushes the
    # last satellites of high-numbered planes past 360°) among the valid satellites of a plane.
    true_u = np.concatenate([w[4] for w in shells]) % 360.0
    expected_slot = np.full(len(r), -1)
    for key in set(zip(true_shell[valid], true_plane[valid], strict=True)):
        members = np.flatnonzero(valid & (true_shell == key[0]) & (true_plane == key[1]))
        expected_slot[members[np.argsort(true_u[members])]] = np.arange(len(members))
    np.testing.assert_array_equal(slot[valid], expected_slot[valid])
    assert (
        (shell[~valid] == -1).all() and (plane[~valid] == -1).all() and (slot[~valid] == -1).all()
    )
    assert np.isnan(u_deg[~valid]).all()
    assert np.all((u_deg[valid] >= 0) & (u_deg[valid] < 360))


@pytest.fixture(scope="module")
def starlink_2022_08_17():
    text = (files("lifeline.data") / "starlink-2022-08-17.tle").read_text().splitlines()
    records = [Satrec.twoline2rv(text[k + 1], text[k + 2]) for k in range(0, len(text) - 2, 3)]
    jd, fr = jday(2022, 8, 17, 12, 0, 0.0)
    err, r, v = SatrecArray(records).sgp4(np.array([jd]), np.array([fr]))
    inclination_deg = np.degrees([rec.inclo for rec in records])
    return r[:, 0], v[:, 0], err[:, 0] == 0, inclination_deg


def test_infer_planes_on_real_starlink_2022(starlink_2022_08_17):
    r, v, valid, tle_inclination_deg = starlink_2022_08_17
    shell, plane, slot, u_deg = infer_planes(r, v, valid)
    sizes = np.bincount(shell[shell >= 0])
    main = np.argmax(sizes)
    # The largest shell is Gen1 shell 1 (550 km, 53.0°, references.md#constellation-shells); the
    # file has 2,746 sats.
    assert np.median(tle_inclination_deg[shell == main]) == pytest.approx(53.0, abs=0.1)
    plane_sizes = np.bincount(plane[shell == main])
    # references.md#constellation-shells: 72 planes × 22. Populated planes (>= 10 sats) found here:
    # 72. Some
    # drifting/deorbiting satellites form extra 1–2 satellite "planes".
    assert 70 <= np.sum(plane_sizes >= 10) <= 74
    assert np.all(plane_sizes[plane_sizes >= 10] <= 26)  # 22 + a few spares at most
    # The 53.2° shell (540 km, being filled in 2022) must not be merged into it.
    shell_53_2 = np.abs(tle_inclination_deg - 53.2) < 0.05
    assert not np.any(shell[shell_53_2] == main)
    edges = laser_grid(shell, plane, u_deg, r)
    assert np.bincount(edges.ravel()).max() <= 4
    assert np.all(shell[edges[:, 0]] == shell[edges[:, 1]])


def test_isl_lengths_broadcast_over_time():
    rng = np.random.default_rng(0)
    pos = rng.normal(size=(3, 10, 3)) * 7000.0
    edges = np.array([[0, 1], [2, 9], [3, 4]])
    got = isl_lengths_km(pos, edges)
    assert got.shape == (3, 3)
    expected = np.linalg.norm(pos[:, [0, 2, 3]] - pos[:, [1, 9, 4]], axis=-1)
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_isl_grazing_rule_matches_hypatia_length_limit():
    """Two satellites at 550 km whose chord is Hypatia's limit 2√((R+h)² − (R+80)²) graze
    exactly 80 km (Kassing et al., IMC 2020; references.md#isl-range: 5,017 km at 550 km)."""
    from lifeline.constants import WGS84_A_KM
    from lifeline.links.isl import isl_geometry

    r = WGS84_A_KM + 550.0
    half = np.sqrt(r**2 - (WGS84_A_KM + 80.0) ** 2)
    angle = np.arcsin(half / r)  # half the angle the chord subtends at the centre
    pos = np.array(
        [[r * np.cos(angle), r * np.sin(angle), 0.0], [r * np.cos(angle), -r * np.sin(angle), 0.0]]
    )
    length_km, grazing_km = isl_geometry(pos, np.array([[0, 1]]))
    assert length_km[0] == pytest.approx(2 * half, abs=1e-9)
    # Hypatia's limit at 550 km is quoted as 5,017 km (with R = 6378.135 km; the 2 m
    # difference in R moves the chord by under a metre).
    assert length_km[0] == pytest.approx(5017.0, abs=0.5)
    assert grazing_km[0] == pytest.approx(80.0, abs=1e-9)
    # A shorter chord clears higher; end points dominate when the foot falls outside.
    _, g2 = isl_geometry(np.array([[r, 0, 0], [r, 10.0, 0]]), np.array([[0, 1]]))
    assert g2[0] == pytest.approx(550.0, abs=1e-3)
