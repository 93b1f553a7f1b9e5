"""Pair mode: shortest paths over ISLs between ground stations, RTT per pair per time step.

This is what Hypatia computes (Kassing et al., IMC 2020): at each time step, for every pair of
ground stations, the shortest path ``src GS → satellite → … (ISLs) … → satellite → dst GS``,
with ground stations as path end points only (Hypatia's default
``algorithm_free_one_only_over_isls``), and its RTT = 2 × length / c.

Node numbering is Hypatia's: satellites ``0..S-1``, ground station ``g`` is node ``S + g``.

How one step is computed (stages timed by :class:`StageTimes`):

1. **propagation**: SGP4 for all satellites at a block of steps at once, rotated into the frame
   of the ground stations (:mod:`lifeline.orbits.libastro` in the ``"hypatia"`` conventions).
2. **topology**: ISL lengths for the fixed +Grid edge list (dropping any longer than the
   maximum), GSLs from a KD-tree join of satellites and stations at the maximum GSL length.
   The graph has each station twice, as a source-only node (edges station → satellite) and a
   sink-only node (satellite → station), so no path can relay through a station.
3. **routing**: one SciPy Dijkstra per source station (in C, all sources in one call), with
   predecessors; distances to the sink nodes give every pair.
4. **output**: paths traced back through the predecessor rows for all pairs at once (one
   vectorised step per hop) and appended to the Parquet table.

References
----------
S. Kassing, D. Bhattacherjee, A. B. Águas, J. E. Saethre, A. Singla, "Exploring the 'Internet
from space' with Hypatia", ACM IMC 2020; Hypatia ``satgenpy/satgen/dynamic_state/
fstate_calculation.py`` (ground stations as end points), ``post_analysis/analyze_rtt.py``
(RTT = 2 × path length / c).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from sgp4.api import Satrec

from lifeline.constants import C_KM_S, WGS84_A_KM
from lifeline.errors import LifelineError
from lifeline.geo import geodetic_to_ecef_km
from lifeline.io.hypatia import HypatiaNetwork
from lifeline.links.gsl import SiteSet, build_sat_tree, find_visible
from lifeline.links.isl import isl_geometry
from lifeline.orbits.libastro import (
    libastro_gmst_rad,
    libastro_satrecs,
    libastro_site_km,
    rotate_to_earth_fixed,
)
from lifeline.orbits.propagate import propagate_ecef, propagate_teme
from lifeline.results import PAIRS_SCHEMA, _temp_beside, write_json
from lifeline.scenario import Scenario
from lifeline.time import sgp4_jd, to_datetime64

__all__ = [
    "PairNetwork",
    "PairSelectionError",
    "PairStep",
    "StageTimes",
    "prepare",
    "resolve_pairs",
    "run_pairs",
    "run_scenario_pairs",
    "scenario_network",
    "solve_step",
]

logger = logging.getLogger(__name__)

Conventions = Literal["hypatia", "lifeline"]

#: Speed of light [m/s] as Hypatia uses it (SI value).
_MS_PER_KM_ROUND_TRIP = 2.0 * 1e3 / C_KM_S


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
    """Wall time spent per stage [s], summed over steps."""

    propagation: float = 0.0
    topology: float = 0.0
    routing: float = 0.0
    output: float = 0.0
    steps: int = 0

    def per_step_ms(self) -> dict[str, float]:
        n = max(self.steps, 1)
        out = {
            k: 1e3 * getattr(self, k) / n for k in ("propagation", "topology", "routing", "output")
        }
        out["total"] = sum(out.values())
        return out


def _graph(
    prepared: Prepared, r_km: np.ndarray, valid: np.ndarray
) -> tuple[sp.csr_matrix, int, int]:
    """The step's directed graph: sats, station sources (S+g), station sinks (S+G+g)."""
    net = prepared.network
    n_sats = r_km.shape[0]
    n_gs = len(prepared.site_km)
    edges = prepared.isl_edges
    a, b = edges[:, 0], edges[:, 1]
    d = r_km[a] - r_km[b]
    isl_km = np.sqrt(np.einsum("ij,ij->i", d, d))
    ok = valid[a] & valid[b] & (isl_km <= net.max_isl_km)
    if net.isl_min_grazing_altitude_km is not None and len(edges):
        ok &= isl_geometry(r_km, edges)[1] >= net.isl_min_grazing_altitude_km
    if not ok.all():
        n_long = int(np.count_nonzero(valid[a] & valid[b] & ~(isl_km <= net.max_isl_km)))
        if n_long:
            logger.debug("%d ISL(s) longer than %.1f km left out", n_long, net.max_isl_km)
    a, b, isl_km = a[ok], b[ok], isl_km[ok]

    gs, sat, gsl_km = _gsls(prepared, r_km, valid)

    rows = np.concatenate([a, b, n_sats + gs, sat])
    cols = np.concatenate([b, a, sat, n_sats + n_gs + gs])
    weights = np.concatenate([isl_km, isl_km, gsl_km, gsl_km])
    weights = np.maximum(weights, np.finfo(float).tiny)
    n = n_sats + 2 * n_gs
    csr = sp.csr_matrix((weights, (rows, cols)), shape=(n, n))
    return csr, n_sats, n_gs


def _gsls(
    prepared: Prepared, r_km: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(station, satellite, length [km]) of the usable ground-satellite links."""
    max_km = prepared.max_gsl_km
    if prepared.sites is not None:
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
    sat_index = np.flatnonzero(valid)
    sat_tree = cKDTree(r_km[sat_index], balanced_tree=False, compact_nodes=False)
    hits = prepared.site_tree.sparse_distance_matrix(
        sat_tree, float(max_km.max()) * (1 + 1e-9) + 1e-6, output_type="ndarray"
    )
    gs, sat, gsl_km = hits["i"].astype(np.int64), sat_index[hits["j"]], hits["v"]
    if prepared.network.conventions == "hypatia":
        # pyephem returns the range as a C float in metres and Hypatia compares that.
        keep = np.float32(gsl_km * 1e3) <= max_km[gs] * 1e3
    else:
        keep = gsl_km <= max_km[gs]
    return gs[keep], sat[keep], gsl_km[keep]


def solve_step(
    prepared: Prepared,
    r_km: np.ndarray,
    valid: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    times: StageTimes | None = None,
) -> PairStep:
    """Shortest paths for the pairs (src[k], dst[k]) at one instant.

    Parameters
    ----------
    prepared : Prepared
    r_km : ndarray, shape (S, 3)
        Satellite positions in the stations' frame [km].
    valid : ndarray of bool, shape (S,)
    src, dst : ndarray of int, shape (P,)
        Ground-station ids.
    times : StageTimes, optional
        Accumulates topology and routing time.

    Returns
    -------
    PairStep
    """
    t0 = time.perf_counter()
    csr, n_sats, n_gs = _graph(prepared, r_km, valid)
    t1 = time.perf_counter()
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
    if times is not None:
        times.topology += t1 - t0
        times.routing += time.perf_counter() - t1
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
    names = network.gs_names
    length = np.concatenate([s.length_km for s in steps])
    rtt = np.where(np.isfinite(length), length * _MS_PER_KM_ROUND_TRIP, np.nan)
    connected = np.isfinite(length)
    hops = np.concatenate([s.hops for s in steps])
    offsets = [steps[0].path_offsets]
    base = steps[0].path_offsets[-1]
    for s in steps[1:]:
        offsets.append(s.path_offsets[1:] + base)
        base += s.path_offsets[-1]
    flat = np.concatenate([s.path_flat for s in steps])
    src_codes = np.tile(pairs[:, 0], n_steps).astype(np.int32)
    dst_codes = np.tile(pairs[:, 1], n_steps).astype(np.int32)
    dictionary = pa.array(names, type=pa.string())
    columns = [
        pa.array(np.repeat(times_utc, n_pairs).astype("datetime64[ns]"), pa.timestamp("ns", "UTC")),
        pa.array(np.repeat(time_s, n_pairs)),
        pa.DictionaryArray.from_arrays(pa.array(src_codes), dictionary),
        pa.DictionaryArray.from_arrays(pa.array(dst_codes), dictionary),
        pa.array(src_codes),
        pa.array(dst_codes),
        pa.array(connected),
        pa.array(rtt),
        pa.array(np.where(connected, hops, 0).astype(np.int16), mask=~connected),
        pa.ListArray.from_arrays(
            pa.array(np.concatenate(offsets).astype(np.int32)), pa.array(flat, pa.int32())
        ),
    ]
    return pa.Table.from_arrays(columns, schema=PAIRS_SCHEMA)


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
    n_steps = int(np.ceil(round(duration_s * 1e9) / step_ns))
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    prepared = prepare(network)
    epoch = to_datetime64(network.epoch_utc)
    result = RunResult(out / "pairs.parquet", n_steps, len(pairs))
    stages = result.times
    tmp = _temp_beside(result.path)
    writer = pq.ParquetWriter(tmp, PAIRS_SCHEMA, compression="zstd")
    ok = False
    try:
        for first in range(0, n_steps, block_steps):
            k = np.arange(first, min(first + block_steps, n_steps), dtype=np.int64)
            times_utc = epoch + (k * step_ns).astype("timedelta64[ns]")
            t0 = time.perf_counter()
            r_km, valid = positions_km(prepared, times_utc)
            stages.propagation += time.perf_counter() - t0
            steps = [
                solve_step(prepared, r_km[i], valid[i], pairs[:, 0], pairs[:, 1], stages)
                for i in range(len(k))
            ]
            t0 = time.perf_counter()
            writer.write_table(_batch(network, times_utc, k * step_ns / 1e9, pairs, steps))
            stages.output += time.perf_counter() - t0
            stages.steps += len(k)
            if progress is not None:
                progress(int(k[-1]) + 1, n_steps)
        ok = True
    finally:
        writer.close()
        if ok:
            tmp.replace(result.path)
        else:
            tmp.unlink(missing_ok=True)
    write_json(
        out / "pairs_meta.json",
        {
            "source": source,
            "conventions": network.conventions,
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
