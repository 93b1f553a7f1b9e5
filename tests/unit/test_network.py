"""Topology, routing and assignment on small graphs whose answers are known by hand."""

import numpy as np
import pytest

from lifeline.constants import C_KM_S
from lifeline.network.assign import limit_per_site, outage_reason
from lifeline.network.routing import route_to_pops, trace_paths
from lifeline.network.topology import (
    MS_PER_KM_VACUUM,
    fiber_delay_ms,
    graph_template,
    instant_graph,
)
from lifeline.reasons import REASON_NO_GATEWAY_PATH, REASON_NO_SATELLITE, REASONS

# Light covers 299.792458 km in 1 ms (SI definition of c).
KM_PER_MS = C_KM_S / 1e3


def chain_graph(gateway_live=(True, True), isl=True):
    """Four satellites in a line 0-1-2-3 (1,000 km apart); gateway 0 under sat 0 (500 km),
    gateway 1 under sat 3 (600 km); both homed to PoP 0 with 1 ms and 10 ms of fibre."""
    edges = np.array([[0, 1], [1, 2], [2, 3]]) if isl else np.zeros((0, 2), int)
    template = graph_template(
        n_sats=4,
        isl_edges=edges,
        isl_length_km=np.full(len(edges), 1000.0),
        feeder_gateway=np.array([0, 1]),
        feeder_sat=np.array([0, 3]),
        feeder_range_km=np.array([500.0, 600.0]),
        gateway_pop_fiber_ms=np.array([[1.0], [10.0]]),
    )
    return instant_graph(
        template,
        isl_up=np.ones(len(edges), bool),
        feeder_up=np.ones(2, bool),
        gateway_pop=np.array([0, 0]),
        gateway_live=np.array(gateway_live),
    )


def test_only_the_home_pop_fibre_is_an_edge():
    """The template holds every gateway→PoP fibre; a state keeps only each live gateway's link
    to its home PoP. Gateway 0 (under sat 0, 500 km) is 1 ms from PoP 0 but homed to PoP 1,
    20 ms away: sat 0 exits through PoP 1 at 500 km / c + 20 ms, never through PoP 0."""
    template = graph_template(
        n_sats=1,
        isl_edges=np.zeros((0, 2), int),
        isl_length_km=np.zeros(0),
        feeder_gateway=np.array([0]),
        feeder_sat=np.array([0]),
        feeder_range_km=np.array([500.0]),
        gateway_pop_fiber_ms=np.array([[1.0, 20.0]]),
    )
    graph = instant_graph(template, np.zeros(0, bool), np.ones(1, bool), np.array([1]), [True])
    routes = route_to_pops(graph)
    assert routes.delay_ms[0] == pytest.approx(500 * MS_PER_KM_VACUUM + 20.0)
    assert routes.predecessor[1] == 1 + 1 + 1  # gateway node 1 ← PoP node 3 (S + G + 1)
    # A feeder not in use is no edge either.
    off = instant_graph(template, np.zeros(0, bool), np.zeros(1, bool), np.array([1]), [True])
    assert not route_to_pops(off).sat_reachable[0]


def test_fiber_delay_follows_group_index_and_stretch():
    # 1,000 km at stretch 2.1 and n = 1.4682 (references.md#fibre-stretch): 2,100 km at c/1.4682 =
    # 10.284 ms.
    assert fiber_delay_ms(1000.0, 2.1, 1.4682) == pytest.approx(2100 * 1.4682 / KM_PER_MS)
    assert fiber_delay_ms(1000.0, 2.1, 1.4682) == pytest.approx(10.284, abs=1e-3)


def test_dijkstra_picks_lowest_latency_exit():
    routes = route_to_pops(chain_graph())
    d = routes.delay_ms
    # Sat 0 exits at gateway 0: 500 km + 1 ms fibre.
    assert d[0] == pytest.approx(500 * MS_PER_KM_VACUUM + 1.0)
    # Sat 3: via gateway 1 = 600 km + 10 ms (12.0 ms) beats 3,000 km of ISL + 500 km + 1 ms (12.7).
    assert d[3] == pytest.approx(600 * MS_PER_KM_VACUUM + 10.0)
    # Sat 2: 1,000 km + sat 3's exit (15.3 ms) vs 2,000 km + gateway 0 (9.34 ms): gateway 0.
    assert d[2] == pytest.approx(2500 * MS_PER_KM_VACUUM + 1.0)
    paths = trace_paths(routes, np.array([2, 3, 0]))
    assert paths[0].tolist()[:4] == [2, 1, 0, 4]  # sats 2 → 1 → 0 → gateway node 4
    assert paths[1].tolist()[:2] == [3, 5]
    assert paths[2].tolist()[:2] == [0, 4]


def test_down_gateway_carries_nothing():
    routes = route_to_pops(chain_graph(gateway_live=(False, True)))
    assert routes.delay_ms[0] == pytest.approx(3600 * MS_PER_KM_VACUUM + 10.0)


def test_bent_pipe_needs_a_gateway_under_the_satellite():
    routes = route_to_pops(chain_graph(isl=False))
    assert routes.sat_reachable.tolist() == [True, False, False, True]


def test_ground_stations_are_never_relays():
    # Sat 1 sees only gateway 1 ... but the graph has no sat → gateway edge, so a path can't
    # go sat 2 → gateway → sat: without ISLs sat 1 and 2 stay unreachable even though
    # gateways 0 and 1 are both live.
    routes = route_to_pops(chain_graph(isl=False))
    assert not np.isfinite(routes.delay_ms[[1, 2]]).any()


def test_no_live_pop_means_no_route():
    routes = route_to_pops(chain_graph(), pop_live=np.array([False]))
    assert not routes.sat_reachable.any()


def test_outage_reasons():
    reason = outage_reason(np.array([7, -1, -1]), np.array([True, True, False]))
    assert [REASONS[r] for r in reason] == ["", REASON_NO_GATEWAY_PATH, REASON_NO_SATELLITE]


def test_gateway_antenna_limit_keeps_highest():
    # Site 0 has three pairs (highest first), site 1 two; limits 2 and 1.
    keep = limit_per_site(np.array([0, 0, 0, 1, 1]), np.array([2, 1]))
    assert keep.tolist() == [True, True, False, True, False]
