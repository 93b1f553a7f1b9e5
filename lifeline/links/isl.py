"""Inter-satellite links: the "+Grid" topology and, for real TLE sets, the planes it needs.

+Grid gives every satellite four laser links: to the satellites before and after it in its
own orbital plane, and to one satellite in each adjacent plane of the same shell (Kassing et
al., IMC 2020; Hypatia's ``generate_plus_grid_isls``). Walker shells come with plane and slot
numbers; for real TLEs :func:`infer_planes` recovers them from the orbit normals.

Assumption: giving every satellite a +Grid is an optimistic bound on May 2022. The v1.0
satellites of the 53.0° shell (launches up to 2021-044) had no lasers; the 70° shell carried them
from Sep 2021 and the 53.2° v1.5 shell from Nov 2021; the first users explicitly served over
lasers date from Sep 2022, and no public evidence shows lasers carrying user traffic over Europe or
Ukraine in May 2022 (references.md#laser-history).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from lifeline.constants import GM_EARTH_KM3_S2, J2_EARTH, WGS84_A_KM


def plus_grid(
    plane: ArrayLike,
    slot: ArrayLike,
    shell: ArrayLike | None = None,
    arg_latitude_deg: ArrayLike | None = None,
    isl_shift: int = 0,
) -> NDArray[np.intp]:
    """+Grid inter-satellite links.

    Within each shell, planes are taken in increasing plane number (the last one wraps to the
    first) and satellites within a plane in increasing slot (or argument of latitude; the last
    wraps to the first). Each satellite links to

    * the next satellite in its plane, and
    * one satellite in the next plane of its shell: without ``arg_latitude_deg``, the one
      whose slot is ``(slot + isl_shift) mod n_slots`` (``n_slots`` = largest slot in the
      shell + 1; no link if that satellite is absent), exactly Hypatia's convention; with
      ``arg_latitude_deg``, the one nearest in argument of latitude, but only if this
      satellite is in turn its nearest in this plane (mutual nearest neighbours), then
      ``isl_shift`` positions further along that plane. The latter suits real planes of
      unequal sizes: no satellite gets more than four links, some get fewer.

    A complete ``P × Q`` Walker shell (``P, Q >= 3``) gives ``2·P·Q`` edges, four per satellite.
    Satellites with a negative ``plane``, ``slot`` or ``shell`` (or a non-finite argument of
    latitude) get no links. Edges never join different shells.

    Parameters
    ----------
    plane : array_like of int, shape (S,)
        Plane number within the satellite's shell.
    slot : array_like of int, shape (S,)
        Position within the plane.
    shell : array_like of int, shape (S,), optional
        Shell number; all satellites are in shell 0 when omitted.
    arg_latitude_deg : array_like, shape (S,), optional
        Argument of latitude [deg], to pick cross-plane neighbours by proximity.
    isl_shift : int, optional
        Cross-plane offset along the next plane (Hypatia's ``isl_shift``), default 0.

    Returns
    -------
    ndarray of int, shape (E, 2)
        Satellite index pairs ``(a, b)`` with ``a < b``, unique, sorted.

    References
    ----------
    S. Kassing, D. Bhattacherjee, A. B. Águas, J. E. Saethre, A. Singla, "Exploring the
    'Internet from space' with Hypatia", ACM IMC 2020, §3 (+Grid); Hypatia
    ``satgenpy/satgen/isls/generate_plus_grid_isls.py``.
    """
    plane = np.asarray(plane, dtype=np.intp)
    slot = np.asarray(slot, dtype=np.intp)
    shell = np.zeros_like(plane) if shell is None else np.asarray(shell, dtype=np.intp)
    if plane.ndim != 1 or slot.shape != plane.shape or shell.shape != plane.shape:
        raise ValueError(
            f"plane, slot and shell must be 1-D of equal length; got shapes {plane.shape}, "
            f"{slot.shape}, {shell.shape}"
        )
    usable = (plane >= 0) & (slot >= 0) & (shell >= 0)
    if arg_latitude_deg is not None:
        arg_latitude_deg = np.asarray(arg_latitude_deg, dtype=float)
        if arg_latitude_deg.shape != plane.shape:
            raise ValueError(
                f"arg_latitude_deg has shape {arg_latitude_deg.shape}; expected {plane.shape}"
            )
        usable &= np.isfinite(arg_latitude_deg)
    member = np.flatnonzero(usable)
    if len(member) == 0:
        return np.empty((0, 2), dtype=np.intp)

    # Plane groups, numbered in (shell, plane) order; each group's successor wraps per shell.
    groups, group_id = np.unique(
        np.stack([shell[member], plane[member]], axis=1), axis=0, return_inverse=True
    )
    group_id = group_id.ravel()
    n_groups = len(groups)
    group_shell = groups[:, 0]
    shell_first_group = np.searchsorted(group_shell, group_shell, side="left")
    successor = np.arange(1, n_groups + 1)
    wraps = (successor == n_groups) | (
        group_shell[np.minimum(successor, n_groups - 1)] != group_shell
    )
    next_group = np.where(wraps, shell_first_group, successor)

    if arg_latitude_deg is None:
        along = slot[member]
    else:
        along = np.mod(arg_latitude_deg[member], 360.0)
        along = np.where(along >= 360.0, 0.0, along)  # keep [0, 360) (np.mod rounding)
    order = np.lexsort((along, group_id))
    sat_sorted = member[order]
    group_sorted = group_id[order]
    along_sorted = along[order]
    group_start = np.searchsorted(group_sorted, np.arange(n_groups))
    group_size = np.diff(np.append(group_start, len(order)))
    start = group_start[group_sorted]
    size = group_size[group_sorted]
    position = np.arange(len(order)) - start

    in_plane = np.stack([sat_sorted, sat_sorted[start + (position + 1) % size]], axis=1)

    target_group = next_group[group_sorted]
    target_start = group_start[target_group]
    target_size = group_size[target_group]
    if arg_latitude_deg is None:
        slot_sorted = slot[sat_sorted]
        _, shell_inverse = np.unique(shell[sat_sorted], return_inverse=True)
        n_slots = np.zeros(shell_inverse.max() + 1, dtype=np.intp)
        np.maximum.at(n_slots, shell_inverse, slot_sorted + 1)
        target_slot = (slot_sorted + isl_shift) % n_slots[shell_inverse]
        # Sorted by (group, slot): one key per satellite, looked up with searchsorted.
        key_base = int(slot_sorted.max()) + 1
        key = group_sorted * key_base + slot_sorted
        query = target_group * key_base + target_slot
        hit = np.minimum(np.searchsorted(key, query), len(key) - 1)
        found = key[hit] == query
        cross = np.stack([sat_sorted[found], sat_sorted[hit[found]]], axis=1)
    else:
        # Mutual nearest neighbours in argument of latitude between consecutive planes: keeps
        # every satellite at <= 4 links even next to a plane of very different size.
        previous_group = np.empty(n_groups, dtype=np.intp)
        previous_group[next_group] = np.arange(n_groups)
        key = group_sorted * 360.0 + along_sorted
        forward = _nearest_along(key, along_sorted, target_group, group_start, group_size)
        backward = _nearest_along(
            key, along_sorted, previous_group[group_sorted], group_start, group_size
        )
        forward_position = target_start + forward
        mutual = backward[forward_position] == position
        partner = target_start + (forward + isl_shift) % target_size
        cross = np.stack([sat_sorted[mutual], sat_sorted[partner[mutual]]], axis=1)

    edges = np.sort(np.concatenate([in_plane, cross]), axis=1)
    edges = edges[edges[:, 0] != edges[:, 1]]
    return np.unique(edges, axis=0)


def infer_planes(
    r_teme_km: ArrayLike,
    v_teme_km_s: ArrayLike,
    valid: ArrayLike,
    normal_tolerance_deg: float = 1.0,
    inclination_tolerance_deg: float = 0.05,
    altitude_tolerance_km: float = 15.0,
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Shells, planes and in-plane order of a real constellation from one state snapshot.

    1. Orbit normal ``h = r × v / |r × v|``, inclination, RAAN and argument of latitude ``u``
       of every valid satellite; semi-major axis from the vis-viva equation.
    2. The first-order J2 short-period terms of a circular orbit (Kozai 1959) are removed from
       the semi-major axis (amplitude ≈ 6 km at 550 km, 53°) and the inclination (≈ 0.02°),
       so satellites of one shell agree to well within the tolerances whatever their ``u``.
    3. Shells: single-linkage clusters of (mean inclination, mean altitude) at the given
       tolerances (KD-tree radius graph + connected components). "Altitude" is mean semi-major
       axis minus the WGS84 equatorial radius. Satellites still raising their orbit form their
       own small shells.
    4. Planes: single-linkage clusters of the orbit normals within ``normal_tolerance_deg`` of
       each other, inside each shell.
    5. Shells are numbered by mean inclination then altitude, planes within a shell by
       circular-mean RAAN in [0, 360), slots within a plane by ``u``.

    Parameters
    ----------
    r_teme_km : array_like, shape (S, 3)
        Positions in an inertial frame (TEME, as SGP4 gives them) [km].
    v_teme_km_s : array_like, shape (S, 3)
        Velocities in the same frame [km/s].
    valid : array_like of bool, shape (S,)
        Satellites to classify; the others (and non-finite states) get −1 and NaN.
    normal_tolerance_deg : float, optional
        Angle between orbit normals that links two satellites into one plane [deg]. Adjacent
        planes of a 72-plane, 53° shell are 5° apart in RAAN, i.e. ≈ 4° between normals.
    inclination_tolerance_deg : float, optional
        Mean-inclination gap that separates shells [deg] (53.0° and 53.2° are distinct).
    altitude_tolerance_km : float, optional
        Mean-altitude gap that separates shells [km].

    Returns
    -------
    shell : ndarray of int, shape (S,)
    plane : ndarray of int, shape (S,)
        Plane number within the shell.
    slot : ndarray of int, shape (S,)
        Position within the plane, by increasing argument of latitude.
    arg_latitude_deg : ndarray, shape (S,)
        Argument of latitude [deg], in [0, 360); NaN for invalid satellites.

    References
    ----------
    Y. Kozai, "The motion of a close earth satellite", Astron. J. 64, 367–377, 1959
    (first-order short-period perturbations in a and i). D. A. Vallado, "Fundamentals of
    Astrodynamics and Applications", 4th ed., 2013, Alg. 9 (RV2COE: node vector, RAAN,
    argument of latitude).
    """
    r = np.asarray(r_teme_km, dtype=float).reshape(-1, 3)
    v = np.asarray(v_teme_km_s, dtype=float).reshape(-1, 3)
    valid = np.asarray(valid, dtype=bool)
    if v.shape != r.shape or valid.shape != r.shape[:1]:
        raise ValueError(
            f"r_teme_km {r.shape}, v_teme_km_s {v.shape} and valid {valid.shape} must be "
            "(S, 3), (S, 3) and (S,)"
        )
    n_sats = len(r)
    shell = np.full(n_sats, -1, dtype=np.intp)
    plane = np.full(n_sats, -1, dtype=np.intp)
    slot = np.full(n_sats, -1, dtype=np.intp)
    arg_latitude_deg = np.full(n_sats, np.nan)
    h = np.cross(r, v)
    h_norm = np.linalg.norm(h, axis=1)
    idx = np.flatnonzero(
        valid & np.isfinite(r).all(axis=1) & np.isfinite(v).all(axis=1) & (h_norm > 0)
    )
    if len(idx) == 0:
        return shell, plane, slot, arg_latitude_deg
    r, v, normal = r[idx], v[idx], h[idx] / h_norm[idx, None]

    inclination = np.arccos(np.clip(normal[:, 2], -1.0, 1.0))
    node = np.stack([-normal[:, 1], normal[:, 0], np.zeros(len(idx))], axis=1)
    node_norm = np.linalg.norm(node, axis=1, keepdims=True)
    # Equatorial orbits have no node line: measure from the x axis instead.
    node = np.where(node_norm > 1e-12, node / np.maximum(node_norm, 1e-300), [1.0, 0.0, 0.0])
    raan = np.arctan2(node[:, 1], node[:, 0])
    u = np.arctan2(np.sum(np.cross(node, r) * normal, axis=1), np.sum(node * r, axis=1))
    radius_km = np.linalg.norm(r, axis=1)
    a_km = 1.0 / (2.0 / radius_km - np.sum(v * v, axis=1) / GM_EARTH_KM3_S2)
    j2_term = J2_EARTH * WGS84_A_KM**2 / a_km**2
    mean_altitude_km = (
        a_km - 1.5 * j2_term * a_km * np.sin(inclination) ** 2 * np.cos(2 * u) - WGS84_A_KM
    )
    mean_inclination_deg = np.degrees(
        inclination - 0.375 * j2_term * np.sin(2 * inclination) * np.cos(2 * u)
    )

    features = np.stack(
        [
            mean_inclination_deg / inclination_tolerance_deg,
            mean_altitude_km / altitude_tolerance_km,
        ],
        axis=1,
    )
    shell_label = _single_linkage(features, 1.0)
    plane_label = _single_linkage(
        # Unit normals are at most 2 apart; shells 4 apart on a 4th axis never link.
        np.concatenate([normal, 4.0 * shell_label[:, None]], axis=1),
        2.0 * np.sin(np.radians(normal_tolerance_deg) / 2.0),
    )

    # Shells by (mean inclination, mean altitude).
    n_shells = shell_label.max() + 1
    counts = np.bincount(shell_label, minlength=n_shells)
    shell_inc = np.bincount(shell_label, mean_inclination_deg, n_shells) / counts
    shell_alt = np.bincount(shell_label, mean_altitude_km, n_shells) / counts
    shell_rank = np.empty(n_shells, dtype=np.intp)
    shell_rank[np.lexsort((shell_alt, shell_inc))] = np.arange(n_shells)

    # Planes within a shell by circular-mean RAAN.
    n_planes = plane_label.max() + 1
    plane_raan = np.mod(
        np.arctan2(
            np.bincount(plane_label, np.sin(raan), n_planes),
            np.bincount(plane_label, np.cos(raan), n_planes),
        ),
        2 * np.pi,
    )
    plane_shell = np.empty(n_planes, dtype=np.intp)
    plane_shell[plane_label] = shell_rank[shell_label]
    by_shell_raan = np.lexsort((plane_raan, plane_shell))
    first_of_shell = np.searchsorted(plane_shell[by_shell_raan], plane_shell[by_shell_raan])
    plane_rank = np.empty(n_planes, dtype=np.intp)
    plane_rank[by_shell_raan] = np.arange(n_planes) - first_of_shell

    # Slots within a plane by argument of latitude.
    u_deg = np.mod(np.degrees(u), 360.0)
    u_deg = np.where(u_deg >= 360.0, 0.0, u_deg)
    by_plane_u = np.lexsort((u_deg, plane_label))
    first_of_plane = np.searchsorted(plane_label[by_plane_u], plane_label[by_plane_u])
    slot_sub = np.empty(len(idx), dtype=np.intp)
    slot_sub[by_plane_u] = np.arange(len(idx)) - first_of_plane

    shell[idx] = shell_rank[shell_label]
    plane[idx] = plane_rank[plane_label]
    slot[idx] = slot_sub
    arg_latitude_deg[idx] = u_deg
    return shell, plane, slot, arg_latitude_deg


def _nearest_along(
    key: NDArray[np.float64],
    along_deg: NDArray[np.float64],
    target_group: NDArray[np.intp],
    group_start: NDArray[np.intp],
    group_size: NDArray[np.intp],
) -> NDArray[np.intp]:
    """Position, within ``target_group``, of the satellite nearest in angle (circularly).

    ``key = group * 360 + angle`` is sorted, so the insertion point of each satellite's angle in
    the target group brackets its nearest neighbour there.
    """
    start = group_start[target_group]
    size = group_size[target_group]
    inserted = np.searchsorted(key, target_group * 360.0 + along_deg) - start
    below = (inserted - 1) % size
    above = inserted % size

    def gap_deg(position: NDArray[np.intp]) -> NDArray[np.float64]:
        diff = np.abs(along_deg - along_deg[start + position]) % 360.0
        return np.minimum(diff, 360.0 - diff)

    return np.where(gap_deg(above) < gap_deg(below), above, below)


def _single_linkage(points: NDArray[np.float64], radius: float) -> NDArray[np.intp]:
    """Connected components of the graph joining points closer than ``radius``."""
    n = len(points)
    pairs = cKDTree(points).query_pairs(radius, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1].astype(np.intp)


def isl_lengths_km(sat_ecef_km: ArrayLike, edges: ArrayLike) -> NDArray[np.float64]:
    """Length of each inter-satellite link.

    Parameters
    ----------
    sat_ecef_km : array_like, shape (..., S, 3)
        Satellite positions [km] (any common frame: lengths do not depend on it).
    edges : array_like of int, shape (E, 2)
        Satellite index pairs, e.g. from :func:`plus_grid`.

    Returns
    -------
    ndarray, shape (..., E)
        Euclidean distance between the two ends [km].

    References
    ----------
    Straight-line (chord) distance; light travels it in ``length_km / C_KM_S`` s in vacuum.
    """
    sat_ecef_km = np.asarray(sat_ecef_km, dtype=float)
    edges = np.asarray(edges, dtype=np.intp).reshape(-1, 2)
    diff = sat_ecef_km[..., edges[:, 0], :] - sat_ecef_km[..., edges[:, 1], :]
    return np.linalg.norm(diff, axis=-1)


def isl_geometry(
    sat_ecef_km: ArrayLike, edges: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Length of each laser link and the lowest altitude its straight path passes.

    Parameters
    ----------
    sat_ecef_km : array_like, shape (S, 3)
        Satellite positions [km], geocentric.
    edges : array_like of int, shape (E, 2)

    Returns
    -------
    length_km : ndarray, shape (E,)
        Chord length [km].
    grazing_altitude_km : ndarray, shape (E,)
        ``min over the segment of |p| − a`` [km], with ``a`` the WGS84 equatorial radius
        (a sphere of that radius bounds the ellipsoid, so the test is conservative).

    References
    ----------
    Closest point of a segment to the origin: the foot of the perpendicular,
    ``p = a + t (b − a)`` with ``t = −a·(b − a) / |b − a|²``, clipped to [0, 1]. Kassing et al.
    (IMC 2020, Hypatia) require ISL rays to stay above 80 km; for two satellites at one altitude
    h that is the length limit ``2 √((R + h)² − (R + 80 km)²)`` (5,017 km at 550 km,
    references.md#isl-range).
    """
    sat_ecef_km = np.asarray(sat_ecef_km, dtype=float)
    edges = np.asarray(edges, dtype=np.intp).reshape(-1, 2)
    a = sat_ecef_km[edges[:, 0]]
    d = sat_ecef_km[edges[:, 1]] - a
    dd = np.einsum("ij,ij->i", d, d)
    t = np.clip(-np.einsum("ij,ij->i", a, d) / np.where(dd > 0, dd, 1.0), 0.0, 1.0)
    closest = a + t[:, None] * d
    return np.sqrt(dd), np.linalg.norm(closest, axis=-1) - WGS84_A_KM
