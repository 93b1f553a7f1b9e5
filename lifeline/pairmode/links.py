"""The topology stage of pair mode: the usable ISLs and GSLs of each step (:class:`StepLinks`).

ISL lengths for the fixed edge list (``inf`` when longer than the maximum, grazing too low or
touching an invalid satellite); GSLs by range, measured only for the station-satellite
candidates of one KD-tree join per run of steps (or, with an elevation mask, the terminal
engine's visibility search per step, :func:`lifeline.links.gsl.find_visible`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from lifeline.constants import WGS84_A_KM
from lifeline.links.gsl import build_sat_tree, find_visible
from lifeline.links.isl import isl_geometry
from lifeline.network.dynamic import station_links
from lifeline.pairmode.network import TINY_KM, PairInputs


@dataclass(frozen=True)
class StepLinks:
    """The usable links of one time step (the topology stage's output).

    Attributes
    ----------
    isl_km : ndarray, shape (E,)
        Length of each ISL of :attr:`PairInputs.isl_edges` [km]; ``inf`` when not usable (an
        invalid satellite, longer than the maximum, grazing too low).
    gsl_start : ndarray of int64, shape (G + 1,)
        Station g's GSLs are ``gsl_start[g]:gsl_start[g + 1]`` of the two arrays below.
    gsl_sat : ndarray of int32, shape (L,)
    gsl_km : ndarray, shape (L,)
        GSL lengths [km].
    """

    isl_km: np.ndarray
    gsl_start: np.ndarray
    gsl_sat: np.ndarray
    gsl_km: np.ndarray


def step_links(prepared: PairInputs, r_km: np.ndarray, valid: np.ndarray) -> StepLinks:
    """The step's usable ISLs and GSLs.

    Parameters
    ----------
    prepared : PairInputs
    r_km : ndarray, shape (S, 3)
        Satellite positions in the stations' frame [km].
    valid : ndarray of bool, shape (S,)

    Returns
    -------
    StepLinks
        Lengths at least the smallest positive float (SciPy's sparse graphs take an explicit
        0 for "no edge"; both routers see the same lengths).
    """
    return next(block_links(prepared, r_km[None], valid[None]))


def block_links(prepared: PairInputs, r_km: np.ndarray, valid: np.ndarray) -> Iterator[StepLinks]:
    """The usable links of each of a block of steps, as :func:`step_links`.

    With the range rule alone (no elevation mask), the station-satellite pairs that can be in
    range are found once for a run of steps by one KD-tree join: a satellite that moves at most
    ``m`` km over the run can only be within ``L`` of a station at some step if it is within
    ``L + m`` at the run's first step (triangle inequality). Each step then measures only those
    candidates. Runs are cut so that ``m`` stays near :data:`_GSL_MARGIN_KM`.

    Parameters
    ----------
    prepared : PairInputs
    r_km : ndarray, shape (T, S, 3)
        Satellite positions in the stations' frame [km].
    valid : ndarray of bool, shape (T, S)

    Yields
    ------
    StepLinks
        One per step, in order.
    """
    n_steps = len(r_km)
    n_gs = len(prepared.site_km)
    if prepared.sites is not None:
        for i in range(n_steps):
            isl_km = _isl_lengths(prepared, r_km[i : i + 1], valid[i : i + 1])[0]
            gs, sat, gsl_km = _gsls_masked(prepared, r_km[i], valid[i])
            yield StepLinks(isl_km, *station_links(n_gs, gs, sat, np.maximum(gsl_km, TINY_KM)))
        return
    hypatia = prepared.network.conventions == "hypatia"
    first = 0
    while first < n_steps:
        stop = first + _run_length(r_km[first:], valid[first:])
        run_r_km, run_valid = r_km[first:stop], valid[first:stop]
        isl_km = _isl_lengths(prepared, run_r_km, run_valid)
        gs, sat = _gsl_candidates(prepared, run_r_km, run_valid)
        d = run_r_km[:, sat] - prepared.site_km[gs]
        gsl_km = np.sqrt(np.einsum("tij,tij->ti", d, d))
        max_km = prepared.max_gsl_km[gs]
        # pyephem returns the range as a C float in metres and Hypatia compares that.
        in_range = (np.float32(gsl_km * 1e3) <= max_km * 1e3) if hypatia else (gsl_km <= max_km)
        keep = run_valid[:, sat] & in_range
        for i in range(stop - first):
            # Candidates are sorted by station: grouping is a count.
            start = np.zeros(n_gs + 1, dtype=np.int64)
            np.cumsum(np.bincount(gs[keep[i]], minlength=n_gs), out=start[1:])
            yield StepLinks(isl_km[i], start, sat[keep[i]], np.maximum(gsl_km[i, keep[i]], TINY_KM))
        first = stop


def _isl_lengths(prepared: PairInputs, r_km: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """ISL lengths [km] at steps ``(T, S, 3)``, shape (T, E): ``inf`` where not usable."""
    net = prepared.network
    a, b = prepared.isl_edges[:, 0], prepared.isl_edges[:, 1]
    d = r_km[:, a] - r_km[:, b]
    isl_km = np.sqrt(np.einsum("tij,tij->ti", d, d))
    ok = valid[:, a] & valid[:, b] & (isl_km <= net.max_isl_km)
    if net.isl_min_grazing_altitude_km is not None and len(a):
        for i in range(len(r_km)):
            grazing_km = isl_geometry(r_km[i], prepared.isl_edges)[1]
            ok[i] &= grazing_km >= net.isl_min_grazing_altitude_km
    # C order: each step's row is handed to the router as is.
    return np.ascontiguousarray(np.where(ok, np.maximum(isl_km, TINY_KM), np.inf))


#: Largest satellite displacement [km] over a run of steps sharing GSL candidates (5 % of
#: Starlink-550's 1,089 km GSL limit: ~10 % more candidates to measure, one join per run).
_GSL_MARGIN_KM = 50.0


def _run_length(r_km: np.ndarray, valid: np.ndarray) -> int:
    """How many steps from the first can share GSL candidates (>= 1)."""
    if len(r_km) < 2:
        return len(r_km)
    both = valid[0] & valid[1]
    step_km = np.max(np.linalg.norm(r_km[1, both] - r_km[0, both], axis=-1), initial=0.0)
    if step_km == 0.0:
        return len(r_km)
    return int(np.clip(_GSL_MARGIN_KM // step_km, 1, len(r_km)))


def _gsl_candidates(
    prepared: PairInputs, r_km: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(station, satellite) pairs that can be within the GSL range at one of these steps,
    sorted by station then satellite.

    Satellites valid at every step: the triangle-inequality test against the first step;
    satellites valid at some steps only: paired with every station (rare: SGP4 failures, the
    altitude band); never valid: left out.
    """
    always = valid.all(axis=0)
    sometimes = np.flatnonzero(valid.any(axis=0) & ~always)
    sat_index = np.flatnonzero(always)
    ref = r_km[0, sat_index]
    moved_km = np.max(np.linalg.norm(r_km[:, sat_index] - ref, axis=-1), axis=0, initial=0.0)
    max_km = prepared.max_gsl_km
    # 1 m of slack: rounding in the inequality, and the float32 range of Hypatia's rule.
    slack_km = 1e-3
    sat_tree = cKDTree(ref, balanced_tree=False, compact_nodes=False)
    hits = prepared.site_tree.sparse_distance_matrix(
        sat_tree, float(max_km.max() + moved_km.max(initial=0.0)) + slack_km, output_type="ndarray"
    )
    gs, j = hits["i"].astype(np.int64), hits["j"]
    keep = hits["v"] <= max_km[gs] + moved_km[j] + slack_km
    gs = np.concatenate([gs[keep], np.repeat(np.arange(len(max_km)), len(sometimes))])
    sat = np.concatenate([sat_index[j[keep]], np.tile(sometimes, len(max_km))])
    by = np.lexsort((sat, gs))
    return gs[by], sat[by].astype(np.int32)


def _gsls_masked(
    prepared: PairInputs, r_km: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(station, satellite, length [km]) of the usable GSLs under an elevation mask (the
    terminal engine's geodetic visibility) and the range rule."""
    max_km = prepared.max_gsl_km
    tree = build_sat_tree(r_km, valid)
    finite = max_km[np.isfinite(max_km)]
    visible = find_visible(
        prepared.sites,
        tree,
        r_km,
        max(tree.max_radius_km - WGS84_A_KM, 0.0),
        max_range_km=float(finite.max()) if len(finite) else None,
    )
    gs, sat, gsl_km = visible.site.astype(np.int64), visible.sat, visible.range_km
    keep = gsl_km <= max_km[gs]
    return gs[keep], sat[keep], gsl_km[keep]
