"""Inter-satellite links: the "+Grid" topology and, for real TLE sets, the planes it needs.

+Grid gives every satellite four laser links: to the satellites before and after it in its
own orbital plane, and to one satellite in each adjacent plane of the same shell (Kassing et
al., IMC 2020; Hypatia's ``generate_plus_grid_isls``). Walker shells come with plane and slot
numbers (:func:`plus_grid`, Hypatia's rule exactly); for real TLEs :func:`infer_planes`
recovers them from the orbit normals and :func:`laser_grid` pairs each satellite with the
nearest in-range satellite of each adjacent plane at one instant (a minimum-length matching
per pair of planes, so planes of unequal sizes still link almost everyone).

Which satellites carry lasers at all follows the launch history (:func:`laser_capable`,
references.md#laser-history): none on the v1.0 satellites of the 53.0° shell, lasers on the
polar satellites from January 2021 and on every launch after May 2021; and lasers carried user
traffic only from September 2022 (:data:`LASERS_CARRY_USERS_FROM`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from lifeline.constants import GM_EARTH_KM3_S2, J2_EARTH, WGS84_A_KM


def plus_grid(
    plane: ArrayLike,
    slot: ArrayLike,
    shell: ArrayLike | None = None,
    isl_shift: int = 0,
) -> NDArray[np.intp]:
    """+Grid inter-satellite links.

    Within each shell, planes are taken in increasing plane number (the last one wraps to the
    first) and satellites within a plane in increasing slot (the last wraps to the first).
    Each satellite links to

    * the next satellite in its plane, and
    * one satellite in the next plane of its shell, the one whose slot is
      ``(slot + isl_shift) mod n_slots`` (``n_slots`` = largest slot in the shell + 1; no link
      if that satellite is absent), exactly Hypatia's convention. Real constellations, whose
      planes are of unequal sizes, take :func:`laser_grid` instead.

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

    order = np.lexsort((slot[member], group_id))
    sat_sorted = member[order]
    group_sorted = group_id[order]
    group_start = np.searchsorted(group_sorted, np.arange(n_groups))
    group_size = np.diff(np.append(group_start, len(order)))
    start = group_start[group_sorted]
    size = group_size[group_sorted]
    position = np.arange(len(order)) - start

    in_plane = np.stack([sat_sorted, sat_sorted[start + (position + 1) % size]], axis=1)

    target_group = next_group[group_sorted]
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


# --------------------------------------------------------------------------------------------
# Which satellites have lasers, and from when lasers carry users' traffic
# --------------------------------------------------------------------------------------------

#: The last launch without laser terminals on its 53°-class satellites, as (year, launch
#: number): 2021-044, the last v1.0 launch to the 53.0° / 550 km shell; every launch after it
#: (the 70° shell from 13 Sep 2021, the 53.2° / 540 km v1.5 shell from 13 Nov 2021, all
#: later ones) carried lasers (references.md#laser-history).
LAST_LASERLESS_LAUNCH = (2021, 44)

#: The first launch whose polar satellites carried lasers: Transporter-1, 2021-006, 24 Jan 2021
#: ("only our polar sats have lasers this year"; references.md#laser-history).
FIRST_POLAR_LASER_LAUNCH = (2021, 6)

#: Inclination above which a satellite counts as polar for :func:`laser_capable` [deg]: the
#: polar shells are at 97.6°, every other Starlink shell at 70° or below
#: (references.md#constellation-shells).
POLAR_MIN_INCLINATION_DEG = 80.0

#: The first public case of lasers carrying users' traffic: Starlink at McMurdo, Antarctica,
#: "enabled by Starlink's space laser network", 14 Sep 2022. Before it, measurement papers
#: still describe bent pipe to nearby gateways, and Musk said in Jan 2022 there were not yet
#: enough satellites with lasers to serve remote places (references.md#laser-history).
LASERS_CARRY_USERS_FROM = np.datetime64("2022-09-14T00:00:00", "ns")


def launch_number(intl_designator: Sequence[str]) -> NDArray[np.int64]:
    """``year × 1000 + launch number`` of each COSPAR designator ("YYNNNP..."), −1 if blank.

    Two-digit years 57–99 are 1957–1999 and 00–56 are 2000–2056 (the first launch was in 1957).

    References
    ----------
    COSPAR international designator, TLE line 1 columns 10–17 (CelesTrak, "FAQs: Two-Line
    Element Set Format").
    """
    out = np.full(len(intl_designator), -1, dtype=np.int64)
    for i, d in enumerate(intl_designator):
        d = d.strip()
        if len(d) >= 5 and d[:5].isdigit():
            yy = int(d[:2])
            out[i] = (1900 + yy if yy >= 57 else 2000 + yy) * 1000 + int(d[2:5])
    return out


def laser_capable(intl_designator: Sequence[str], inclination_deg: ArrayLike) -> NDArray[np.bool_]:
    """Whether each Starlink satellite carries laser terminals, from its launch and orbit.

    * launched after 2021-044: yes (70° shell from Sep 2021, 53.2° v1.5 from Nov 2021, later);
    * polar (inclination ≥ :data:`POLAR_MIN_INCLINATION_DEG`) launched from 2021-006: yes;
    * otherwise (v0.9 and v1.0 satellites of the 53.0° shell, launches up to 2021-044): no;
    * a blank or unreadable designator: no (nothing says it had lasers).

    Parameters
    ----------
    intl_designator : sequence of str, length S
        COSPAR designators as in TLE line 1 (e.g. ``"21044A"``; ``Satrec.intldesg``).
    inclination_deg : array_like, shape (S,)
        Orbit inclination [deg].

    Returns
    -------
    ndarray of bool, shape (S,)

    References
    ----------
    references.md#laser-history: first laser satellites 10 polar ones on Transporter-1, 24 Jan
    2021; first full laser batch 51 satellites, 13 Sep 2021 (70° shell); 53.2° / 540 km shell
    with lasers from Starlink 4-1, 13 Nov 2021; the v1.0 53.0° shell (launches Nov 2019 –
    May 2021, designators up to 2021-044) had none.
    """
    launch = launch_number(intl_designator)
    inclination_deg = np.asarray(inclination_deg, dtype=float)
    if inclination_deg.shape != launch.shape:
        raise ValueError(
            f"inclination_deg has shape {inclination_deg.shape}; expected ({len(launch)},)"
        )
    after = launch > LAST_LASERLESS_LAUNCH[0] * 1000 + LAST_LASERLESS_LAUNCH[1]
    polar = (inclination_deg >= POLAR_MIN_INCLINATION_DEG) & (
        launch >= FIRST_POLAR_LASER_LAUNCH[0] * 1000 + FIRST_POLAR_LASER_LAUNCH[1]
    )
    return (launch >= 0) & (after | polar)


def lasers_carry_users(time_utc: ArrayLike) -> NDArray[np.bool_]:
    """Whether, by the public record, Starlink lasers carried users' traffic at ``time_utc``.

    True from :data:`LASERS_CARRY_USERS_FROM` (14 Sep 2022) on; a run before it is bent pipe
    unless its scenario asks for lasers as a what-if.

    Parameters
    ----------
    time_utc : array_like of datetime64
    """
    return np.asarray(time_utc, dtype="datetime64[ns]") >= LASERS_CARRY_USERS_FROM


# --------------------------------------------------------------------------------------------
# +Grid on real constellations
# --------------------------------------------------------------------------------------------


def laser_grid(
    shell: ArrayLike,
    plane: ArrayLike,
    arg_latitude_deg: ArrayLike,
    sat_km: ArrayLike,
    max_range_km: float | None = None,
    max_plane_gap: int = 3,
) -> NDArray[np.intp]:
    """+Grid laser links of a real constellation at one instant.

    Every satellite with a plane (``plane >= 0``; give −1 to satellites without lasers) links

    * to the satellites before and after it in its plane (by argument of latitude, the last
      wrapping to the first), and
    * to one satellite in the planes ahead of it and one in the planes behind it, in its shell
      (planes in increasing number, the last wrapping to the first). Between two adjacent
      planes the satellites are paired by a minimum total-length matching (Hungarian
      algorithm), so each gets the nearest partner it can have without taking another's
      (mutual nearest neighbours leave far more satellites unlinked); satellites a smaller
      neighbouring plane left without a partner are then matched the same way with the free
      ones of the plane after it, up to ``max_plane_gap`` planes away. Each satellite keeps
      one laser terminal per direction, so no satellite gets more than four links;
    * links longer than ``max_range_km`` are not formed.

    Planes and shells come from :func:`infer_planes`; the matching uses the positions at this
    instant, so calling it again later re-forms links that broke (planes drift apart in
    phase when satellites are at slightly different altitudes).

    Parameters
    ----------
    shell, plane : array_like of int, shape (S,)
        Shell and plane within it (−1: no links).
    arg_latitude_deg : array_like, shape (S,)
        Argument of latitude [deg] (order within a plane).
    sat_km : array_like, shape (S, 3)
        Positions at the instant [km] (any Earth-centred frame).
    max_range_km : float, optional
        Longest link formed [km]; default no limit (the engine still applies its length and
        grazing rules at every step).
    max_plane_gap : int, optional
        How many planes ahead a cross-plane link may reach (1: adjacent planes only, the
        classic +Grid). Default 3 (assumption: enough to skip a one-satellite "plane" of a
        drifting satellite or a half-filled plane of a real shell).

    Returns
    -------
    ndarray of int, shape (E, 2)
        Satellite pairs ``(a, b)``, ``a < b``, unique, sorted. At most four per satellite.

    References
    ----------
    Kassing et al., IMC 2020, §3 (+Grid); H. W. Kuhn, "The Hungarian method for the assignment
    problem", Naval Res. Logist. Q. 2, 83–97, 1955 (``scipy.optimize.linear_sum_assignment``).
    """
    shell = np.asarray(shell, dtype=np.intp)
    plane = np.asarray(plane, dtype=np.intp)
    u_deg = np.asarray(arg_latitude_deg, dtype=float)
    sat_km = np.asarray(sat_km, dtype=float).reshape(-1, 3)
    if not (shell.shape == plane.shape == u_deg.shape == sat_km.shape[:1]):
        raise ValueError(
            f"shell {shell.shape}, plane {plane.shape}, arg_latitude_deg {u_deg.shape} and "
            f"sat_km {sat_km.shape} must describe the same satellites"
        )
    limit = np.inf if max_range_km is None else float(max_range_km)
    member = np.flatnonzero(
        (shell >= 0) & (plane >= 0) & np.isfinite(u_deg) & np.isfinite(sat_km).all(axis=1)
    )
    if len(member) == 0:
        return np.empty((0, 2), dtype=np.intp)
    groups, group_id = np.unique(
        np.stack([shell[member], plane[member]], axis=1), axis=0, return_inverse=True
    )
    group_id = group_id.ravel()
    order = np.lexsort((u_deg[member], group_id))
    sat_sorted, group_sorted = member[order], group_id[order]
    n_groups = len(groups)
    start = np.searchsorted(group_sorted, np.arange(n_groups))
    size = np.diff(np.append(start, len(order)))

    # In plane: each satellite to the next one along its plane.
    first = start[group_sorted]
    position = np.arange(len(order)) - first
    in_plane = np.stack(
        [sat_sorted, sat_sorted[first + (position + 1) % size[group_sorted]]], axis=1
    )

    group_shell = groups[:, 0]
    shell_start = np.searchsorted(group_shell, group_shell)
    shell_size = np.searchsorted(group_shell, group_shell, side="right") - shell_start

    # Across planes: each satellite has one laser terminal towards the planes ahead (higher
    # plane number, wrapping within the shell) and one towards those behind. Round k pairs the
    # still free forward terminals of every plane with the still free backward terminals of
    # the plane k ahead, by a minimum-length matching; round 1 is the classic +Grid, later
    # rounds link what unequal plane sizes (or a drifting satellite forming a plane of its
    # own) left over.
    free_ahead = np.ones(len(order), dtype=bool)
    free_behind = np.ones(len(order), dtype=bool)
    cross = []
    for k in range(1, max_plane_gap + 1):
        for g in np.flatnonzero(shell_size > k):
            h = shell_start[g] + (g - shell_start[g] + k) % shell_size[g]
            a = start[g] + np.flatnonzero(free_ahead[start[g] : start[g] + size[g]])
            b = start[h] + np.flatnonzero(free_behind[start[h] : start[h] + size[h]])
            if len(a) == 0 or len(b) == 0:
                continue
            dist = np.linalg.norm(
                sat_km[sat_sorted[a]][:, None] - sat_km[sat_sorted[b]][None], axis=-1
            )
            # Out-of-range pairs cost more than any in-range matching, so they are chosen
            # only where nothing else is left, and dropped.
            rows, cols = linear_sum_assignment(np.where(dist <= limit, dist, 1e9))
            keep = dist[rows, cols] <= limit
            free_ahead[a[rows[keep]]] = False
            free_behind[b[cols[keep]]] = False
            cross.append(np.stack([sat_sorted[a[rows[keep]]], sat_sorted[b[cols[keep]]]], axis=1))
    edges = np.concatenate([in_plane, *cross]) if cross else in_plane
    lengths = np.linalg.norm(sat_km[edges[:, 0]] - sat_km[edges[:, 1]], axis=1)
    edges = np.sort(edges[(edges[:, 0] != edges[:, 1]) & (lengths <= limit)], axis=1)
    return np.unique(edges, axis=0)


def laser_grid_schedule(
    r_teme_km: ArrayLike,
    v_teme_km_s: ArrayLike,
    valid: ArrayLike,
    capable: ArrayLike,
    max_range_km: float | None,
    min_grazing_altitude_km: float,
    max_plane_gap: int = 3,
) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """The +Grid of a real constellation re-formed at a series of epochs over a run.

    At each epoch the planes are inferred (:func:`infer_planes`) and the grid formed afresh
    (:func:`laser_grid`) from the states there, among the valid laser-capable satellites;
    links that break the length or grazing rule are not formed. So a link that broke since the
    previous epoch is replaced by the nearest partner the satellite can get now, and a
    satellite that drifted into another plane (orbit raising, a shell still being filled)
    links there. Between epochs the engine still drops, at every instant, a link that breaks
    the rules.

    Parameters
    ----------
    r_teme_km, v_teme_km_s : array_like, shape (K, S, 3)
        States at the K epochs in an inertial frame (TEME) [km, km/s].
    valid : array_like of bool, shape (K, S)
    capable : array_like of bool, shape (S,)
        Satellites with laser terminals (:func:`laser_capable`).
    max_range_km, min_grazing_altitude_km : float
        The link rules [km] (references.md#isl-range).
    max_plane_gap : int
        As :func:`laser_grid`.

    Returns
    -------
    edges : ndarray of int, shape (E, 2)
        Every link formed at some epoch, ``a < b``, unique, sorted.
    active : ndarray of bool, shape (K, E)
        Which links are formed from each epoch to the next.
    """
    r = np.asarray(r_teme_km, dtype=float)
    v = np.asarray(v_teme_km_s, dtype=float)
    valid = np.asarray(valid, dtype=bool) & np.asarray(capable, dtype=bool)[None, :]
    n_sats = r.shape[1]
    per_epoch = []
    for k in range(len(r)):
        shell, plane, _, u_deg = infer_planes(r[k], v[k], valid[k])
        formed = laser_grid(shell, plane, u_deg, r[k], max_range_km, max_plane_gap)
        _, grazing_km = isl_geometry(r[k], formed)
        formed = formed[grazing_km >= min_grazing_altitude_km]
        per_epoch.append(formed[:, 0].astype(np.int64) * n_sats + formed[:, 1])
    keys = np.unique(np.concatenate(per_epoch)) if per_epoch else np.zeros(0, np.int64)
    edges = np.stack(np.divmod(keys, n_sats), axis=1).astype(np.intp).reshape(-1, 2)
    active = np.array([np.isin(keys, k) for k in per_epoch], dtype=bool).reshape(-1, len(keys))
    return edges, active
