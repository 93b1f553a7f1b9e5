"""One routing instant: the network state events leave (:class:`NetState`), the geometry events
cannot change (:class:`Geometry`: satellite tree, gateways in view, laser links in reach, the
routing graph's candidate edges) and the plan made from them (:func:`plan_network`: topology,
multi-source Dijkstra from the live PoPs, each terminal's serving satellite and outage reason).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from lifeline.constants import WGS84_A_KM
from lifeline.engine.inputs import Ground, PowerTimeline
from lifeline.events import Masks, Timeline
from lifeline.links.gsl import GSLPairs, SatTree, SiteSet, SiteView, build_sat_tree, find_visible
from lifeline.links.isl import isl_geometry
from lifeline.network.assign import (
    BestSatellite,
    best_of_view,
    best_visible,
    limit_per_site,
    outage_reason,
)
from lifeline.network.routing import Routes, route_to_pops
from lifeline.network.topology import GraphTemplate, graph_template, instant_graph
from lifeline.reasons import REASON_GROUND_DOWN, REASON_SATELLITE_FAILED, REASONS


@dataclass(frozen=True)
class NetState:
    """The ground network and failures in force during one event interval.

    ``gateway_live`` combines the scenario's ``live`` flags with the events; a gateway whose PoP
    is down re-homes to the nearest live PoP unless the scenario names its PoP.
    """

    masks: Masks
    gateway_live: np.ndarray  # (G,) bool
    pop_live: np.ndarray  # (P,) bool
    gateway_pop: np.ndarray  # (G,) int
    gateway_fiber_ms: np.ndarray  # (G,) one-way fibre delay to that PoP [ms]


def no_events(ground: Ground, n_sats: int, n_isl: int) -> Masks:
    """Masks with everything up."""
    ones = np.ones
    return Masks(
        ones(len(ground.gateway_names), bool),
        ones(len(ground.pop_names), bool),
        ones(n_sats, bool),
        ones(n_isl, bool),
    )


def net_state(ground: Ground, masks: Masks) -> NetState:
    """Apply an interval's masks to the ground network (re-homing gateways of dead PoPs)."""
    pop_live = masks.pop_up
    home = ground.gateway_pop.copy()
    movable = ~ground.gateway_pop_fixed & ~pop_live[home]
    if movable.any() and pop_live.any():
        fiber = np.where(pop_live[None, :], ground.gateway_pop_fiber_ms[movable], np.inf)
        home[movable] = np.argmin(fiber, axis=1)
    rows = np.arange(len(home))
    return NetState(
        masks=masks,
        gateway_live=ground.gateway_live & masks.gateway_up & pop_live[home],
        pop_live=pop_live,
        gateway_pop=home,
        gateway_fiber_ms=ground.gateway_pop_fiber_ms[rows, home],
    )


@dataclass(frozen=True)
class Plan:
    """The network at one instant and each terminal's assignment from it."""

    routes: Routes
    serving: np.ndarray  # (N,) satellite index, -1 when none
    reason: np.ndarray  # (N,) code into REASONS
    sat_ecef_km: np.ndarray  # (S, 3) positions the plan was made with
    state: NetState  # the ground network the routes were computed on


@dataclass
class Context:
    """Everything fixed over a run that the per-slot stages need."""

    ground: Ground
    terminal_sites: SiteSet
    gateway_sites: SiteSet
    isl_edges: np.ndarray
    isl_max_range_km: float | None
    isl_min_grazing_altitude_km: float
    n_sats: int
    timeline: Timeline
    states: list[NetState]  # one per timeline interval
    unaffected: NetState  # the ground network with no event, for outage causes

    step_s: float
    power: PowerTimeline

    @cached_property
    def terminal_key(self) -> str:
        """Fingerprint of the fixed terminal sites (positions, masks, range limits)."""
        t = self.terminal_sites
        h = hashlib.sha1()
        for a in (t.ecef_km, t.min_elevation_deg, t.horizon_deg, t.max_range_km):
            h.update(b"-" if a is None else np.ascontiguousarray(a).tobytes())
        return h.hexdigest()

    def state_at_step(self, k: int) -> NetState:
        """The network state in force at output step ``k``."""
        return self.states[int(self.timeline.interval_at_step(k, self.step_s))]


@dataclass(frozen=True)
class Geometry:
    """What events cannot change at one instant: the satellites' positions and KD-tree, every
    gateway's visible satellites, the laser links in reach (both ends valid, the ray above the
    grazing altitude, within the maximum range; indices into ``Context.isl_edges``) and the
    routing graph's every candidate edge (:class:`GraphTemplate`). Sweep samples that differ
    only in events, terminals or radio share it (:class:`SharedInputs`).
    """

    sat_ecef_km: np.ndarray
    sat_valid: np.ndarray
    tree: SatTree
    gateways: GSLPairs
    isl_reach: np.ndarray
    graph: GraphTemplate

    @property
    def max_alt_km(self) -> float:
        """Highest valid satellite's altitude bound [km]: limits every visibility search."""
        return self.tree.max_radius_km - WGS84_A_KM


def geometry_at(ctx: Context, sat_ecef_km: np.ndarray, sat_valid: np.ndarray) -> Geometry:
    """The event-independent geometry of one instant (satellite positions [km], ECEF)."""
    tree = build_sat_tree(sat_ecef_km, sat_valid)
    gateways = find_visible(ctx.gateway_sites, tree, sat_ecef_km, tree.max_radius_km - WGS84_A_KM)
    edges = ctx.isl_edges
    reach = np.flatnonzero(sat_valid[edges[:, 0]] & sat_valid[edges[:, 1]])
    length_km, grazing_km = isl_geometry(sat_ecef_km, edges[reach])
    ok = grazing_km >= ctx.isl_min_grazing_altitude_km
    if ctx.isl_max_range_km is not None:
        ok &= length_km <= ctx.isl_max_range_km
    reach, length_km = reach[ok], length_km[ok]
    graph = graph_template(
        ctx.n_sats,
        edges[reach],
        length_km,
        gateways.site,
        gateways.sat,
        gateways.range_km,
        ctx.ground.gateway_pop_fiber_ms,
    )
    return Geometry(sat_ecef_km, sat_valid, tree, gateways, reach, graph)


def _route(ctx: Context, geom: Geometry, state: NetState, sat_ok: np.ndarray) -> Routes:
    """Dijkstra for one ground state on the instant's graph: laser links whose ends work and
    that did not fail; feeders of each live gateway to its highest working satellites, up to
    its antenna count; fibre from each live gateway to its PoP."""
    edges = ctx.isl_edges[geom.isl_reach]
    isl_up = state.masks.isl_ok[geom.isl_reach] & sat_ok[edges[:, 0]] & sat_ok[edges[:, 1]]
    gw = geom.gateways
    up = state.gateway_live[gw.site] & sat_ok[gw.sat]
    feeder_up = np.zeros(len(gw.site), dtype=bool)
    feeder_up[up] = limit_per_site(gw.site[up], ctx.ground.gateway_max_sats)
    graph = instant_graph(geom.graph, isl_up, feeder_up, state.gateway_pop, state.gateway_live)
    return route_to_pops(graph, state.pop_live)


def plan_network(
    ctx: Context,
    geom: Geometry,
    state: NetState,
    terminal_sites: SiteSet | None = None,
    terminal_view: SiteView | None = None,
) -> Plan:
    """Topology, routing and assignment at one instant (its :class:`Geometry`), under
    ``state``'s events.

    Failed satellites stay in view (a terminal still sees them) but neither serve, relay nor
    feed. Outage causes (see :data:`REASONS`): ``satellite_failed`` where every satellite in
    view has failed; ``ground_down`` where the terminal would have had a route with the ground
    stations that events took down; else ``no_gateway_path`` or ``no_satellite``. The extra
    checks run only for unserved terminals while such an event is active, so events cost little.
    ``terminal_sites``: the terminals where they are at this instant (default: fixed sites).
    ``terminal_view``: every satellite those terminals see at this instant, when a caller keeps
    it between runs (:class:`SharedInputs`); the choice is the same as without it.
    """
    terminals = ctx.terminal_sites if terminal_sites is None else terminal_sites
    sat_ecef_km = geom.sat_ecef_km

    def best(usable: np.ndarray, index: np.ndarray | None = None) -> BestSatellite:
        if terminal_view is not None:
            return best_of_view(
                terminal_view if index is None else terminal_view.take(index), usable
            )
        sites = terminals if index is None else terminals.take(index)
        return best_visible(sites, geom.tree, sat_ecef_km, geom.max_alt_km, usable)

    masks = state.masks
    routes = _route(ctx, geom, state, masks.sat_ok)
    chosen = best(routes.sat_reachable & masks.sat_ok)
    serving, reason = chosen.sat, outage_reason(chosen.sat, chosen.sees_any, chosen.obstructed)

    code = REASONS.index
    unserved = np.flatnonzero((serving < 0) & chosen.sees_any)
    if len(unserved) and masks.sat_events:
        only_failed = best(masks.sat_ok, unserved).sat < 0
        reason[unserved[only_failed]] = code(REASON_SATELLITE_FAILED)
        unserved = unserved[~only_failed]
    if len(unserved) and masks.ground_events:
        restored = _route(ctx, geom, ctx.unaffected, masks.sat_ok)
        would = best(restored.sat_reachable & masks.sat_ok, unserved)
        reason[unserved[would.sat >= 0]] = code(REASON_GROUND_DOWN)
    return Plan(routes, serving, reason, sat_ecef_km, state)
