"""One routing instant: the network state events leave (:class:`NetState`), the geometry events
cannot change (:class:`Geometry`: satellite tree, gateways in view, laser links in reach, the
routing graph's candidate edges) and the plan made from them (:func:`plan_network`: topology,
multi-source Dijkstra from the live PoPs, each terminal's serving satellite and outage reason).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from lifeline.constants import WGS84_A_KM
from lifeline.engine.inputs import Ground, PowerTimeline
from lifeline.events import Masks, Timeline
from lifeline.geo import look_angles
from lifeline.links.gsl import (
    GSLPairs,
    SatTree,
    SiteSet,
    SiteView,
    build_sat_tree,
    find_visible,
    site_view,
)
from lifeline.links.isl import isl_geometry
from lifeline.network.assign import (
    LOOKAHEAD_S,
    LOOKAHEAD_STEP_S,
    MIN_RTT_HYSTERESIS_MS,
    BestSatellite,
    best_of_view,
    choose_serving,
    outage_reason,
)
from lifeline.network.routing import Routes, route_to_pops
from lifeline.network.topology import (
    MS_PER_KM_VACUUM,
    GraphTemplate,
    allocate_feeders,
    graph_template,
    instant_graph,
)
from lifeline.orbits.propagate import Ephemeris
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
    isl_formed: Callable[[float], np.ndarray | None]  # LaserLinks.formed
    isl_max_range_km: float | None
    isl_min_grazing_altitude_km: float
    n_sats: int
    timeline: Timeline
    states: list[NetState]  # one per timeline interval
    unaffected: NetState  # the ground network with no event, for outage causes

    step_s: float
    power: PowerTimeline
    serving_policy: str = "min_rtt"  # network.serving_policy

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


def geometry_at(
    ctx: Context, sat_ecef_km: np.ndarray, sat_valid: np.ndarray, t_s: float
) -> Geometry:
    """The event-independent geometry of the instant ``t_s`` [s after the scenario start]
    (satellite positions [km], ECEF): only the laser links formed then can be in reach."""
    tree = build_sat_tree(sat_ecef_km, sat_valid)
    gateways = find_visible(ctx.gateway_sites, tree, sat_ecef_km, tree.max_radius_km - WGS84_A_KM)
    edges = ctx.isl_edges
    candidate = sat_valid[edges[:, 0]] & sat_valid[edges[:, 1]]
    formed = ctx.isl_formed(t_s)
    if formed is not None:
        candidate &= formed
    reach = np.flatnonzero(candidate)
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


def _route(
    ctx: Context,
    geom: Geometry,
    state: NetState,
    sat_ok: np.ndarray,
    wanted: list[np.ndarray],
    lasting: np.ndarray | None = None,
) -> Routes:
    """Dijkstra for one ground state on the instant's graph: laser links whose ends work and
    that did not fail; feeders of each live gateway to its working satellites, up to its
    antenna count, first to the ``wanted`` satellites, a list of (S,) masks in order of
    priority (those serving terminals, then those the terminals see; :func:`allocate_feeders`
    within each), then to the others; fibre from each live gateway to its PoP. ``lasting``
    (M,): within each tier the gateway pairs still in view at the slot's end take the
    antennas before the others, so a feeder link rarely sets inside the slot."""
    edges = ctx.isl_edges[geom.isl_reach]
    isl_up = state.masks.isl_ok[geom.isl_reach] & sat_ok[edges[:, 0]] & sat_ok[edges[:, 1]]
    gw = geom.gateways
    up = state.gateway_live[gw.site] & sat_ok[gw.sat]
    feeder_up = np.zeros(len(gw.site), dtype=bool)
    capacity = ctx.ground.gateway_max_sats
    # Antennas in tiers: each priority's satellites not yet covered get one antenna each
    # before the next priority's (pairs still in view at the slot's end before those that
    # set inside it); then every antenna left goes to the other pairs, lasting ones first.
    split = [np.ones(len(gw.sat), dtype=bool)] if lasting is None else [lasting, ~lasting]
    covered = np.zeros(ctx.n_sats, dtype=bool)
    for mask in wanted:
        for part in split:
            tier = up & part & mask[gw.sat] & ~covered[gw.sat]
            used = np.bincount(gw.site[feeder_up], minlength=len(capacity))
            feeder_up[tier] = allocate_feeders(
                gw.site[tier], gw.sat[tier], capacity - used, mask & ~covered, fill=False
            )
            covered[gw.sat[feeder_up]] = True
    for part in split:
        tier = up & part & ~feeder_up
        used = np.bincount(gw.site[feeder_up], minlength=len(capacity))
        feeder_up[tier] = allocate_feeders(
            gw.site[tier], gw.sat[tier], capacity - used, np.zeros(ctx.n_sats, dtype=bool)
        )
    graph = instant_graph(geom.graph, isl_up, feeder_up, state.gateway_pop, state.gateway_live)
    return route_to_pops(graph, state.pop_live)


def time_in_view_s(
    ephemeris: Ephemeris, t_s: float, sites: SiteSet, pair_site: np.ndarray, pair_sat: np.ndarray
) -> np.ndarray:
    """(M,) how long each (site, satellite) pair stays above the site's minimum elevation from
    ``t_s`` [s since the ephemeris start], sampled every :data:`LOOKAHEAD_STEP_S` up to
    :data:`LOOKAHEAD_S` (or the ephemeris' end) [s]."""
    ahead = t_s + np.arange(1, int(LOOKAHEAD_S / LOOKAHEAD_STEP_S) + 1) * LOOKAHEAD_STEP_S
    ahead = ahead[ahead <= ephemeris.t_s[-1]]
    if len(ahead) == 0 or len(pair_site) == 0:
        return np.zeros(len(pair_site))
    used, local = np.unique(pair_sat, return_inverse=True)
    r, valid = ephemeris.at(ahead, used)  # (J, U, 3), (J, U)
    elevation, _, _ = look_angles(
        sites.lat_deg[pair_site], sites.lon_deg[pair_site], sites.ecef_km[pair_site], r[:, local]
    )
    up = valid[:, local] & (elevation >= sites.min_elevation_deg[pair_site])
    # Consecutive samples in view from the start.
    steps = np.where(up.all(axis=0), len(ahead), np.argmin(up, axis=0))
    return steps * LOOKAHEAD_STEP_S


def _still_up(
    ephemeris: Ephemeris, t_s: float, sites: SiteSet, pair_site: np.ndarray, pair_sat: np.ndarray
) -> np.ndarray:
    """(M,) whether each (site, satellite) pair is above the site's minimum elevation at
    ``t_s`` [s since the ephemeris start]."""
    if len(pair_site) == 0:
        return np.zeros(0, dtype=bool)
    used, local = np.unique(pair_sat, return_inverse=True)
    r, valid = ephemeris.at(np.array([t_s]), used)
    elevation, _, _ = look_angles(
        sites.lat_deg[pair_site], sites.lon_deg[pair_site], sites.ecef_km[pair_site], r[0, local]
    )
    return valid[0, local] & (elevation >= sites.min_elevation_deg[pair_site])


def plan_network(
    ctx: Context,
    geom: Geometry,
    state: NetState,
    terminal_sites: SiteSet | None = None,
    terminal_view: SiteView | None = None,
    previous: np.ndarray | None = None,
    ephemeris: Ephemeris | None = None,
    t_s: float = 0.0,
    index: np.ndarray | None = None,
    slot_end_s: float | None = None,
) -> Plan:
    """Topology, routing and assignment at one instant (its :class:`Geometry`), under
    ``state``'s events.

    Gateway antennas go first to the satellites the terminals see; each terminal's serving
    satellite is chosen by ``ctx.serving_policy`` among the routable ones it sees
    (:func:`choose_serving`), keeping ``previous`` (N,) where the policy's hysteresis allows.
    Failed satellites stay in view (a terminal still sees them) but neither serve, relay nor
    feed. Outage causes (see :data:`REASONS`): ``satellite_failed`` where every satellite in
    view has failed; ``ground_down`` where the terminal would have had a route with the ground
    stations that events took down; else ``no_gateway_path`` or ``no_satellite``. The extra
    checks run only for unserved terminals while such an event is active, so events cost little.
    ``terminal_sites``: the terminals where they are at this instant (default: fixed sites).
    ``terminal_view``: every satellite those terminals see at this instant, when a caller keeps
    it between runs (:class:`SharedInputs`); the choice is the same as without it.
    ``ephemeris``, ``t_s``: for ``longest_visible``, the positions ahead of this instant
    [s since the ephemeris start]. ``index``: the terminals to assign (default all; a
    re-plan inside a slot assigns only those whose path broke, and their satellites take the
    gateway antennas first); the others get −1 in :attr:`Plan.serving`. ``slot_end_s``
    [s since the ephemeris start]: ``min_rtt`` prefers satellites still above the terminal's
    mask then (the controller assigns for the slot), so it does not pick one about to set.
    """
    all_sites = ctx.terminal_sites if terminal_sites is None else terminal_sites
    n_all = len(all_sites)
    index = np.arange(n_all) if index is None else np.asarray(index, dtype=np.intp)
    subset = len(index) < n_all
    terminals = all_sites.take(index) if subset else all_sites
    sat_ecef_km = geom.sat_ecef_km
    if terminal_view is None:
        view = site_view(terminals, geom.tree, sat_ecef_km, geom.max_alt_km)
    else:
        view = terminal_view.take(index) if subset else terminal_view
    pairs = view.pairs
    before = None if previous is None else np.asarray(previous)[index]

    def best(usable: np.ndarray, index: np.ndarray | None = None) -> BestSatellite:
        return best_of_view(view if index is None else view.take(index), usable)

    masks = state.masks
    wanted = np.zeros(ctx.n_sats, dtype=bool)
    wanted[pairs.sat[view.clear]] = True
    wanted &= masks.sat_ok
    serving_now = np.zeros(ctx.n_sats, dtype=bool)
    if before is not None:
        serving_now[before[before >= 0]] = True
    wanted = [serving_now & masks.sat_ok, wanted]
    lasting = None
    if ephemeris is not None and slot_end_s is not None and slot_end_s > t_s:
        gw = geom.gateways
        lasting = _still_up(ephemeris, slot_end_s, ctx.gateway_sites, gw.site, gw.sat)
    routes = _route(ctx, geom, state, masks.sat_ok, wanted, lasting)
    usable = routes.sat_reachable & masks.sat_ok
    chosen = best(usable)
    serving = chosen.sat
    policy = ctx.serving_policy
    if policy != "max_elevation":
        ok = view.clear & usable[pairs.sat]
        if policy == "min_rtt":
            score = 2.0 * (pairs.range_km * MS_PER_KM_VACUUM + routes.delay_ms[pairs.sat])
            hysteresis = MIN_RTT_HYSTERESIS_MS
            if ephemeris is not None and slot_end_s is not None and slot_end_s > t_s:
                stays = ok & _still_up(ephemeris, slot_end_s, terminals, pairs.site, pairs.sat)
                # Where no usable satellite lasts the slot, any usable one will do.
                has_lasting = np.zeros(view.n_sites, dtype=bool)
                has_lasting[pairs.site[stays]] = True
                ok = np.where(has_lasting[pairs.site], stays, ok)
        else:  # longest_visible
            assert ephemeris is not None
            score = -time_in_view_s(ephemeris, t_s, terminals, pairs.site, pairs.sat)
            hysteresis = np.inf  # keep a satellite until it sets: the point of the policy
        serving = choose_serving(pairs.site, pairs.sat, score, ok, view.n_sites, before, hysteresis)
    reason = outage_reason(serving, chosen.sees_any, chosen.obstructed)

    code = REASONS.index
    unserved = np.flatnonzero((serving < 0) & chosen.sees_any)
    if len(unserved) and masks.sat_events:
        only_failed = best(masks.sat_ok, unserved).sat < 0
        reason[unserved[only_failed]] = code(REASON_SATELLITE_FAILED)
        unserved = unserved[~only_failed]
    if len(unserved) and masks.ground_events:
        restored = _route(ctx, geom, ctx.unaffected, masks.sat_ok, wanted, lasting)
        would = best(restored.sat_reachable & masks.sat_ok, unserved)
        reason[unserved[would.sat >= 0]] = code(REASON_GROUND_DOWN)
    serving_all = np.full(n_all, -1, dtype=np.intp)
    reason_all = np.zeros(n_all, dtype=np.int8)
    serving_all[index], reason_all[index] = serving, reason
    return Plan(routes, serving_all, reason_all, sat_ecef_km, state)
