"""The reference router of pair mode: SciPy's Dijkstra per source station and step
(:func:`solve_step`, :func:`route_dijkstra`), and one step's shortest paths (:class:`PairStep`).

Each station appears twice in the graph, as a source-only node (station → satellite) and a
sink-only node (satellite → station), so no path relays through a station (Hypatia's
``algorithm_free_one_only_over_isls``). RTT = 2 × path length / c (Hypatia
``post_analysis/analyze_rtt.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from lifeline.constants import C_KM_S
from lifeline.pairmode.links import StepLinks, step_links
from lifeline.pairmode.network import PairInputs

#: Round-trip delay per km of one-way path [ms/km]: 2 × 1000 / c, with c in km/s
#: (:data:`lifeline.constants.C_KM_S`, the SI value Hypatia uses).
MS_PER_KM_ROUND_TRIP = 2.0 * 1e3 / C_KM_S


#: Routers: SciPy's Dijkstra per step (the reference) or the trees carried between steps.
Router = Literal["dynamic", "dijkstra"]


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
            rtt = self.length_km * MS_PER_KM_ROUND_TRIP
        return np.where(np.isfinite(rtt), rtt, np.nan)

    @property
    def hops(self) -> np.ndarray:
        """Links per path (−1 when not connected)."""
        return np.diff(self.path_offsets) - 1

    def path(self, k: int) -> list[int]:
        return self.path_flat[self.path_offsets[k] : self.path_offsets[k + 1]].tolist()


def _graph(prepared: PairInputs, links: StepLinks) -> tuple[sp.csr_matrix, int, int]:
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


def solve_step(
    prepared: PairInputs,
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
    prepared : PairInputs
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
    prepared: PairInputs, links: StepLinks, src: np.ndarray, dst: np.ndarray
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
