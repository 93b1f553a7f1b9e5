"""The dynamic router (trees carried between steps) against SciPy's Dijkstra at every step.

The reference is :func:`lifeline.pairmode.route_dijkstra` (SciPy's ``dijkstra`` on the step's
graph, nothing carried over); both routers are given the same :class:`StepLinks`, so any
difference is the router's. Lengths must be equal bit for bit (the argument is in
``lifeline/network/dynamic.py``); paths may differ only between paths of exactly equal length.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow.parquet as pq
import pytest

import lifeline.pairmode
import lifeline.pairmode.links
import lifeline.pairmode.run
from lifeline.io.hypatia import read_network_dir, write_network_dir
from lifeline.links.isl import plus_grid
from lifeline.network.dynamic import DynamicRouter
from lifeline.orbits.hypatia_paper import PAPER_SHELLS, write_paper_network
from lifeline.orbits.walker import hypatia_tle_lines
from lifeline.pairmode import (
    PairNetwork,
    StepLinks,
    block_links,
    positions_km,
    prepare,
    resolve_pairs,
    route_dijkstra,
    run_pairs,
    step_links,
)


def _shell_network(name: str, folder) -> PairNetwork:
    """A paper shell of Hypatia (``PAPER_SHELLS``) with its +Grid over the 100 cities."""
    return PairNetwork.from_hypatia(read_network_dir(write_paper_network(folder, name)))


def _path_length_km(path: list[int], links: StepLinks, edges: np.ndarray, n_sats: int) -> float:
    """Length of a path over this step's usable links, summed from the source as the routers
    do; raises if a link of the path is not usable."""
    isl = {(min(a, b), max(a, b)): e for e, (a, b) in enumerate(edges.tolist())}

    def gsl(station: int, sat: int) -> float:
        lo, hi = links.gsl_start[station], links.gsl_start[station + 1]
        (at,) = np.flatnonzero(links.gsl_sat[lo:hi] == sat)
        return float(links.gsl_km[lo + at])

    src, sats, dst = path[0] - n_sats, path[1:-1], path[-1] - n_sats
    total = gsl(src, sats[0])
    for a, b in zip(sats[:-1], sats[1:], strict=True):
        w = links.isl_km[isl[(min(a, b), max(a, b))]]
        assert np.isfinite(w), f"ISL {a}-{b} is not usable"
        total += w
    return total + gsl(dst, sats[-1])


def _assert_same(got, ref, links, edges, n_sats) -> int:
    """Lengths bit for bit; paths equal or of exactly the reference's length. Returns the
    number of pairs whose path differs (ties)."""
    length, flat, offsets = got
    assert np.array_equal(length, ref.length_km)  # inf where not connected, on both sides
    if np.array_equal(offsets, ref.path_offsets) and np.array_equal(flat, ref.path_flat):
        return 0
    ties = 0
    for k in range(len(length)):
        path = flat[offsets[k] : offsets[k + 1]].tolist()
        if path != ref.path(k):
            ties += 1
            assert _path_length_km(path, links, edges, n_sats) == ref.length_km[k]
    return ties


@pytest.mark.parametrize("shell", sorted(PAPER_SHELLS))
def test_dynamic_equals_dijkstra_as_links_come_and_go(shell, tmp_path):
    """All 4,950 pairs of 100 cities over a sequence of steps: 100-ms steps, jumps (minutes,
    and back in time), satellites failing (one city left with none), and a shorter ISL limit
    that removes and restores hundreds of ISLs; one router carries its trees through all."""
    network = _shell_network(shell, tmp_path / "net")
    prepared = prepare(network)
    # A fifth of the +Grid ISLs are longer than this limit at t = 0.
    r0, valid0 = positions_km(prepared, network.epoch_utc + np.zeros(1, "timedelta64[ns]"))
    isl0 = step_links(prepared, r0[0], valid0[0]).isl_km
    short = prepare(dataclasses.replace(network, max_isl_km=float(np.quantile(isl0, 0.8))))
    pairs = resolve_pairs("all", network.gs_names)
    router = DynamicRouter(network.n_sats, prepared.isl_edges, pairs[:, 0], pairs[:, 1])

    rng = np.random.default_rng(4)  # fixed: the same failed satellites every run
    failed = rng.choice(network.n_sats, 40, replace=False)
    # (time [s], topology, satellites made invalid)
    plan = [(t, prepared, None) for t in (0.0, 0.1, 0.2, 0.3, 1.3, 60.0, 600.0, 0.4)]
    plan += [(0.5, prepared, failed), (0.6, prepared, None)]
    plan += [(0.7, prepared, "city 0"), (0.8, short, None), (0.9, short, failed)]
    plan += [(1.0, prepared, None)]
    times = network.epoch_utc + np.array([round(t * 1e9) for t, _, _ in plan], "timedelta64[ns]")
    r_all, valid_all = positions_km(prepared, times)
    ties = 0
    changed = []
    for (_, topology, invalid), r_km, valid in zip(plan, r_all, valid_all, strict=True):
        valid = valid.copy()
        if isinstance(invalid, str):  # every satellite Tokyo (id 0) sees fails
            links = step_links(topology, r_km, valid)
            valid[links.gsl_sat[links.gsl_start[0] : links.gsl_start[1]]] = False
        elif invalid is not None:
            valid[invalid] = False
        links = step_links(topology, r_km, valid)
        got = router.solve(links.isl_km, links.gsl_start, links.gsl_sat, links.gsl_km)
        ref = route_dijkstra(topology, links, pairs[:, 0], pairs[:, 1])
        ties += _assert_same(got, ref, links, prepared.isl_edges, network.n_sats)
        changed.append(router.trees_changed)
        if isinstance(invalid, str):
            assert np.isinf(got[0][pairs[:, 0] == 0]).all()  # Tokyo is cut off
            assert np.isfinite(got[0][pairs[:, 0] != 0]).any()
    # Not vacuous: failures (step 8), the short ISL limit (11) and restoring it (13) changed
    # many trees; a 100-ms step (1) few.
    assert min(changed[8], changed[11], changed[13]) > 10
    assert changed[1] < 20
    assert ties <= 10  # exact ties between different paths are rare in this geometry


def test_dynamic_any_pair_order(tmp_path):
    """Pairs in any order, repeated sources and reversed pairs map back to their rows."""
    network = _shell_network("kuiper-630", tmp_path / "net")
    prepared = prepare(network)
    pairs = np.array([[24, 21], [21, 24], [17, 85], [24, 0], [85, 17], [24, 99], [3, 24]])
    router = DynamicRouter(network.n_sats, prepared.isl_edges, pairs[:, 0], pairs[:, 1])
    times = network.epoch_utc + np.array([0, 100_000_000, 10**10], "timedelta64[ns]")
    r_all, valid_all = positions_km(prepared, times)
    for r_km, valid in zip(r_all, valid_all, strict=True):
        links = step_links(prepared, r_km, valid)
        got = router.solve(links.isl_km, links.gsl_start, links.gsl_sat, links.gsl_km)
        ref = route_dijkstra(prepared, links, pairs[:, 0], pairs[:, 1])
        _assert_same(got, ref, links, prepared.isl_edges, network.n_sats)
        # Undirected links: a pair and its reverse have the same length.
        assert got[0][0] == pytest.approx(got[0][1], rel=1e-12)


def test_dynamic_rejects_wrong_isl_count(tmp_path):
    router = DynamicRouter(4, np.array([[0, 1], [1, 2]]), np.array([0]), np.array([1]))
    with pytest.raises(ValueError, match=r"expected \(2,\)"):
        router.solve(np.ones(3), np.zeros(3, dtype=np.int64), np.zeros(0), np.zeros(0))


#: The small network of tests/unit/test_pairs.py: 6 x 6 shell, four far-apart stations, so some
#: pairs are not connected at some steps.
STATIONS = (
    "0,Quito,-0.18,-78.47,0\n1,Nairobi,-1.29,36.82,0\n2,Oslo,59.91,10.75,0\n"
    "3,Perth,-31.95,115.86,0\n"
)


@pytest.fixture(scope="module")
def small_network(tmp_path_factory):
    records = hypatia_tle_lines(6, 6, 53.0, 15.19, name="Small")
    plane, slot = np.repeat(np.arange(6), 6), np.tile(np.arange(6), 6)
    folder = tmp_path_factory.mktemp("small")
    write_network_dir(
        folder, 6, 6, records, plus_grid(plane, slot), STATIONS, 2_500_000.0, 9_000_000.0
    )
    return PairNetwork.from_hypatia(read_network_dir(folder))


def test_run_pairs_routers_write_the_same_table(small_network, tmp_path):
    pairs = resolve_pairs("all", small_network.gs_names)
    tables = {}
    for router in ("dynamic", "dijkstra"):
        result = run_pairs(
            small_network, 600.0, 30.0, pairs, tmp_path / router, block_steps=7, router=router
        )
        tables[router] = pq.read_table(result.path)
        meta = (tmp_path / router / "pairs_meta.json").read_text()
        assert f'"router": "{router}"' in meta
    dynamic, dijkstra = tables["dynamic"], tables["dijkstra"]
    assert dynamic.num_rows == 20 * 6
    rtt = dynamic.column("rtt_ms").to_numpy()
    assert np.array_equal(rtt, dijkstra.column("rtt_ms").to_numpy(), equal_nan=True)
    assert 0 < np.isnan(rtt).sum() < len(rtt)  # some pairs connected, some not
    assert dynamic.column("path").to_pylist() == dijkstra.column("path").to_pylist()
    assert dynamic.column("hops").to_pylist() == dijkstra.column("hops").to_pylist()


def test_run_pairs_writer_error_surfaces_and_leaves_no_file(small_network, tmp_path, monkeypatch):
    """An error in the background writer thread is raised by run_pairs; no partial table."""

    def failing_write(writer, table):
        table()  # the batch builds; writing it fails
        raise OSError("disk full")

    monkeypatch.setattr(lifeline.pairmode.run, "timed_write", failing_write)
    pairs = resolve_pairs("all", small_network.gs_names)
    with pytest.raises(OSError, match="disk full"):
        run_pairs(small_network, 60.0, 10.0, pairs, tmp_path, block_steps=2)
    assert list(tmp_path.iterdir()) == []


def test_run_pairs_unknown_router(small_network, tmp_path):
    pairs = resolve_pairs("all", small_network.gs_names)
    with pytest.raises(lifeline.pairmode.PairSelectionError, match="'dynamic' or 'dijkstra'"):
        run_pairs(small_network, 1.0, 1.0, pairs, tmp_path, router="floyd")


def test_block_links_equal_per_step_brute_force(tmp_path):
    """GSL candidates shared by a run of steps (block_links) miss nothing and add nothing:
    each step's GSLs equal a dense station x satellite range test with Hypatia's float32 rule,
    with satellites failing at some steps (those are paired with every station)."""
    network = _shell_network("starlink-550", tmp_path / "net")
    prepared = prepare(network)
    times = network.epoch_utc + np.arange(0, 60_000, 500).astype("timedelta64[ms]")
    r_all, valid_all = positions_km(prepared, times)
    valid_all = valid_all.copy()
    valid_all[10:30, :200:7] = False  # fail for a while, mid-run
    assert lifeline.pairmode.links._run_length(r_all, valid_all) > 5  # runs span several steps
    n_links = []
    for i, links in enumerate(block_links(prepared, r_all, valid_all)):
        r_km, valid = r_all[i], valid_all[i]
        gsl = np.linalg.norm(r_km[None, :, :] - prepared.site_km[:, None, :], axis=-1)
        ok = valid[None, :] & (np.float32(gsl * 1e3) <= network.max_gsl_km * 1e3)
        gs, sat = np.nonzero(ok)  # sorted by station, then satellite
        assert np.array_equal(links.gsl_start, np.r_[0, np.cumsum(ok.sum(axis=1))])
        assert np.array_equal(links.gsl_sat, sat)
        # 1e-9 km = 1 um: the same distance up to rounding.
        assert np.allclose(links.gsl_km, gsl[gs, sat], rtol=0, atol=1e-9)
        single = step_links(prepared, r_km, valid)
        assert np.array_equal(single.isl_km, links.isl_km)
        assert np.array_equal(single.gsl_sat, links.gsl_sat)
        n_links.append(len(sat))
    assert i == len(times) - 1
    assert len(set(n_links)) > 5  # links come and go over the minute


def test_run_pairs_error_during_a_write_leaves_no_file(small_network, tmp_path):
    """An error in the main thread while a block is being written: the write finishes, the
    file is closed and removed, and the error is the one raised."""

    def progress(done, total):
        raise RuntimeError("stopped by the user")

    pairs = resolve_pairs("all", small_network.gs_names)
    with pytest.raises(RuntimeError, match="stopped by the user"):
        run_pairs(small_network, 60.0, 10.0, pairs, tmp_path, progress=progress, block_steps=2)
    assert list(tmp_path.iterdir()) == []
