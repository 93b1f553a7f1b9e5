"""Laser capability by launch history, and the +Grid on real TLEs (lifeline.links.isl)."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sgp4.api import SatrecArray, jday

from lifeline.io.tle import filter_launched_by, read_tle
from lifeline.links.isl import (
    infer_planes,
    isl_geometry,
    laser_capable,
    laser_grid,
    laser_grid_schedule,
    lasers_carry_users,
)

# Hypatia's grazing rule at 550 km gives 5,017 km links (references.md#isl-range).
MAX_ISL_KM = 5017.0


def degrees_and_components(edges, members):
    """Links per satellite of ``members`` and the number of connected components among them."""
    n = int(max(members.max(), edges.max(initial=0))) + 1
    degree = np.bincount(edges.ravel(), minlength=n)[members]
    keep = np.isin(edges, members).all(axis=1)
    graph = coo_matrix((np.ones(keep.sum()), (edges[keep, 0], edges[keep, 1])), shape=(n, n))
    sub = graph.tocsr()[members][:, members]
    return degree, connected_components(sub, directed=False)[0]


def test_laser_capable_follows_launch_history():
    # references.md#laser-history: v1.0 53.0° launches up to 2021-044 had no lasers; polar
    # satellites from Transporter-1 (2021-006) did; the 70° shell (Sep 2021) and the 53.2°
    # shell (Starlink 4-1, Nov 2021) did.
    designators = ["19074A", "21044BK", "21006A", "21006B", "21082A", "21104A", "22049C", "", "x"]
    inclination = [53.0, 53.0, 97.5, 53.0, 70.0, 53.2, 53.2, 53.2, 53.2]
    assert laser_capable(designators, inclination).tolist() == [
        False, False, True, False, True, True, True, False, False,
    ]  # fmt: skip


def test_most_may_2022_satellites_had_no_lasers():
    """Of the 2,233 satellites the default scenario flies (launched by 2022-049), the v1.0
    53.0° ones, 68 % of them, had no lasers (references.md#laser-history)."""
    tles = read_tle(files("lifeline.data") / "starlink-2022-08-17.tle")
    tles = filter_launched_by(tles, "2022-049")
    inclination = np.degrees([s.inclo for s in tles.satrecs])
    capable = laser_capable(tles.intl_designator, inclination)
    assert len(tles) == 2233
    assert not capable[np.abs(inclination - 53.0) < 0.1].any()
    assert 1 - capable.mean() == pytest.approx(0.68, abs=0.01)


def test_lasers_carry_users_from_september_2022():
    # First explicit laser-served users: McMurdo, 14 Sep 2022 (references.md#laser-history).
    times = np.array(["2022-05-11T09:19:30", "2022-09-13T23:59:59", "2022-09-14T00:00:00"])
    assert lasers_carry_users(times.astype("datetime64[ns]")).tolist() == [False, False, True]


@pytest.fixture(scope="module")
def snapshot_2026():
    tles = read_tle(files("lifeline.data") / "starlink-2026-02-24.tle")
    jd, fr = jday(2026, 2, 24, 0, 0, 0.0)
    err, r, v = SatrecArray(list(tles.satrecs)).sgp4(np.array([jd]), np.array([fr]))
    valid = err[:, 0] == 0
    inclination = np.degrees([s.inclo for s in tles.satrecs])
    capable = laser_capable(tles.intl_designator, inclination)
    shell, plane, slot, u_deg = infer_planes(r[:, 0], v[:, 0], valid)
    return r[:, 0], shell, plane, slot, u_deg, capable, inclination


def test_laser_grid_holds_on_the_filled_53_2_shell(snapshot_2026):
    """The 540 km / 53.2° shell of the 2026 snapshot (Gen1 shell 2, filled since 2022):
    >= 90 % of its satellites get four links and its laser network is one component."""
    r, shell, plane, slot, u_deg, capable, inclination = snapshot_2026
    sizes = np.bincount(shell[shell >= 0])
    big = np.flatnonzero(sizes >= 1000)
    mean_inc = np.array([inclination[shell == s].mean() for s in big])
    target = big[np.argmin(np.abs(mean_inc - 53.2))]
    members = np.flatnonzero((shell == target) & capable)
    assert len(members) > 1300  # 72 planes x 22 = 1,584 filed (references.md#constellation-shells)
    edges = laser_grid(shell, np.where(capable, plane, -1), u_deg, r, max_range_km=MAX_ISL_KM)
    degree, n_components = degrees_and_components(edges, members)
    assert degree.max() <= 4
    assert np.mean(degree == 4) >= 0.90
    assert n_components == 1
    assert np.linalg.norm(r[edges[:, 0]] - r[edges[:, 1]], axis=1).max() <= MAX_ISL_KM


def walker_positions(planes, per_plane, altitude_km, inclination_deg, phase_deg=None):
    """Circular Walker-delta positions (phasing 1) [km], plane, u [deg]; ``phase_deg`` (P,)
    shifts each plane along its orbit."""
    p, s = np.divmod(np.arange(planes * per_plane), per_plane)
    shift = np.zeros(planes) if phase_deg is None else np.asarray(phase_deg)
    u = np.radians(360.0 * s / per_plane + 360.0 * p / (planes * per_plane) + shift[p])
    raan = np.radians(360.0 * p / planes)
    inc = np.radians(inclination_deg)
    radius = 6378.137 + altitude_km
    x = np.cos(raan) * np.cos(u) - np.sin(raan) * np.sin(u) * np.cos(inc)
    y = np.sin(raan) * np.cos(u) + np.cos(raan) * np.sin(u) * np.cos(inc)
    z = np.sin(u) * np.sin(inc)
    return radius * np.stack([x, y, z], axis=1), p, np.degrees(u) % 360.0


def test_laser_grid_on_a_walker_shell_is_a_full_plus_grid():
    r, plane, u_deg = walker_positions(72, 22, 550.0, 53.0)
    edges = laser_grid(np.zeros_like(plane), plane, u_deg, r)
    degree, n_components = degrees_and_components(edges, np.arange(len(plane)))
    np.testing.assert_array_equal(degree, 4)
    assert len(edges) == 2 * 72 * 22 and n_components == 1
    # Each cross-plane link joins a satellite to the nearest one of the next plane.
    cross = edges[plane[edges[:, 0]] != plane[edges[:, 1]]]
    for a, b in cross[:50]:
        nxt = np.flatnonzero(plane == plane[b])
        nearest = nxt[np.argmin(np.linalg.norm(r[nxt] - r[a], axis=1))]
        assert np.linalg.norm(r[b] - r[a]) == pytest.approx(np.linalg.norm(r[nearest] - r[a]))


def test_schedule_reforms_broken_links_over_a_day():
    """The 2022-08-17 snapshot (2,746 satellites) at 0, 12 and 24 h: a grid formed once loses
    links to the length and grazing rules (Hypatia's 80 km, 5,017 km at 550 km,
    references.md#isl-range) as satellites drift; re-formed at each epoch it keeps its share
    of four-link satellites, and never a link that breaks the rules."""
    tles = read_tle(files("lifeline.data") / "starlink-2022-08-17.tle")
    jd, fr = jday(2022, 8, 17, 0, 0, 0.0)
    err, r, v = SatrecArray(list(tles.satrecs)).sgp4(
        np.full(3, jd), fr + np.array([0.0, 0.5, 1.0])
    )
    r, v, valid = r.transpose(1, 0, 2), v.transpose(1, 0, 2), (err == 0).T
    inclination = np.degrees([s.inclo for s in tles.satrecs])
    capable = laser_capable(tles.intl_designator, inclination)
    edges, active = laser_grid_schedule(r, v, valid, capable, MAX_ISL_KM, 80.0)
    assert active.shape == (3, len(edges))
    members = np.flatnonzero(capable & valid.all(axis=0))

    def four_links(mask, k):
        length_km, grazing_km = isl_geometry(r[k], edges[mask])
        ok = (length_km <= MAX_ISL_KM) & (grazing_km >= 80.0)
        return np.mean(np.bincount(edges[mask][ok].ravel(), minlength=len(capable))[members] == 4)

    for k in range(3):
        length_km, grazing_km = isl_geometry(r[k], edges[active[k]])
        assert (length_km <= MAX_ISL_KM).all() and (grazing_km >= 80.0).all()
    fixed = four_links(active[0], 2)  # the first grid, usable links at 24 h
    reformed = four_links(active[2], 2)
    length_km, grazing_km = isl_geometry(r[2], edges[active[0]])
    assert np.sum((length_km > MAX_ISL_KM) | (grazing_km < 80.0)) > 0  # some broke by 24 h
    assert reformed >= four_links(active[0], 0) - 0.02
    assert reformed > fixed


def test_laser_grid_reforms_links_when_a_plane_drifts():
    """A plane that drifts half a slot along its orbit (a slightly different altitude does
    that within days) gets new cross-plane partners, again the nearest ones: calling the rule
    at the later instant re-forms the links that the drift stretched."""
    r0, plane, u_deg0 = walker_positions(12, 10, 550.0, 53.0)
    drift = np.zeros(12)
    drift[5] = 18.0  # half of 360/10
    r1, _, u_deg1 = walker_positions(12, 10, 550.0, 53.0, drift)
    before = laser_grid(np.zeros_like(plane), plane, u_deg0, r0)
    after = laser_grid(np.zeros_like(plane), plane, u_deg1, r1)
    touches_5 = (plane[before] == 5).any(axis=1) & (plane[before[:, 0]] != plane[before[:, 1]])
    stretched = np.linalg.norm(r1[before[touches_5, 0]] - r1[before[touches_5, 1]], axis=1)
    touches_5 = (plane[after] == 5).any(axis=1) & (plane[after[:, 0]] != plane[after[:, 1]])
    reformed = np.linalg.norm(r1[after[touches_5, 0]] - r1[after[touches_5, 1]], axis=1)
    assert not np.array_equal(before, after)
    assert reformed.sum() < stretched.sum()
    np.testing.assert_array_equal(np.bincount(after.ravel()), 4)


def test_laser_grid_respects_the_range_and_planes_without_lasers():
    r, plane, u_deg = walker_positions(6, 8, 550.0, 53.0)
    none = laser_grid(np.zeros_like(plane), np.where(plane == 2, -1, plane), u_deg, r, 10.0)
    assert len(none) == 0
    edges = laser_grid(np.zeros_like(plane), np.where(plane == 2, -1, plane), u_deg, r)
    assert not np.isin(np.flatnonzero(plane == 2), edges).any()
