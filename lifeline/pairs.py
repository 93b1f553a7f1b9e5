"""Pair mode: shortest paths over ISLs between ground stations, RTT per pair per time step.

This is what Hypatia computes (Kassing et al., IMC 2020): at each time step, for every pair of
ground stations, the shortest path ``src GS → satellite → … (ISLs) … → satellite → dst GS``,
with ground stations as path end points only (Hypatia's default
``algorithm_free_one_only_over_isls``), and its RTT = 2 × length / c.

Node numbering is Hypatia's: satellites ``0..S-1``, ground station ``g`` is node ``S + g``.

How one step is computed (stages timed by :class:`StageTimes`):

1. **propagation**: SGP4 for all satellites at a block of steps at once, rotated into the frame
   of the ground stations (:mod:`lifeline.orbits.libastro` in the ``"hypatia"`` conventions).
2. **topology** (:func:`block_links`): ISL lengths for the fixed +Grid edge list (``inf`` when
   longer than the maximum, grazing too low or touching an invalid satellite); GSLs by range,
   measured only for the station-satellite candidates of one KD-tree join per run of steps
   (or, with an elevation mask, the terminal engine's visibility search per step).
3. **routing**: by default :class:`lifeline.network.dynamic.DynamicRouter`, one shortest-path
   tree per source station carried from step to step and repaired; with
   ``router="dijkstra"`` (:func:`solve_step`, the reference) one SciPy Dijkstra per source
   station on a graph with each station twice, as a source-only node (station → satellite)
   and a sink-only node (satellite → station), so no path relays through a station. Both give
   the same lengths bit for bit, and paths traced back from the trees.
4. **output**: an Arrow batch per block of steps, built and appended to the Parquet table by a
   background thread while the next block is computed.

References
----------
S. Kassing, D. Bhattacherjee, A. B. Águas, J. E. Saethre, A. Singla, "Exploring the 'Internet
from space' with Hypatia", ACM IMC 2020; Hypatia ``satgenpy/satgen/dynamic_state/
fstate_calculation.py`` (ground stations as end points), ``post_analysis/analyze_rtt.py``
(RTT = 2 × path length / c).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from sgp4.api import Satrec

from lifeline.config import Scenario
from lifeline.constants import C_KM_S, WGS84_A_KM
from lifeline.errors import LifelineError
from lifeline.geo import geodetic_to_ecef_km
from lifeline.io.hypatia import HypatiaNetwork
from lifeline.links.gsl import SiteSet, build_sat_tree, find_visible
from lifeline.links.isl import isl_geometry
from lifeline.network.dynamic import DynamicRouter, station_links
from lifeline.orbits.libastro import (
    libastro_gmst_rad,
    libastro_satrecs,
    libastro_site_km,
    rotate_to_earth_fixed,
)
from lifeline.orbits.propagate import propagate_ecef, propagate_teme
from lifeline.results import PAIRS_SCHEMA, _temp_beside, write_json
from lifeline.time import sgp4_jd, to_datetime64

__all__ = [
    "PairNetwork",
    "PairSelectionError",
    "PairStep",
    "Router",
    "StageTimes",
    "StepLinks",
    "block_links",
    "prepare",
    "resolve_pairs",
    "route_dijkstra",
    "run_pairs",
    "run_scenario_pairs",
    "scenario_network",
    "solve_step",
    "step_links",
]

logger = logging.getLogger(__name__)

Conventions = Literal["hypatia", "lifeline"]

#: Speed of light [m/s] as Hypatia uses it (SI value).
_MS_PER_KM_ROUND_TRIP = 2.0 * 1e3 / C_KM_S
#: The stages of a step, in order (:class:`StageTimes`).
_STAGES = ("propagation", "topology", "routing", "output")
#: Routers: SciPy's Dijkstra per step (the reference) or the trees carried between steps.
Router = Literal["dynamic", "dijkstra"]
#: Parquet options of pairs.parquet: dictionary pages only for the station names (times, RTTs
#: and paths gain nothing from them), RTTs byte-stream-split (their bytes compress better
#: grouped): 44 % smaller than the defaults and written faster (docs/benchmarks.md).
_PARQUET_OPTIONS = {
    "compression": "zstd",
    "use_dictionary": ["src", "dst"],
    "column_encoding": {"rtt_ms": "BYTE_STREAM_SPLIT"},
}
#: Shortest link length [km]: 0 is "no edge" in SciPy's sparse graphs.
_TINY_KM = np.finfo(float).tiny


class PairSelectionError(LifelineError):
    """A requested pair names an unknown ground station.

    Attributes
    ----------
    value : str
        The bad pair text or name.
    allowed : str
    """

    def __init__(self, value: str, allowed: str) -> None:
        self.value = value
        self.allowed = allowed
        super().__init__(f"pairs: {value!r}: {allowed}")


@dataclass(frozen=True)
class PairNetwork:
    """Everything fixed for a pair-mode run.

    Attributes
    ----------
    satrecs : list of sgp4.api.Satrec
        Satellites (node ids 0..S-1).
    isl_edges : ndarray of int, shape (E, 2)
    gs_names : list of str
    gs_lat_deg, gs_lon_deg, gs_elevation_m : ndarray, shape (G,)
    max_gsl_km : float or ndarray, shape (G,)
        GSL length limit [km] (Hypatia's rule: range only), per station or for all; may be
        inf with the ``"lifeline"`` conventions when an elevation mask bounds the links.
    max_isl_km : float
        ISLs longer than this are not usable [km] (inf: no limit).
    epoch_utc : numpy.datetime64
        Time 0.
    conventions : {"hypatia", "lifeline"}
        ``"hypatia"``: pyephem/libastro distances (:mod:`lifeline.orbits.libastro`);
        ``"lifeline"``: SGP4 + GMST 1982 with UT1, WGS84 stations (as the terminal engine).
    min_elevation_deg : float, ndarray of shape (G,), or None
        Optional elevation mask [deg] besides the range rule, geodetic as in the terminal
        engine (``"lifeline"`` conventions only).
    isl_min_grazing_altitude_km : float or None
        ISLs whose straight path dips below this altitude are not usable [km]
        (:func:`lifeline.links.isl.isl_geometry`); None: length rule only.
    altitude_band_km : (float, float) or None
        Satellites outside this band (|r| − WGS84 a, as :class:`Ephemeris`) are left out
        [km]; None: only SGP4 failures are.
    """

    satrecs: list[Satrec]
    isl_edges: np.ndarray
    gs_names: list[str]
    gs_lat_deg: np.ndarray
    gs_lon_deg: np.ndarray
    gs_elevation_m: np.ndarray
    max_gsl_km: float
    max_isl_km: float
    epoch_utc: np.datetime64
    conventions: Conventions = "hypatia"
    min_elevation_deg: float | np.ndarray | None = None
    isl_min_grazing_altitude_km: float | None = None
    altitude_band_km: tuple[float, float] | None = None

    @property
    def n_sats(self) -> int:
        return len(self.satrecs)

    @classmethod
    def from_hypatia(cls, network: HypatiaNetwork) -> PairNetwork:
        """A pair network from a Hypatia directory, in Hypatia's conventions."""
        gs = network.ground_stations
        return cls(
            satrecs=list(network.tles.satrecs),
            isl_edges=network.isls,
            gs_names=list(gs.names),
            gs_lat_deg=gs.lat_deg,
            gs_lon_deg=gs.lon_deg,
            gs_elevation_m=gs.elevation_m,
            max_gsl_km=network.max_gsl_length_m / 1e3,
            max_isl_km=network.max_isl_length_m / 1e3,
            epoch_utc=network.tles.epoch_utc,
            conventions="hypatia",
        )


@dataclass
class Prepared:
    """What :func:`prepare` builds once: propagation records and the static station set."""

    network: PairNetwork
    satrecs: list[Satrec]
    site_km: np.ndarray
    site_tree: cKDTree
    isl_edges: np.ndarray
    max_gsl_km: np.ndarray
    sites: SiteSet | None


def prepare(network: PairNetwork) -> Prepared:
    """Build what stays the same over a run (station tree, rounded elements)."""
    lat, lon, elev = network.gs_lat_deg, network.gs_lon_deg, network.gs_elevation_m
    if network.conventions == "hypatia":
        satrecs = libastro_satrecs(network.satrecs)
        site_km = libastro_site_km(lat, lon, elev)
    else:
        satrecs = list(network.satrecs)
        site_km = geodetic_to_ecef_km(lat, lon, elev)
    site_km = np.asarray(site_km, dtype=float).reshape(-1, 3)
    edges = np.asarray(network.isl_edges, dtype=np.int64).reshape(-1, 2)
    n_gs = len(site_km)
    max_gsl_km = np.broadcast_to(np.asarray(network.max_gsl_km, dtype=float), (n_gs,)).copy()
    sites = None
    if network.conventions == "lifeline" and network.min_elevation_deg is not None:
        # The terminal engine's visibility: exact geodetic elevation against each mask.
        sites = SiteSet.prepare(site_km, lat, lon, network.min_elevation_deg)
    elif not np.isfinite(max_gsl_km).all():
        raise PairSelectionError(
            f"max_gsl_km = {network.max_gsl_km}", "finite when there is no elevation mask"
        )
    return Prepared(network, satrecs, site_km, cKDTree(site_km), edges, max_gsl_km, sites)


def positions_km(prepared: Prepared, times_utc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Satellite positions in the stations' frame at the given instants.

    Returns
    -------
    r_km : ndarray, shape (T, S, 3)
    valid : ndarray of bool, shape (T, S)
        False where SGP4 failed.
    """
    times = np.asarray(times_utc).astype("datetime64[ns]")
    if prepared.network.conventions == "hypatia":
        r_teme_km, _, error = propagate_teme(prepared.satrecs, times)
        theta = libastro_gmst_rad(*sgp4_jd(times))
        r_km = rotate_to_earth_fixed(r_teme_km, theta)
    else:
        r_km, _, error = propagate_ecef(prepared.satrecs, times)
    valid = (error == 0) & np.isfinite(r_km).all(axis=-1)
    band = prepared.network.altitude_band_km
    if band is not None:
        with np.errstate(invalid="ignore"):
            altitude_km = np.linalg.norm(r_km, axis=-1) - WGS84_A_KM
        valid &= (altitude_km >= band[0]) & (altitude_km <= band[1])
    return r_km, valid


@dataclass(frozen=True)
class PairStep:
    """Shortest paths of one time step.

    Attributes
    ----------
    length_km : ndarray, shape (P,)
        One-way path length per requested pair [km]; inf when not connected.
    path : list of ndarray
        Node ids src .. dst per pair (empty when not connected).
    """

    length_km: np.ndarray
    path_flat: np.ndarray
    path_offsets: np.ndarray

    @property
    def rtt_ms(self) -> np.ndarray:
        """RTT [ms], NaN where not connected."""
        with np.errstate(invalid="ignore"):
            rtt = self.length_km * _MS_PER_KM_ROUND_TRIP
        return np.where(np.isfinite(rtt), rtt, np.nan)

    @property
    def hops(self) -> np.ndarray:
        """Links per path (−1 when not connected)."""
        return np.diff(self.path_offsets) - 1

    def path(self, k: int) -> list[int]:
        return self.path_flat[self.path_offsets[k] : self.path_offsets[k + 1]].tolist()


@dataclass
class StageTimes:
    """Wall time spent per stage [s], summed over steps.

    ``output`` is what the main thread spends on the output (waiting for the writer thread);
    ``writing`` is that thread's own time (building the Arrow batch and writing it), overlapped
    with the next block's propagation, topology and routing, so not in the total.
    ``first_routing`` is the first step's routing (included in ``routing``): with the dynamic
    router it is a full Dijkstra per source, later steps only repair.
    """

    propagation: float = 0.0
    topology: float = 0.0
    routing: float = 0.0
    output: float = 0.0
    writing: float = 0.0
    first_routing: float = 0.0
    steps: int = 0

    def per_step_ms(self) -> dict[str, float]:
        """Per-step means [ms]: the four stages, their total, the background writing."""
        n = max(self.steps, 1)
        out = {k: 1e3 * getattr(self, k) / n for k in _STAGES}
        out["total"] = sum(out.values())
        out["writing_background"] = 1e3 * self.writing / n
        return out


@dataclass(frozen=True)
class StepLinks:
    """The usable links of one time step (the topology stage's output).

    Attributes
    ----------
    isl_km : ndarray, shape (E,)
        Length of each ISL of :attr:`Prepared.isl_edges` [km]; ``inf`` when not usable (an
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


def step_links(prepared: Prepared, r_km: np.ndarray, valid: np.ndarray) -> StepLinks:
    """The step's usable ISLs and GSLs.

    Parameters
    ----------
    prepared : Prepared
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


def block_links(prepared: Prepared, r_km: np.ndarray, valid: np.ndarray) -> Iterator[StepLinks]:
    """The usable links of each of a block of steps, as :func:`step_links`.

    With the range rule alone (no elevation mask), the station-satellite pairs that can be in
    range are found once for a run of steps by one KD-tree join: a satellite that moves at most
    ``m`` km over the run can only be within ``L`` of a station at some step if it is within
    ``L + m`` at the run's first step (triangle inequality). Each step then measures only those
    candidates. Runs are cut so that ``m`` stays near :data:`_GSL_MARGIN_KM`.

    Parameters
    ----------
    prepared : Prepared
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
            yield StepLinks(isl_km, *station_links(n_gs, gs, sat, np.maximum(gsl_km, _TINY_KM)))
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
            yield StepLinks(
                isl_km[i], start, sat[keep[i]], np.maximum(gsl_km[i, keep[i]], _TINY_KM)
            )
        first = stop


def _isl_lengths(prepared: Prepared, r_km: np.ndarray, valid: np.ndarray) -> np.ndarray:
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
    return np.ascontiguousarray(np.where(ok, np.maximum(isl_km, _TINY_KM), np.inf))


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
    prepared: Prepared, r_km: np.ndarray, valid: np.ndarray
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


def _graph(prepared: Prepared, links: StepLinks) -> tuple[sp.csr_matrix, int, int]:
    """The step's directed graph: sats, station sources (S+g), station sinks (S+G+g)."""
    n_sats = prepared.network.n_sats
    n_gs = len(prepared.site_km)
    usable = np.isfinite(links.isl_km)
    a, b = prepared.isl_edges[usable, 0], prepared.isl_edges[usable, 1]
    isl_km = links.isl_km[usable]
    gs = np.repeat(np.arange(n_gs), np.diff(links.gsl_start))
    sat = links.gsl_sat
    rows = np.concatenate([a, b, n_sats + gs, sat])
    cols = np.concatenate([b, a, sat, n_sats + n_gs + gs])
    weights = np.concatenate([isl_km, isl_km, links.gsl_km, links.gsl_km])
    n = n_sats + 2 * n_gs
    csr = sp.csr_matrix((weights, (rows, cols)), shape=(n, n))
    return csr, n_sats, n_gs


def _gsls_masked(
    prepared: Prepared, r_km: np.ndarray, valid: np.ndarray
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


def solve_step(
    prepared: Prepared,
    r_km: np.ndarray,
    valid: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
) -> PairStep:
    """Shortest paths for the pairs (src[k], dst[k]) at one instant, by SciPy's Dijkstra.

    The reference router: a fresh Dijkstra per source station, nothing kept between steps.
    :class:`lifeline.network.dynamic.DynamicRouter` (``run_pairs(router="dynamic")``) gives
    the same lengths bit for bit, and the same paths except between paths of exactly equal
    length.

    Parameters
    ----------
    prepared : Prepared
    r_km : ndarray, shape (S, 3)
        Satellite positions in the stations' frame [km].
    valid : ndarray of bool, shape (S,)
    src, dst : ndarray of int, shape (P,)
        Ground-station ids.

    Returns
    -------
    PairStep
    """
    return route_dijkstra(prepared, step_links(prepared, r_km, valid), src, dst)


def route_dijkstra(
    prepared: Prepared, links: StepLinks, src: np.ndarray, dst: np.ndarray
) -> PairStep:
    """The routing stage of :func:`solve_step`: one SciPy Dijkstra per source station."""
    csr, n_sats, n_gs = _graph(prepared, links)
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    sources, src_row = np.unique(src, return_inverse=True)
    dist, pred = dijkstra(csr, directed=True, indices=n_sats + sources, return_predecessors=True)
    sink = n_sats + n_gs + dst
    length_km = dist[src_row, sink]

    # Trace all paths back from the sink at once: column h holds the h-th node from the end.
    n_pairs = len(src)
    reachable = np.isfinite(length_km)
    current = np.where(reachable, sink, -1)
    columns = [current]
    active = reachable.copy()
    start = n_sats + src
    for _ in range(n_sats + 2):
        if not active.any():
            break
        step = np.where(active, pred[src_row, np.maximum(current, 0)], -1)
        columns.append(step)
        current = step
        active &= current != start
    nodes_back = np.stack(columns, axis=1)
    count = np.count_nonzero(nodes_back >= 0, axis=1)
    # Sink nodes carry the station's Hypatia id.
    nodes_back = np.where(nodes_back >= n_sats + n_gs, nodes_back - n_gs, nodes_back)
    offsets = np.zeros(n_pairs + 1, dtype=np.int64)
    np.cumsum(count, out=offsets[1:])
    row = np.repeat(np.arange(n_pairs), count)
    position = np.arange(offsets[-1]) - offsets[row]
    flat = nodes_back[row, count[row] - 1 - position].astype(np.int32)
    return PairStep(length_km=length_km, path_flat=flat, path_offsets=offsets)


def resolve_pairs(selection: str | Sequence[str] | None, names: Sequence[str]) -> np.ndarray:
    """Turn a pair selection into (P, 2) ground-station ids.

    Parameters
    ----------
    selection : "all", None, a comma-separated string or a list of "A-B" items
        ``"all"`` (or None): every unordered pair (i < j). An item is ``"SRC-DST"`` or
        ``"SRC->DST"`` with names or ids; names may themselves contain '-' (the split that
        gives two known names is used). A name written ``"Local-(English)"`` in Hypatia's city
        list also answers to either part (``"Moscow"`` for ``"Moskva-(Moscow)"``).
    names : sequence of str
        Ground-station names (index = id).

    Raises
    ------
    PairSelectionError
        Unknown names, a station paired with itself, or an ambiguous item.
    """
    n = len(names)
    if selection is None or (isinstance(selection, str) and selection.strip() == "all"):
        i, j = np.triu_indices(n, k=1)
        return np.stack([i, j], axis=1).astype(np.int64)
    items = selection.split(",") if isinstance(selection, str) else list(selection)
    index = {name: k for k, name in enumerate(names)}
    # Hypatia's city list writes "Moskva-(Moscow)": either part names the station too.
    aliases: dict[str, list[int]] = {}
    for k, name in enumerate(names):
        if name.endswith(")") and "-(" in name:
            local, _, other = name[:-1].partition("-(")
            for alias in (local, other):
                aliases.setdefault(alias, []).append(k)
    for alias, ks in aliases.items():
        if alias not in index and len(ks) == 1:
            index[alias] = ks[0]

    def lookup(token: str) -> int | None:
        token = token.strip()
        if token in index:
            return index[token]
        if token.isdigit() and int(token) < n:
            return int(token)
        return None

    out = []
    for item in items:
        text = item.strip()
        if not text:
            continue
        sep = "->" if "->" in text else "-"
        parts = text.split(sep)
        found = []
        for cut in range(1, len(parts)):
            a, b = lookup(sep.join(parts[:cut])), lookup(sep.join(parts[cut:]))
            if a is not None and b is not None:
                found.append((a, b))
        if len(found) != 1:
            hint = ", ".join(names[:5]) + (", ..." if n > 5 else "")
            why = "ambiguous" if found else "unknown ground station"
            raise PairSelectionError(
                text, f"'SRC-DST' with two ground-station names or ids ({why}; names: {hint})"
            )
        a, b = found[0]
        if a == b:
            raise PairSelectionError(text, "two different ground stations")
        out.append((a, b))
    if not out:
        raise PairSelectionError(str(selection), "'all' or at least one 'SRC-DST' pair")
    return np.array(out, dtype=np.int64)


@dataclass
class RunResult:
    """What :func:`run_pairs` returns."""

    path: Path
    n_steps: int
    n_pairs: int
    times: StageTimes = field(default_factory=StageTimes)


def _batch(
    network: PairNetwork,
    times_utc: np.ndarray,
    time_s: np.ndarray,
    pairs: np.ndarray,
    steps: list[PairStep],
) -> pa.Table:
    n_pairs = len(pairs)
    n_steps = len(steps)
    length = np.concatenate([s.length_km for s in steps])
    connected = np.isfinite(length)
    rtt = np.where(connected, length * _MS_PER_KM_ROUND_TRIP, np.nan)
    counts = np.concatenate([np.diff(s.path_offsets) for s in steps])
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    flat = np.concatenate([s.path_flat for s in steps]).astype(np.int32, copy=False)
    src_codes = np.tile(pairs[:, 0].astype(np.int32), n_steps)
    dst_codes = np.tile(pairs[:, 1].astype(np.int32), n_steps)
    dictionary = _arrow_strings(network.gs_names)
    utc_ns = np.repeat(times_utc.astype("datetime64[ns]").view(np.int64), n_pairs)
    hops = np.where(connected, counts - 1, 0).astype(np.int16)
    columns = [
        _arrow(PAIRS_SCHEMA.field("time_utc").type, utc_ns),
        _arrow(pa.float64(), np.repeat(time_s, n_pairs).astype(float)),
        pa.DictionaryArray.from_arrays(_arrow(pa.int32(), src_codes), dictionary),
        pa.DictionaryArray.from_arrays(_arrow(pa.int32(), dst_codes), dictionary),
        _arrow(pa.int32(), src_codes),
        _arrow(pa.int32(), dst_codes),
        _arrow(pa.bool_(), connected),
        _arrow(pa.float64(), rtt),
        _arrow(pa.int16(), hops, valid=connected),
        pa.ListArray.from_arrays(_arrow(pa.int32(), offsets), _arrow(pa.int32(), flat)),
    ]
    return pa.Table.from_arrays(columns, schema=PAIRS_SCHEMA)


def _arrow(type_: pa.DataType, values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """An Arrow array over a NumPy array's memory (``valid``: False → null).

    Built from buffers: pyarrow's NumPy conversion (``pa.array``) imports pandas the first time
    it runs, 0.3-0.6 s per process.
    """
    n = len(values)
    if type_ == pa.bool_():
        values = np.packbits(values, bitorder="little")
    elif values.dtype.itemsize * 8 != type_.bit_width:
        raise TypeError(f"{values.dtype} values for an Arrow {type_} array")
    bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(type_, n, [bitmap, pa.py_buffer(np.ascontiguousarray(values))])


def _arrow_strings(names: Sequence[str]) -> pa.Array:
    """An Arrow string array, from buffers as :func:`_arrow`."""
    encoded = [name.encode() for name in names]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), data])


def _write(writer: pq.ParquetWriter, table: Callable[[], pa.Table]) -> float:
    """Build a batch and write it (in the writer thread; pyarrow releases the GIL while it
    encodes and compresses); seconds spent."""
    t0 = time.perf_counter()
    writer.write_table(table())
    return time.perf_counter() - t0


def _json_limit(value_km: float | np.ndarray) -> float | list | None:
    """A length limit for JSON: None where there is none (inf)."""
    array = np.asarray(value_km, dtype=float)
    out = np.where(np.isfinite(array), array, np.nan).tolist()
    return [None if v != v else v for v in out] if array.ndim else (None if out != out else out)


def run_pairs(
    network: PairNetwork,
    duration_s: float,
    step_s: float,
    pairs: np.ndarray,
    out_dir: str | Path,
    progress: Callable[[int, int], None] | None = None,
    block_steps: int = 100,
    source: str = "",
    router: Router = "dynamic",
) -> RunResult:
    """Compute all requested pairs at every step and write ``out_dir/pairs.parquet``.

    Steps are at ``k · step_s`` for ``0 <= k < duration_s / step_s`` (the end is excluded, as
    in Hypatia's ``range(0, end, step)``), from ``network.epoch_utc``.

    Parameters
    ----------
    network : PairNetwork
    duration_s, step_s : float
        Window and step [s], step > 0 and a whole number of nanoseconds.
    pairs : ndarray of int, shape (P, 2)
        (src, dst) ground-station ids, e.g. from :func:`resolve_pairs`.
    out_dir : path
        Gets ``pairs.parquet`` (atomic) and ``pairs_meta.json``.
    progress : callable(done, total), optional
    block_steps : int
        Steps propagated and written together.
    source : str
        Label of the inputs, recorded in ``pairs_meta.json``.
    router : {"dynamic", "dijkstra"}
        ``"dynamic"``: :class:`lifeline.network.dynamic.DynamicRouter`, the shortest-path trees
        carried from step to step and repaired; ``"dijkstra"``: SciPy's Dijkstra afresh at
        every step (:func:`solve_step`, the reference). Same lengths bit for bit, same paths
        except between paths of exactly equal length. Recorded in ``pairs_meta.json``.

    Returns
    -------
    RunResult
        With the per-stage wall times.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    step_ns = int(round(step_s * 1e9))
    if step_ns <= 0 or duration_s <= 0:
        raise PairSelectionError(
            f"step {step_s} s, duration {duration_s} s", "a step >= 1 ns and a duration > 0"
        )
    if router not in ("dynamic", "dijkstra"):
        raise PairSelectionError(f"router {router!r}", "'dynamic' or 'dijkstra'")
    n_steps = int(np.ceil(round(duration_s * 1e9) / step_ns))
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    prepared = prepare(network)
    epoch = to_datetime64(network.epoch_utc)
    result = RunResult(out / "pairs.parquet", n_steps, len(pairs))
    stages = result.times
    if router == "dynamic":
        dynamic = DynamicRouter(network.n_sats, prepared.isl_edges, pairs[:, 0], pairs[:, 1])

        def route(links: StepLinks) -> PairStep:
            return PairStep(
                *dynamic.solve(links.isl_km, links.gsl_start, links.gsl_sat, links.gsl_km)
            )

    else:

        def route(links: StepLinks) -> PairStep:
            return route_dijkstra(prepared, links, pairs[:, 0], pairs[:, 1])

    tmp = _temp_beside(result.path)
    writer = pq.ParquetWriter(tmp, PAIRS_SCHEMA, **_PARQUET_OPTIONS)
    # One block is written in the background while the next is computed; at most one write is
    # in flight, and its error (if any) surfaces at the next block or at the end.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pairs-writer")
    writing: Future[float] | None = None
    ok = False
    try:
        for first in range(0, n_steps, block_steps):
            k = np.arange(first, min(first + block_steps, n_steps), dtype=np.int64)
            times_utc = epoch + (k * step_ns).astype("timedelta64[ns]")
            t0 = time.perf_counter()
            r_km, valid = positions_km(prepared, times_utc)
            stages.propagation += time.perf_counter() - t0
            steps = []
            links_of_step = block_links(prepared, r_km, valid)
            for i in range(len(k)):
                t0 = time.perf_counter()
                links = next(links_of_step)
                t1 = time.perf_counter()
                steps.append(route(links))
                t2 = time.perf_counter()
                stages.topology += t1 - t0
                stages.routing += t2 - t1
                if stages.steps + i == 0:
                    stages.first_routing = t2 - t1
            t0 = time.perf_counter()
            if writing is not None:
                stages.writing += writing.result()
            table = partial(_batch, network, times_utc, k * step_ns / 1e9, pairs, steps)
            writing = pool.submit(_write, writer, table)
            stages.output += time.perf_counter() - t0
            stages.steps += len(k)
            logger.debug("steps %d-%d done; %s", k[0], k[-1], stages)
            if progress is not None:
                progress(int(k[-1]) + 1, n_steps)
        t0 = time.perf_counter()
        if writing is not None:
            stages.writing += writing.result()
        stages.output += time.perf_counter() - t0
        ok = True
    finally:
        # Never close the file under a write still running (after an error in this thread).
        pool.shutdown(wait=True)
        if ok:
            writer.close()
            tmp.replace(result.path)
        else:
            # The error being raised says what went wrong; a writer left broken by it may
            # fail to close as well, and the partial file goes anyway.
            with contextlib.suppress(Exception):
                writer.close()
            tmp.unlink(missing_ok=True)
    write_json(
        out / "pairs_meta.json",
        {
            "source": source,
            "conventions": network.conventions,
            "router": router,
            "epoch_utc": str(epoch) + "Z",
            "duration_s": duration_s,
            "step_s": step_s,
            "n_steps": n_steps,
            "n_sats": network.n_sats,
            "max_gsl_km": _json_limit(network.max_gsl_km),
            "max_isl_km": _json_limit(network.max_isl_km),
            "ground_stations": [
                {"id": g, "name": name, "lat_deg": float(lat), "lon_deg": float(lon)}
                for g, (name, lat, lon) in enumerate(
                    zip(network.gs_names, network.gs_lat_deg, network.gs_lon_deg, strict=True)
                )
            ],
            "stage_ms_per_step": {k: round(v, 3) for k, v in stages.per_step_ms().items()},
        },
    )
    return result


def scenario_network(scenario: Scenario) -> PairNetwork:
    """A scenario's terminals as pair-mode ground stations, in the terminal engine's conventions.

    Satellites and ISLs are those of the terminal engine
    (:func:`lifeline.engine.build_constellation`, :func:`lifeline.engine.scenario_isl_edges`:
    ``network.isl_file`` or +Grid; none when ``network.isl`` is false, so a path is one
    satellite, bent pipe). A terminal reaches a satellite when it is above its elevation mask
    and, if a range rule is set (``terminals[i].max_range_km``, else
    ``network.gsl_max_range_km``), within that range; ISLs obey ``network.isl_max_range_km`` and
    the grazing-altitude rule. Time 0 is ``time.start_utc``.
    """
    from lifeline.engine import build_constellation, scenario_isl_edges

    net = scenario.network
    start = np.datetime64(scenario.time.start_utc.replace(tzinfo=None), "ns")
    constellation = build_constellation(scenario)
    edges = scenario_isl_edges(scenario, constellation, start)
    terminals = scenario.terminals
    default_range = np.inf if net.gsl_max_range_km is None else net.gsl_max_range_km
    return PairNetwork(
        satrecs=list(constellation.satrecs),
        isl_edges=edges,
        gs_names=[t.name for t in terminals],
        gs_lat_deg=np.array([t.lat_deg for t in terminals]),
        gs_lon_deg=np.array([t.lon_deg for t in terminals]),
        gs_elevation_m=np.array([t.alt_m for t in terminals]),
        max_gsl_km=np.array(
            [default_range if t.max_range_km is None else t.max_range_km for t in terminals]
        ),
        max_isl_km=np.inf if net.isl_max_range_km is None else net.isl_max_range_km,
        epoch_utc=start,
        conventions="lifeline",
        min_elevation_deg=np.array(
            [
                net.min_elevation_deg if t.min_elevation_deg is None else t.min_elevation_deg
                for t in terminals
            ]
        ),
        isl_min_grazing_altitude_km=net.isl_min_grazing_altitude_km,
        altitude_band_km=scenario.constellation.altitude_band_km,
    )


def run_scenario_pairs(
    scenario: Scenario,
    out_dir: str | Path,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Pair mode for a scenario with ``pairs``: write ``out_dir/pairs.parquet``.

    Ground stations are the scenario's terminals (ids = their order in the file); the pairs
    are :attr:`lifeline.scenario.Scenario.pair_ids`; steps are every ``time.step_s`` over the
    window from ``time.start_utc``. See :func:`scenario_network` for the link rules.

    Parameters
    ----------
    scenario : Scenario
        With ``pairs`` set.
    out_dir : path
        Gets ``pairs.parquet`` and ``pairs_meta.json``.
    progress : callable(done, total), optional

    Returns
    -------
    RunResult

    Raises
    ------
    PairSelectionError
        When the scenario has no ``pairs``.
    """
    if not scenario.pair_ids:
        raise PairSelectionError(
            f"{scenario.source}: pairs = None", 'pairs = "all" or [[pairs]] tables (src, dst)'
        )
    return run_pairs(
        scenario_network(scenario),
        scenario.time.duration_s,
        scenario.time.step_s,
        np.array(scenario.pair_ids, dtype=np.int64),
        out_dir,
        progress=progress,
        source=scenario.source,
    )
