"""The routing graph of one instant: satellites, gateways and PoPs as a sparse directed graph.

Node numbering (documented once, used by ``routing.py`` and the engine):

- satellites ``[0, S)``
- gateways ``[S, S + G)``
- PoPs ``[S + G, S + G + P)``

Edges carry one-way propagation delay in milliseconds and point *away from the Internet*:
PoP → gateway (terrestrial fibre), gateway → satellite (feeder link) and satellite ↔ satellite
(laser ISLs, both directions). There is no satellite → gateway edge, so a shortest path from the
PoPs can never enter a satellite, come down to a gateway and go up again: ground stations are path
end points, never relays (as in Hypatia's default routing, Kassing et al., IMC 2020). Delays are
symmetric, so the reverse of a path is the terminal's path towards the Internet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from lifeline.constants import C_KM_S

#: Milliseconds per kilometre of free-space propagation [ms/km].
MS_PER_KM_VACUUM = 1e3 / C_KM_S


def fiber_delay_ms(distance_km: np.ndarray, route_stretch: float, group_index: float) -> np.ndarray:
    """One-way delay over terrestrial fibre [ms].

    ``delay = distance_km * route_stretch / (c / group_index)``.

    Parameters
    ----------
    distance_km : great-circle distance between the end points [km].
    route_stretch : fibre route length over great-circle distance [-] (FACTS.md §8: ×2.1,
        Bozkurt et al., arXiv 1811.10737).
    group_index : group index of the fibre [-] (FACTS.md §8: 1.4682, Corning SMF-28 at 1550 nm).
    """
    return np.asarray(distance_km, dtype=float) * route_stretch * group_index * MS_PER_KM_VACUUM


@dataclass(frozen=True)
class Graph:
    """A routing graph for one instant.

    Attributes
    ----------
    csr : (n, n) sparse matrix of one-way delays [ms]; entry (i, j) is the edge i → j.
    n_sats, n_gateways, n_pops : node counts (see the module docstring for the numbering).
    """

    csr: sp.csr_matrix
    n_sats: int
    n_gateways: int
    n_pops: int

    @property
    def gateway_offset(self) -> int:
        return self.n_sats

    @property
    def pop_offset(self) -> int:
        return self.n_sats + self.n_gateways


def build_graph(
    n_sats: int,
    isl_edges: np.ndarray,
    isl_length_km: np.ndarray,
    gsl_gateway: np.ndarray,
    gsl_sat: np.ndarray,
    gsl_range_km: np.ndarray,
    gateway_pop: np.ndarray,
    gateway_fiber_ms: np.ndarray,
    gateway_live: np.ndarray,
    n_pops: int,
) -> Graph:
    """Assemble the directed delay graph of one instant.

    Parameters
    ----------
    n_sats : number of satellites S.
    isl_edges : (E, 2) satellite index pairs with a usable laser link (already filtered for
        validity and range); each becomes two directed edges.
    isl_length_km : (E,) link lengths [km].
    gsl_gateway, gsl_sat, gsl_range_km : (M,) gateway–satellite feeder links that are up
        (gateway index in [0, G), satellite index, slant range [km]).
    gateway_pop : (G,) index of the PoP each gateway is homed to.
    gateway_fiber_ms : (G,) one-way fibre delay gateway → PoP [ms].
    gateway_live : (G,) bool; a gateway that is down gets no PoP edge (and so carries nothing).
    n_pops : number of PoPs P.

    Returns
    -------
    Graph
        Edge weights are one-way delays [ms]; a zero-length link is given the smallest positive
        float so that SciPy keeps it as an edge.
    """
    n_gw = len(gateway_pop)
    gw0 = n_sats
    pop0 = n_sats + n_gw
    live = np.flatnonzero(gateway_live)
    isl_edges = np.asarray(isl_edges, dtype=np.int64).reshape(-1, 2)
    isl_ms = np.asarray(isl_length_km, dtype=float) * MS_PER_KM_VACUUM
    rows = np.concatenate(
        [
            isl_edges[:, 0],
            isl_edges[:, 1],
            gw0 + np.asarray(gsl_gateway, dtype=np.int64),
            pop0 + np.asarray(gateway_pop, dtype=np.int64)[live],
        ]
    )
    cols = np.concatenate(
        [
            isl_edges[:, 1],
            isl_edges[:, 0],
            np.asarray(gsl_sat, dtype=np.int64),
            gw0 + live,
        ]
    )
    weights = np.concatenate(
        [
            isl_ms,
            isl_ms,
            np.asarray(gsl_range_km, dtype=float) * MS_PER_KM_VACUUM,
            np.asarray(gateway_fiber_ms, dtype=float)[live],
        ]
    )
    # csgraph treats explicit zeros as missing edges; a co-located pair is still linked.
    weights = np.maximum(weights, np.finfo(float).tiny)
    n = pop0 + n_pops
    # CSR built directly (rows grouped by a stable sort): no COO round trip, and parallel edges
    # stay separate edges (Dijkstra takes the shorter) instead of being summed.
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    csr = sp.csr_matrix((weights[order], cols[order].astype(np.int32), indptr), shape=(n, n))
    return Graph(csr=csr, n_sats=n_sats, n_gateways=n_gw, n_pops=n_pops)
