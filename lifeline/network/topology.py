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
from scipy.sparse.csgraph import maximum_bipartite_matching

from lifeline.constants import C_KM_S

#: Milliseconds per kilometre of free-space propagation [ms/km].
MS_PER_KM_VACUUM = 1e3 / C_KM_S


def fiber_delay_ms(distance_km: np.ndarray, route_stretch: float, group_index: float) -> np.ndarray:
    """One-way delay over terrestrial fibre [ms].

    ``delay = distance_km * route_stretch / (c / group_index)``.

    Parameters
    ----------
    distance_km : great-circle distance between the end points [km].
    route_stretch : fibre route length over great-circle distance [-] (×2.1,
        Bozkurt et al., arXiv 1811.10737; references.md#fibre-stretch).
    group_index : group index of the fibre [-] (1.4682, Corning SMF-28 at 1550 nm;
        references.md#fibre-group-index).
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


@dataclass(frozen=True)
class GraphTemplate:
    """Every edge one instant's graph can have, as a CSR structure built once per instant.

    Laser links in reach (both directions), every visible gateway → satellite feeder link and
    every gateway → PoP fibre. A network state keeps some of them (:func:`instant_graph`); the
    others get an infinite delay, which Dijkstra never relaxes, so the graph is the one with
    only the kept edges. Built once per instant, it serves every event state of that instant
    (and, in a sweep, every sample).

    Attributes
    ----------
    indptr, indices : CSR structure over ``n_sats + n_gateways + n_pops`` nodes.
    weight_ms : one-way delay of each CSR entry [ms].
    source : input edge of each CSR entry: laser links ``[0, 2E)`` (a→b, then b→a), feeders
        ``[2E, 2E + M)``, fibres ``2E + M + g·P + p``.
    n_isl, n_feeders : E and M.
    """

    indptr: np.ndarray
    indices: np.ndarray
    weight_ms: np.ndarray
    source: np.ndarray
    n_isl: int
    n_feeders: int
    n_sats: int
    n_gateways: int
    n_pops: int


def graph_template(
    n_sats: int,
    isl_edges: np.ndarray,
    isl_length_km: np.ndarray,
    feeder_gateway: np.ndarray,
    feeder_sat: np.ndarray,
    feeder_range_km: np.ndarray,
    gateway_pop_fiber_ms: np.ndarray,
) -> GraphTemplate:
    """Every candidate edge of one instant in CSR form.

    Parameters
    ----------
    n_sats : number of satellites S.
    isl_edges : (E, 2) satellite pairs whose laser link is in reach; each gives two directed
        edges. isl_length_km : (E,) [km].
    feeder_gateway, feeder_sat, feeder_range_km : (M,) visible gateway–satellite pairs
        (gateway index in [0, G), satellite, slant range [km]).
    gateway_pop_fiber_ms : (G, P) one-way fibre delay from every gateway to every PoP [ms].

    Notes
    -----
    Node numbering as in the module docstring. A zero-length link gets the smallest positive
    float, as csgraph treats explicit zeros as missing edges. Rows are grouped by a stable
    sort, so parallel edges stay separate (Dijkstra takes the shorter) rather than summed.
    """
    n_gw, n_pops = np.shape(gateway_pop_fiber_ms)
    gw0, pop0 = n_sats, n_sats + n_gw
    isl_edges = np.asarray(isl_edges, dtype=np.int64).reshape(-1, 2)
    isl_ms = np.asarray(isl_length_km, dtype=float) * MS_PER_KM_VACUUM
    gw_of_fiber, pop_of_fiber = np.divmod(np.arange(n_gw * n_pops), max(n_pops, 1))
    rows = np.concatenate(
        [
            isl_edges[:, 0],
            isl_edges[:, 1],
            gw0 + np.asarray(feeder_gateway, dtype=np.int64),
            pop0 + pop_of_fiber,
        ]
    )
    cols = np.concatenate(
        [
            isl_edges[:, 1],
            isl_edges[:, 0],
            np.asarray(feeder_sat, dtype=np.int64),
            gw0 + gw_of_fiber,
        ]
    )
    weights = np.concatenate(
        [
            isl_ms,
            isl_ms,
            np.asarray(feeder_range_km, dtype=float) * MS_PER_KM_VACUUM,
            np.asarray(gateway_pop_fiber_ms, dtype=float).ravel(),
        ]
    )
    weights = np.maximum(weights, np.finfo(float).tiny)
    n = pop0 + n_pops
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return GraphTemplate(
        indptr=indptr,
        indices=cols[order].astype(np.int32),
        weight_ms=weights[order],
        source=order,
        n_isl=len(isl_edges),
        n_feeders=len(rows) - 2 * len(isl_edges) - n_gw * n_pops,
        n_sats=n_sats,
        n_gateways=n_gw,
        n_pops=n_pops,
    )


def instant_graph(
    template: GraphTemplate,
    isl_up: np.ndarray,
    feeder_up: np.ndarray,
    gateway_pop: np.ndarray,
    gateway_live: np.ndarray,
) -> Graph:
    """The delay graph of one network state: the template's edges that are up.

    Parameters
    ----------
    template : the instant's :func:`graph_template`.
    isl_up : (E,) bool, the laser links that work (both ends working, not failed).
    feeder_up : (M,) bool, the feeder links in use (live gateway, working satellite, within
        the gateway's antenna count).
    gateway_pop : (G,) PoP each gateway is homed to; gateway_live : (G,) bool — a gateway that
        is down has no fibre edge (and so carries nothing).

    Returns
    -------
    Graph
        Edges that are not up keep their place with an infinite delay [ms].
    """
    fiber_up = np.zeros((template.n_gateways, template.n_pops), dtype=bool)
    live = np.flatnonzero(gateway_live)
    fiber_up[live, np.asarray(gateway_pop)[live]] = True
    up = np.concatenate([isl_up, isl_up, feeder_up, fiber_up.ravel()])
    weights = np.where(up[template.source], template.weight_ms, np.inf)
    n = len(template.indptr) - 1
    csr = sp.csr_matrix((weights, template.indices, template.indptr), shape=(n, n))
    return Graph(csr, template.n_sats, template.n_gateways, template.n_pops)


def allocate_feeders(
    pair_site: np.ndarray,
    pair_sat: np.ndarray,
    max_per_site: np.ndarray,
    wanted: np.ndarray,
    fill: bool = True,
) -> np.ndarray:
    """Which visible gateway–satellite pairs get one of the gateway's antennas.

    A gateway tracks at most ``max_per_site`` satellites at once (its dishes; usually 8,
    references.md#gateway-antennas). Antennas go first to the satellites users need:

    1. a gateway with antennas for every ``wanted`` satellite it sees (those that serve or
       could serve a terminal) takes them all (only with ``fill``);
    2. the other antennas go to the wanted satellites not yet covered, by a maximum
       bipartite matching (one antenna each; Hopcroft–Karp,
       ``scipy.sparse.csgraph.maximum_bipartite_matching``), so as many of them as possible
       get a feeder link;
    3. with ``fill``, each gateway's antennas left over go to its other visible pairs,
       highest first.

    With no limit binding, every pair is kept; with a binding limit no antenna is spent on a
    second feeder for one satellite while a wanted satellite has none. ``fill = False``
    gives wanted satellites one antenna each and nothing else (for tiers of priority).

    Parameters
    ----------
    pair_site, pair_sat : (M,) int
        Gateway and satellite of each visible pair, sorted by gateway then by descending
        elevation (as :class:`lifeline.links.gsl.GSLPairs`).
    max_per_site : (G,) int
        Antennas of each gateway (>= 0).
    wanted : (S,) bool
        Satellites that serve or could serve terminals.
    fill : bool

    Returns
    -------
    (M,) bool mask over the pairs.

    References
    ----------
    J. E. Hopcroft, R. M. Karp, "An n^5/2 algorithm for maximum matchings in bipartite graphs",
    SIAM J. Comput. 2, 225–231, 1973.
    """
    pair_site = np.asarray(pair_site, dtype=np.int64)
    pair_sat = np.asarray(pair_sat, dtype=np.int64)
    capacity = np.asarray(max_per_site, dtype=np.int64).copy()
    keep = np.zeros(len(pair_site), dtype=bool)
    if len(pair_site) == 0:
        return keep
    n_sites = len(capacity)
    want = np.asarray(wanted, dtype=bool)[pair_sat]
    covered = np.zeros(len(wanted), dtype=bool)
    if fill:
        n_wanted = np.bincount(pair_site[want], minlength=n_sites)
        roomy = n_wanted <= capacity
        keep[want & roomy[pair_site]] = True
        covered[pair_sat[keep]] = True
        np.subtract.at(capacity, pair_site[keep], 1)
    todo = np.flatnonzero(want & ~keep & ~covered[pair_sat] & (capacity[pair_site] > 0))
    if len(todo):
        sats, row = np.unique(pair_sat[todo], return_inverse=True)
        site = pair_site[todo]
        # Antenna columns: gateway g owns columns first[g] .. first[g] + capacity[g] - 1.
        first = np.concatenate([[0], np.cumsum(capacity)[:-1]])
        slots = np.arange(int(capacity.max()))
        ok = slots[None, :] < capacity[site][:, None]
        rows = np.broadcast_to(row[:, None], ok.shape)[ok]
        cols = (first[site][:, None] + slots[None, :])[ok]
        graph = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.int8), (rows, cols)),
            shape=(len(sats), int(capacity.sum())),
        )
        match = maximum_bipartite_matching(graph, perm_type="column")  # column of each row
        col_site = np.repeat(np.arange(n_sites), capacity)
        matched_site = np.where(match >= 0, col_site[np.maximum(match, 0)], -1)
        chosen = todo[matched_site[row] == site]
        keep[chosen] = True
        np.subtract.at(capacity, pair_site[chosen], 1)
    if fill:
        # Leftover antennas: the other pairs of each site in their (descending elevation) order.
        rest = np.flatnonzero(~keep)
        site = pair_site[rest]
        starts = np.flatnonzero(np.r_[True, site[1:] != site[:-1]]) if len(rest) else rest
        rank = np.arange(len(rest)) - np.repeat(starts, np.diff(np.r_[starts, len(rest)]))
        keep[rest] = rank < capacity[site]
    return keep
