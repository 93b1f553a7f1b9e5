"""Shortest paths between ground stations kept up to date from one time step to the next.

Pair mode (:mod:`lifeline.pairmode`) needs, at every time step, the shortest path from each source
ground station to each destination, over ISLs, with stations as end points only. Between two
steps 100 ms apart the satellites move ~0.8 km: every length changes a little, but the
shortest-path *trees* almost never do (on Starlink-550 ~0.01 % of the parent links per step,
docs/benchmarks.md). So instead of a fresh Dijkstra per source per step, each source keeps its
tree and, per step,

1. **re-sums** the tree with the step's lengths, in topological order (a label becomes ``inf``
   when its tree path uses a link that is gone);
2. **certifies** it: scans every link ``u → v`` (the source's GSLs and every ISL, both ways) for
   ``d[u] + w < d[v]`` (Bellman's condition), lowering each violated label at once;
3. **repairs** the lowered labels by a heap-ordered label-correcting search (Dijkstra seeded
   with them); the tree's order is rebuilt only for sources whose tree changed.

The first step starts from all-``inf`` labels, where step 3 *is* Dijkstra's algorithm.

Exactness. Every label is the floating-point sum, along the parent path, of the step's link
lengths, and when no link violates Bellman's condition the labels are those of any Dijkstra
(SciPy's included) bit for bit: if ``D`` is Dijkstra's and ``L`` ours, both satisfy
``fl(x[u] + w) >= x[v]`` on every link and both are sums along real paths, so by induction
along Dijkstra's path ``L <= D`` (floating-point addition is monotone) and along ours
``D <= L``. Paths can differ only where two paths have exactly the same length.

Distance to a destination station ``b``: ``min over satellites t that b sees of
d[t] + gsl(t, b)`` (the sink of the graph in :func:`lifeline.pairmode.solve_step`).

Kernels are compiled with numba (``cache=True``: compiled once per machine, then loaded from
``__pycache__``) and release the GIL, so Parquet writing proceeds in another thread meanwhile.
They run single-threaded: on a 2-core machine the other core writes the output, and a parallel
loop there was slower and erratic (docs/benchmarks.md, "Pair mode").

References
----------
E. W. Dijkstra, "A note on two problems in connexion with graphs", Numer. Math. 1 (1959).
G. Ramalingam, T. Reps, "An incremental algorithm for a generalization of the shortest-path
problem", J. Algorithms 21 (1996) — repairing a shortest-path tree from the violated labels.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["DynamicRouter", "station_links"]

#: Parent of a satellite entered straight from the source station (its GSL).
ROOT = -1
#: Parent of a satellite the source cannot reach.
NONE = -2


@njit(cache=True, nogil=True)
def _heap_push(keys, items, size, key, item):
    """Push onto a binary min-heap held in ``keys[:size]``, ``items[:size]``; new size."""
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        items[i] = items[parent]
        i = parent
    keys[i] = key
    items[i] = item
    return size + 1


@njit(cache=True, nogil=True)
def _heap_pop(keys, items, size):
    """Pop the minimum of the heap; (key, item, new size)."""
    key, item = keys[0], items[0]
    size -= 1
    last_key, last_item = keys[size], items[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= last_key:
            break
        keys[i] = keys[child]
        items[i] = items[child]
        i = child
    if size > 0:
        keys[i] = last_key
        items[i] = last_item
    return key, item, size


@njit(cache=True, nogil=True)
def _update_tree(
    dist,
    parent,
    parent_edge,
    order,
    n_order,
    depth,
    edge_a,
    edge_b,
    adj_start,
    adj_node,
    adj_edge,
    isl_km,
    root_sat,
    root_km,
    root_w,
    keys,
    items,
):
    """Bring one source's tree up to date with this step's lengths (in place).

    ``dist``, ``parent``, ``parent_edge``, ``order``, ``depth``: this source's rows;
    ``n_order``: a length-1 array with the number of reachable satellites in ``order``;
    ``root_w``: all-``inf`` scratch of length S (left all-``inf``); ``keys``, ``items``:
    heap scratch. Returns True when the tree changed (and its order was rebuilt).
    """
    for i in range(root_sat.shape[0]):
        root_w[root_sat[i]] = root_km[i]

    # 1. Re-sum along the kept tree, parents before children.
    lost = False
    for i in range(n_order[0]):
        v = order[i]
        p = parent[v]
        if p == ROOT:
            d = root_w[v]
        else:
            d = dist[p] + isl_km[parent_edge[v]]
        dist[v] = d
        if d == np.inf:
            lost = True

    # 2. Certify: lower every violated label at once and queue it. Scanning the ISL list
    # (both directions per link) reads memory in order: ~2x faster than by adjacency. With no
    # finite label yet (first step) there is nothing to certify: the repair is then Dijkstra.
    warm = n_order[0] > 0
    size = 0
    for i in range(root_sat.shape[0]):
        v = root_sat[i]
        w = root_km[i]
        root_w[v] = np.inf
        if w < dist[v]:
            dist[v] = w
            parent[v] = ROOT
            parent_edge[v] = -1
            size = _heap_push(keys, items, size, w, v)
    for e in range(edge_a.shape[0] if warm else 0):
        a = edge_a[e]
        b = edge_b[e]
        w = isl_km[e]
        d = dist[a] + w
        if d < dist[b]:
            dist[b] = d
            parent[b] = a
            parent_edge[b] = e
            size = _heap_push(keys, items, size, d, b)
        d = dist[b] + w
        if d < dist[a]:
            dist[a] = d
            parent[a] = b
            parent_edge[a] = e
            size = _heap_push(keys, items, size, d, a)
    changed = size > 0

    # 3. Repair: Dijkstra from the lowered labels (stale heap entries are skipped).
    while size > 0:
        du, u, size = _heap_pop(keys, items, size)
        if du > dist[u]:
            continue
        for j in range(adj_start[u], adj_start[u + 1]):
            v = adj_node[j]
            d = du + isl_km[adj_edge[j]]
            if d < dist[v]:
                dist[v] = d
                parent[v] = u
                parent_edge[v] = adj_edge[j]
                size = _heap_push(keys, items, size, d, v)

    if changed or lost:
        _rebuild_order(dist, parent, order, n_order, depth)
        return True
    return False


@njit(cache=True, nogil=True)
def _rebuild_order(dist, parent, order, n_order, depth):
    """Breadth-first order of the reachable satellites (parents first) and their depth.

    ``depth[v]``: satellites on the path source → v, v included. Unreachable satellites get
    ``parent = NONE``.
    """
    n = dist.shape[0]
    # Children grouped by parent (counting sort); slot n holds the root's children.
    count = np.zeros(n + 2, dtype=np.int32)
    for v in range(n):
        if dist[v] == np.inf:
            parent[v] = NONE
            continue
        p = parent[v]
        count[(n if p == ROOT else p) + 2] += 1
    for i in range(n + 1):
        count[i + 2] += count[i + 1]
    children = np.empty(n, dtype=np.int32)
    for v in range(n):
        if dist[v] == np.inf:
            continue
        p = parent[v]
        slot = (n if p == ROOT else p) + 1
        children[count[slot]] = v
        count[slot] += 1
    # count[p] .. count[p + 1]: children of p (count[n] .. count[n + 1]: of the root).
    head = 0
    for j in range(count[n], count[n + 1]):
        v = children[j]
        order[head] = v
        depth[v] = 1
        head += 1
    i = 0
    while i < head:
        u = order[i]
        i += 1
        for j in range(count[u], count[u + 1]):
            v = children[j]
            order[head] = v
            depth[v] = depth[u] + 1
            head += 1
    n_order[0] = head


@njit(cache=True, nogil=True)
def _solve(
    dist,
    parent,
    parent_edge,
    order,
    n_order,
    depth,
    sources,
    edge_a,
    edge_b,
    adj_start,
    adj_node,
    adj_edge,
    isl_km,
    gsl_start,
    gsl_sat,
    gsl_km,
    pair_start,
    pair_by_tree,
    pair_src,
    pair_dst,
):
    """Update every source's tree, then the length and path of every pair.

    Tree k's pairs are ``pair_by_tree[pair_start[k]:pair_start[k + 1]]``.
    Returns (length [km], flat paths, path offsets, number of trees that changed).
    """
    n_sats = dist.shape[1]
    n_pairs = pair_src.shape[0]
    # Heap pushes: at most one per link direction in the certification scan and one per link
    # direction in the repair (a node leaves the heap once: keys come out in non-decreasing
    # order and lengths are >= 0), plus one per GSL of the source.
    capacity = 4 * edge_a.shape[0] + n_sats + 1
    keys = np.empty(capacity)
    items = np.empty(capacity, dtype=np.int32)
    root_w = np.full(n_sats, np.inf)
    length = np.empty(n_pairs)
    exit_sat = np.empty(n_pairs, dtype=np.int32)
    offsets = np.zeros(n_pairs + 1, dtype=np.int64)
    n_changed = 0
    for k in range(sources.shape[0]):
        a = sources[k]
        lo, hi = gsl_start[a], gsl_start[a + 1]
        n_changed += _update_tree(
            dist[k],
            parent[k],
            parent_edge[k],
            order[k],
            n_order[k : k + 1],
            depth[k],
            edge_a,
            edge_b,
            adj_start,
            adj_node,
            adj_edge,
            isl_km,
            gsl_sat[lo:hi],
            gsl_km[lo:hi],
            root_w,
            keys,
            items,
        )
        # Into each destination station: the best of the satellites it sees.
        dist_k = dist[k]
        depth_k = depth[k]
        for jj in range(pair_start[k], pair_start[k + 1]):
            j = pair_by_tree[jj]
            b = pair_dst[j]
            best = np.inf
            best_t = -1
            for i in range(gsl_start[b], gsl_start[b + 1]):
                t = gsl_sat[i]
                d = dist_k[t] + gsl_km[i]
                if d < best:
                    best = d
                    best_t = t
            length[j] = best
            exit_sat[j] = best_t
            offsets[j + 1] = 0 if best_t < 0 else depth_k[best_t] + 2
    for j in range(n_pairs):
        offsets[j + 1] += offsets[j]
    flat = np.empty(offsets[-1], dtype=np.int32)
    for k in range(sources.shape[0]):
        parent_k = parent[k]
        for jj in range(pair_start[k], pair_start[k + 1]):
            j = pair_by_tree[jj]
            lo, hi = offsets[j], offsets[j + 1]
            if hi == lo:
                continue
            flat[lo] = n_sats + pair_src[j]
            flat[hi - 1] = n_sats + pair_dst[j]
            v = exit_sat[j]
            for i in range(hi - 2, lo, -1):
                flat[i] = v
                v = parent_k[v]
    return length, flat, offsets, n_changed


def station_links(
    n_stations: int, station: np.ndarray, sat: np.ndarray, length_km: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GSLs grouped by station, for :meth:`DynamicRouter.solve`.

    Parameters
    ----------
    n_stations : int
    station, sat : ndarray of int, shape (L,)
    length_km : ndarray, shape (L,)

    Returns
    -------
    start : ndarray of int64, shape (G + 1,)
        Station g's links are ``start[g]:start[g + 1]`` of the two arrays below.
    sat : ndarray of int32, shape (L,)
    length_km : ndarray of float64, shape (L,)
    """
    # Sorted by station, then satellite: the same order whatever order the links came in.
    by = np.lexsort((sat, station))
    start = np.zeros(n_stations + 1, dtype=np.int64)
    np.cumsum(np.bincount(station, minlength=n_stations), out=start[1:])
    return start, sat[by].astype(np.int32), np.asarray(length_km, dtype=float)[by]


class DynamicRouter:
    """Shortest paths for fixed (source, destination) station pairs over a changing network.

    Satellites are nodes ``0..S-1`` joined by a fixed list of ISLs whose lengths change every
    step (``inf``: not usable this step); stations are path end points only. Call
    :meth:`solve` once per time step: the trees of the last call are the starting point of the
    next. Any sequence of steps gives exact results; steps close in time are fast.

    Parameters
    ----------
    n_sats : int
    isl_edges : ndarray of int, shape (E, 2)
        Undirected ISLs (satellite ids).
    pair_src, pair_dst : ndarray of int, shape (P,)
        Station ids of the pairs; one tree is kept per distinct source (memory: 24 bytes per
        satellite per source, 3.8 MB for Starlink-550's 1,584 satellites and 99 sources).
    """

    def __init__(
        self, n_sats: int, isl_edges: np.ndarray, pair_src: np.ndarray, pair_dst: np.ndarray
    ) -> None:
        edges = np.asarray(isl_edges, dtype=np.int64).reshape(-1, 2)
        self.n_sats = n_sats
        self.edge_a = edges[:, 0].astype(np.int32)
        self.edge_b = edges[:, 1].astype(np.int32)
        # Both directions of every ISL, grouped by the node they leave (for the repair).
        tail = np.concatenate([edges[:, 0], edges[:, 1]])
        head = np.concatenate([edges[:, 1], edges[:, 0]])
        edge = np.concatenate([np.arange(len(edges)), np.arange(len(edges))])
        by = np.argsort(tail, kind="stable")
        self.adj_start = np.zeros(n_sats + 1, dtype=np.int64)
        np.cumsum(np.bincount(tail, minlength=n_sats), out=self.adj_start[1:])
        self.adj_node = head[by].astype(np.int32)
        self.adj_edge = edge[by].astype(np.int32)

        self.pair_src = np.asarray(pair_src, dtype=np.int64).ravel()
        self.pair_dst = np.asarray(pair_dst, dtype=np.int64).ravel()
        self.sources, tree = np.unique(self.pair_src, return_inverse=True)
        self.pair_by_tree = np.argsort(tree, kind="stable")
        self.pair_start = np.zeros(len(self.sources) + 1, dtype=np.int64)
        np.cumsum(np.bincount(tree, minlength=len(self.sources)), out=self.pair_start[1:])
        k = len(self.sources)
        self.dist = np.full((k, n_sats), np.inf)
        self.parent = np.full((k, n_sats), NONE, dtype=np.int32)
        self.parent_edge = np.full((k, n_sats), -1, dtype=np.int32)
        self.order = np.zeros((k, n_sats), dtype=np.int32)
        self.n_order = np.zeros(k, dtype=np.int64)
        self.depth = np.zeros((k, n_sats), dtype=np.int32)
        #: Trees that changed in the last :meth:`solve` (all reachable ones on the first call).
        self.trees_changed = 0

    def solve(
        self,
        isl_km: np.ndarray,
        gsl_start: np.ndarray,
        gsl_sat: np.ndarray,
        gsl_km: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Shortest paths of every pair at this step.

        Parameters
        ----------
        isl_km : ndarray, shape (E,)
            Length of each ISL of ``isl_edges`` [km], >= 0; ``inf`` when not usable this step
            (never NaN).
        gsl_start, gsl_sat, gsl_km
            This step's GSLs grouped by station (:func:`station_links`), lengths [km] >= 0.

        Returns
        -------
        length_km : ndarray, shape (P,)
            One-way path length [km]; ``inf`` when not connected.
        path_flat : ndarray of int32
            Node ids of pair k's path at ``path_offsets[k]:path_offsets[k + 1]``: source
            station ``S + src``, satellites, destination station ``S + dst`` (empty when not
            connected).
        path_offsets : ndarray of int64, shape (P + 1,)
        """
        isl_km = np.ascontiguousarray(isl_km, dtype=float)
        if isl_km.shape != self.edge_a.shape:
            raise ValueError(f"isl_km has shape {isl_km.shape}, expected {self.edge_a.shape}")
        length, flat, offsets, changed = _solve(
            self.dist,
            self.parent,
            self.parent_edge,
            self.order,
            self.n_order,
            self.depth,
            self.sources,
            self.edge_a,
            self.edge_b,
            self.adj_start,
            self.adj_node,
            self.adj_edge,
            isl_km,
            np.ascontiguousarray(gsl_start, dtype=np.int64),
            np.ascontiguousarray(gsl_sat, dtype=np.int32),
            np.ascontiguousarray(gsl_km, dtype=float),
            self.pair_start,
            self.pair_by_tree,
            self.pair_src,
            self.pair_dst,
        )
        self.trees_changed = int(changed)
        return length, flat, offsets
