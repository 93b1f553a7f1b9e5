"""The engine: from a validated scenario to per-terminal, per-step connectivity and RTT.

It only orchestrates: slices the window into time chunks and 15-s scheduling slots, calls the
pure stages (orbits → visibility → topology → routing → assignment) and streams rows out.

Per chunk (default one hour) it propagates the constellation once at the coarse step
(``time.propagation_step_s``, SGP4) and interpolates positions wherever it needs them. Per slot it:

1. interpolates every satellite at the slot start, builds a KD-tree over them and finds the
   satellites each terminal and each live gateway sees (``links/gsl.py``);
2. keeps each gateway's ``max_satellites`` highest satellites as feeder links, adds the +Grid laser
   links that are valid and in range, and the gateway→PoP fibre (``network/topology.py``);
3. runs one multi-source Dijkstra from all live PoPs (``network/routing.py``), giving every
   satellite its lowest-latency exit;
4. assigns each terminal the highest routable satellite it sees (``network/scheduler.py``);
5. evaluates every step of the slot along the slot's paths with the satellites' positions at that
   step: RTT = 2 × (uplink + ISLs + feeder downlink) / c + 2 × fibre + processing delay. If the
   serving satellite sets below the terminal's minimum elevation, the feeder satellite sets below
   the gateway's, or a satellite on the path becomes invalid, the network is re-planned at that
   step and the terminal re-assigned; a terminal left without service waits for the next slot,
   like a terminal waiting for the controller's next assignment.

The radio layer (:mod:`lifeline.radio`) runs in the parent process on each chunk's rows as they
stream back: SINR with rain and jammers, MODCOD and max-min fair throughput over each path's
beam, feeder link and lasers (:func:`apply_radio`); terminals whose downlink does not close are
cut off with reason ``low_sinr`` or ``jammed``. Its ITU-R tables are built once, in the parent,
while the workers start on the chunks.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa

from lifeline.config import Scenario
from lifeline.constants import WGS84_A_KM
from lifeline.errors import ScenarioError
from lifeline.events import Masks, Timeline, compile_events
from lifeline.geo import geodetic_to_ecef_km, great_circle_km, look_angles
from lifeline.io.hypatia import HypatiaFormatError, read_isls, read_tles
from lifeline.io.tle import filter_launched_by, read_tle
from lifeline.links.gsl import (
    HORIZON_BINS,
    BestSatellite,
    GSLPairs,
    SatTree,
    SiteSet,
    SiteView,
    best_of_view,
    best_visible,
    build_sat_tree,
    find_visible,
    site_view,
)
from lifeline.links.isl import infer_planes, isl_geometry, plus_grid
from lifeline.network.routing import Routes, route_to_pops, trace_paths
from lifeline.network.scheduler import (
    REASON_GROUND_DOWN,
    REASON_JAMMED,
    REASON_LOW_SINR,
    REASON_NO_POWER,
    REASON_NO_SATELLITE,
    REASON_SATELLITE_FAILED,
    REASONS,
    limit_per_site,
    outage_reason,
)
from lifeline.network.topology import (
    MS_PER_KM_VACUUM,
    GraphTemplate,
    fiber_delay_ms,
    graph_template,
    instant_graph,
)
from lifeline.orbits.presets import build_preset
from lifeline.orbits.propagate import Constellation, Ephemeris, propagate_teme
from lifeline.orbits.walker import walker_delta
from lifeline.power import (
    DRAW_W_BY_MODEL,
    ENERGY_STEP_S,
    run_battery,
    solar_power_w,
    sun_elevation_deg,
)
from lifeline.radio import RadioColumns, RadioPrep, prepare_radio, radio_columns
from lifeline.results import (
    TERMINALS_SCHEMA,
    RunCheckpoint,
    TerminalAccumulator,
    accumulator_columns,
    dictionary_column,
)

log = logging.getLogger(__name__)

#: Length of a time chunk [s]: the unit of propagation, parallel work and streaming, so memory
#: is bounded by one chunk per worker. A multiple of the usual propagation steps (30, 60 s).
CHUNK_S = 600.0

ProgressCallback = Callable[[int, int], None]


# --------------------------------------------------------------------------------------------
# Static inputs
# --------------------------------------------------------------------------------------------


def build_constellation(scenario: Scenario) -> Constellation:
    """The scenario's satellites: a real TLE file, a Hypatia ``tles.txt`` (satellite ``i`` =
    Hypatia id ``i``) or Walker-delta shells.

    Raises
    ------
    ScenarioError
        A malformed ``hypatia_tle_file`` (naming its line), or ``launched_by`` leaving no
        satellite.
    """
    c = scenario.constellation
    start = np.datetime64(scenario.time.start_utc.replace(tzinfo=None), "ns")
    if c.hypatia_tle_path is not None:
        try:
            tles = read_tles(c.hypatia_tle_path)
        except HypatiaFormatError as exc:
            raise ScenarioError(
                scenario.source,
                "constellation.hypatia_tle_file",
                c.hypatia_tle_file,
                f"a Hypatia tles.txt ({exc})",
            ) from None
        return Constellation.from_hypatia(tles, str(c.hypatia_tle_path))
    if c.tle_file is not None:
        tles = read_tle(c.tle_path)
        if c.launched_by is not None:
            tles = filter_launched_by(tles, c.launched_by)
            if len(tles) == 0:
                raise ScenarioError(
                    scenario.source,
                    "constellation.launched_by",
                    c.launched_by,
                    f"a launch at or after the earliest in {c.tle_file} (no satellite is left)",
                )
        return Constellation.from_tle(tles)
    epoch = start if c.epoch_utc is None else np.datetime64(c.epoch_utc.replace(tzinfo=None), "ns")
    if c.preset is not None:
        return Constellation.from_shells(build_preset(c.preset, epoch))
    shells = [
        walker_delta(
            s.altitude_km,
            s.inclination_deg,
            s.planes,
            s.sats_per_plane,
            s.phasing,
            epoch,
            name=s.name or f"shell{i}",
        )
        for i, s in enumerate(c.shells)
    ]
    return Constellation.from_shells(shells)


@dataclass(frozen=True)
class Ground:
    """Terminals, gateways and PoPs as arrays (index order = scenario order)."""

    terminal_names: list[str]
    terminal_lat_deg: np.ndarray
    terminal_lon_deg: np.ndarray
    terminal_ecef_km: np.ndarray
    terminal_min_elevation_deg: np.ndarray
    terminal_horizon_deg: np.ndarray | None  # (N, 360) per 1-degree azimuth bin, or None
    terminal_alt_m: np.ndarray
    terminal_max_range_km: np.ndarray | None  # (N,) GSL range limit [km] (inf: none), or None
    terminal_routes: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]  # moving terminals
    gateway_names: list[str]
    gateway_lat_deg: np.ndarray
    gateway_lon_deg: np.ndarray
    gateway_ecef_km: np.ndarray
    gateway_min_elevation_deg: np.ndarray
    gateway_max_sats: np.ndarray
    gateway_live: np.ndarray
    gateway_pop: np.ndarray
    gateway_fiber_ms: np.ndarray
    gateway_pop_fixed: np.ndarray
    gateway_pop_fiber_ms: np.ndarray
    pop_names: list[str]
    pop_lat_deg: np.ndarray
    pop_lon_deg: np.ndarray


def build_ground(scenario: Scenario) -> Ground:
    """Site arrays, each gateway homed to its named PoP or else the nearest one.

    ``gateway_pop_fiber_ms`` (G, P) is the fibre delay from every gateway to every PoP, so a
    gateway whose nearest PoP is down can re-home to the nearest live one (:func:`net_state`).
    """
    net = scenario.network
    t = scenario.terminals
    g = scenario.gateways
    p = scenario.pops
    t_lat = np.array([x.lat_deg for x in t])
    t_lon = np.array([x.lon_deg for x in t])
    g_lat = np.array([x.lat_deg for x in g])
    g_lon = np.array([x.lon_deg for x in g])
    p_lat = np.array([x.lat_deg for x in p])
    p_lon = np.array([x.lon_deg for x in p])
    pop_names = [x.name for x in p]
    dist_km = great_circle_km(g_lat[:, None], g_lon[:, None], p_lat[None, :], p_lon[None, :])
    home = np.argmin(dist_km, axis=1)
    for i, gw in enumerate(g):
        if gw.pop is not None:
            home[i] = pop_names.index(gw.pop)
    all_fiber_ms = fiber_delay_ms(dist_km, net.fiber_stretch, net.fiber_group_index)
    t_min = [
        net.min_elevation_deg if x.min_elevation_deg is None else x.min_elevation_deg for x in t
    ]
    return Ground(
        terminal_names=[x.name for x in t],
        terminal_lat_deg=t_lat,
        terminal_lon_deg=t_lon,
        terminal_ecef_km=geodetic_to_ecef_km(t_lat, t_lon, np.array([x.alt_m for x in t])),
        terminal_min_elevation_deg=np.array(t_min, dtype=float),
        terminal_horizon_deg=terminal_horizon_deg(scenario),
        terminal_alt_m=np.array([x.alt_m for x in t], dtype=float),
        terminal_max_range_km=terminal_max_range_km(scenario),
        terminal_routes={
            i: tuple(np.array(v, dtype=float) for v in x.route(scenario.time.start_utc))
            for i, x in enumerate(t)
            if x.moves
        },
        gateway_names=[x.name for x in g],
        gateway_lat_deg=g_lat,
        gateway_lon_deg=g_lon,
        gateway_ecef_km=geodetic_to_ecef_km(g_lat, g_lon, np.array([x.alt_m for x in g])),
        gateway_min_elevation_deg=np.array([x.min_elevation_deg for x in g], dtype=float),
        gateway_max_sats=np.array([x.max_satellites for x in g], dtype=np.int64),
        gateway_live=np.array([x.live for x in g], dtype=bool),
        gateway_pop=home,
        gateway_fiber_ms=all_fiber_ms[np.arange(len(g)), home],
        gateway_pop_fixed=np.array([x.pop is not None for x in g], dtype=bool),
        gateway_pop_fiber_ms=all_fiber_ms.reshape(len(g), len(p)),
        pop_names=pop_names,
        pop_lat_deg=p_lat,
        pop_lon_deg=p_lon,
    )


def terminal_positions(
    ground: Ground, t_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every terminal's position at the instants ``t_s`` (n,) [s after the scenario start].

    Returns ``(lat_deg (n, N), lon_deg (n, N), ecef_km (n, N, 3))``; fixed terminals are
    broadcast views. A moving terminal is interpolated linearly in latitude and longitude
    between its waypoints (longitudes unwrapped, so a route may cross ±180°); over a 200 km leg
    this is within about 0.1 km of the great circle at mid-latitudes.
    """
    t_s = np.asarray(t_s, dtype=float)
    n, n_term = len(t_s), len(ground.terminal_names)
    lat = np.broadcast_to(ground.terminal_lat_deg, (n, n_term))
    lon = np.broadcast_to(ground.terminal_lon_deg, (n, n_term))
    ecef = np.broadcast_to(ground.terminal_ecef_km, (n, n_term, 3))
    if not ground.terminal_routes:
        return lat, lon, ecef
    lat, lon, ecef = lat.copy(), lon.copy(), ecef.copy()
    for i, (times, lats, lons) in ground.terminal_routes.items():
        lat[:, i] = np.interp(t_s, times, lats)
        lon[:, i] = (np.interp(t_s, times, np.unwrap(lons, period=360.0)) + 180.0) % 360.0 - 180.0
        ecef[:, i] = geodetic_to_ecef_km(lat[:, i], lon[:, i], ground.terminal_alt_m[i])
    return lat, lon, ecef


def terminal_max_range_km(scenario: Scenario) -> np.ndarray | None:
    """(N,) longest terminal–satellite link [km] (``terminals[].max_range_km``, else
    ``network.gsl_max_range_km``; ``inf`` for none), or None when no terminal has a limit."""
    default = scenario.network.gsl_max_range_km
    limits = [default if t.max_range_km is None else t.max_range_km for t in scenario.terminals]
    if all(x is None for x in limits):
        return None
    return np.array([np.inf if x is None else x for x in limits], dtype=float)


def terminal_horizon_deg(scenario: Scenario) -> np.ndarray | None:
    """(N, 360) horizon masks per 1-degree azimuth bin (each sector's value repeated over its
    bins); None when no terminal has one, so visibility takes its plain path."""
    if all(t.horizon_deg is None for t in scenario.terminals):
        return None
    rows = [
        np.zeros(HORIZON_BINS)
        if t.horizon_deg is None
        else np.repeat(t.horizon_deg, HORIZON_BINS // len(t.horizon_deg))
        for t in scenario.terminals
    ]
    return np.array(rows, dtype=float)


@dataclass(frozen=True)
class PowerTimeline:
    """Terminals' power over the run at ``ENERGY_STEP_S`` steps (all on without a power model).

    ``on`` (K, N) bool for steps ``[k, k + 1) × ENERGY_STEP_S``; ``stats`` per powered terminal
    (for the summary): its draw, hours with power per day and when its battery first ran out.
    """

    on: np.ndarray
    stats: dict[str, dict]

    def powered(self, t_s: np.ndarray) -> np.ndarray:
        """(n, N) bool at the instants ``t_s`` (n,) [s after the scenario start]."""
        k = np.minimum((np.asarray(t_s) // ENERGY_STEP_S).astype(np.intp), len(self.on) - 1)
        return self.on[k]


def power_timeline(scenario: Scenario, ground: Ground) -> PowerTimeline:
    """Battery, solar and generator of each terminal with a ``power`` table, integrated over
    the run (:func:`lifeline.power.run_battery`; sun from :func:`sun_elevation_deg` where the
    terminal is, moving ones included)."""
    tm = scenario.time
    n_term = len(ground.terminal_names)
    k = max(1, int(np.ceil(tm.duration_s / ENERGY_STEP_S)))
    on = np.ones((k, n_term), dtype=bool)
    idx = [i for i, t in enumerate(scenario.terminals) if t.power is not None]
    if not idx:
        return PowerTimeline(on, {})
    mid_s = (np.arange(k) + 0.5) * ENERGY_STEP_S
    lat, lon, _ = terminal_positions(ground, mid_s)
    unix_s = tm.start_utc.timestamp() + mid_s
    kits = [scenario.terminals[i].power for i in idx]
    sun = sun_elevation_deg(unix_s[:, None], lat[:, idx], lon[:, idx])
    hour = (unix_s % 86400.0) / 3600.0
    supply = solar_power_w(np.array([p.solar_w for p in kits]), sun)
    for j, p in enumerate(kits):
        a, b = p.generator_utc_hours
        running = (hour >= a) & (hour < b) if a <= b else (hour >= a) | (hour < b)
        supply[:, j] += np.where(running, p.generator_w, 0.0)
    draw = np.array([DRAW_W_BY_MODEL[p.model] if p.draw_w is None else p.draw_w for p in kits])
    capacity = np.array([p.battery_wh for p in kits])
    sub_on, _ = run_battery(
        supply, draw, capacity, capacity * [p.initial_charge for p in kits], ENERGY_STEP_S
    )
    on[:, idx] = sub_on
    days = tm.duration_s / 86400.0
    stats = {}
    for j, i in enumerate(idx):
        off = np.flatnonzero(~sub_on[:, j])
        stats[ground.terminal_names[i]] = {
            "draw_w": float(draw[j]),
            "powered_h_per_day": round(float(sub_on[:, j].sum() * ENERGY_STEP_S / 3600 / days), 3),
            "first_power_loss_s": float(off[0] * ENERGY_STEP_S) if len(off) else None,
        }
    return PowerTimeline(on, stats)


def scenario_isl_edges(
    scenario: Scenario, constellation: Constellation, start_utc: np.datetime64
) -> np.ndarray:
    """The scenario's laser links (E, 2): none for bent pipe (``network.isl = false``), the
    pairs of ``network.isl_file`` if given, else +Grid (:func:`build_isl_edges`).

    Raises
    ------
    ScenarioError
        A malformed ``isl_file``, or one naming a satellite id outside the constellation.
    """
    net = scenario.network
    if not net.isl:
        return np.zeros((0, 2), dtype=np.int64)
    if net.isl_path is None:
        return build_isl_edges(constellation, start_utc)
    n = len(constellation)
    try:
        return read_isls(net.isl_path, n)
    except HypatiaFormatError as exc:
        raise ScenarioError(
            scenario.source,
            "network.isl_file",
            net.isl_file,
            f"a Hypatia isls.txt linking satellites of the constellation, ids 0..{n - 1} ({exc})",
        ) from None


def build_isl_edges(constellation: Constellation, start_utc: np.datetime64) -> np.ndarray:
    """+Grid laser links: from the Walker plane/slot numbering, or inferred planes for TLEs."""
    if np.all(constellation.plane >= 0):
        return plus_grid(constellation.plane, constellation.slot, shell=constellation.shell)
    r, v, err = propagate_teme(constellation.satrecs, np.array([start_utc]))
    valid = (err[0] == 0) & np.all(np.isfinite(r[0]), axis=-1)
    shell, plane, slot, arg_lat = infer_planes(r[0], v[0], valid)
    return plus_grid(plane, slot, shell=shell, arg_latitude_deg=arg_lat)


# --------------------------------------------------------------------------------------------
# One routing instant
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Evaluating paths over the steps of a slot
# --------------------------------------------------------------------------------------------


@dataclass
class SlotRows:
    """Per-step, per-terminal values of one slot, arrays of shape (steps, N)."""

    connected: np.ndarray
    reason: np.ndarray
    satellite: np.ndarray
    elevation_deg: np.ndarray
    azimuth_deg: np.ndarray
    range_km: np.ndarray
    isl_hops: np.ndarray
    gateway: np.ndarray
    pop: np.ndarray
    rtt_ms: np.ndarray
    path: np.ndarray  # row of link_key the traffic follows, -1 when not connected
    # (P, H) the shared links of each path (feeder, lasers; :func:`path_link_keys`), -1 padding
    link_key: np.ndarray = field(default_factory=lambda: np.full((0, 1), -1, np.int64))

    @classmethod
    def empty(cls, n_steps: int, n_terminals: int) -> SlotRows:
        shape = (n_steps, n_terminals)
        nan = np.full(shape, np.nan)
        return cls(
            connected=np.zeros(shape, dtype=bool),
            reason=np.zeros(shape, dtype=np.int8),
            satellite=np.full(shape, -1, dtype=np.int32),
            elevation_deg=nan.copy(),
            azimuth_deg=nan.copy(),
            range_km=nan.copy(),
            isl_hops=np.full(shape, -1, dtype=np.int16),
            gateway=np.full(shape, -1, dtype=np.int32),
            pop=np.full(shape, -1, dtype=np.int32),
            rtt_ms=nan.copy(),
            path=np.full(shape, -1, dtype=np.int32),
        )

    def cut_off(self, off: np.ndarray, reason: int) -> None:
        """Mark the (steps, N) entries ``off`` disconnected with ``reason``, clearing them."""
        blank = SlotRows.empty(1, 1)
        for name in STEP_FIELDS:
            getattr(self, name)[off] = getattr(blank, name)[0, 0]
        self.reason[off] = reason

    @classmethod
    def concatenate(cls, parts: list[SlotRows]) -> SlotRows:
        """Consecutive blocks of steps as one (paths renumbered into one link_key table)."""
        offsets = np.cumsum([0] + [len(p.link_key) for p in parts[:-1]])
        rows = {name: np.concatenate([getattr(p, name) for p in parts]) for name in STEP_FIELDS}
        rows["path"] = np.concatenate(
            [np.where(p.path >= 0, p.path + o, -1) for p, o in zip(parts, offsets, strict=True)]
        ).astype(np.int32)
        return cls(**rows, link_key=_stack_padded([p.link_key for p in parts]))


#: The (steps, N) fields of :class:`SlotRows`.
STEP_FIELDS = tuple(name for name in SlotRows.__dataclass_fields__ if name != "link_key")


def _stack_padded(blocks: list[np.ndarray]) -> np.ndarray:
    """Stack (P_i, H_i) int blocks into (ΣP, max H), padding with -1."""
    width = max([1] + [b.shape[1] for b in blocks])
    out = np.full((sum(len(b) for b in blocks), width), -1, dtype=np.int64)
    row = 0
    for b in blocks:
        out[row : row + len(b), : b.shape[1]] = b
        row += len(b)
    return out


def path_link_keys(paths: np.ndarray, n_sats: int, n_gateways: int) -> np.ndarray:
    """(M, H) keys of the shared links on each path of :func:`trace_paths` (sats..., gateway).

    Column 0 is the feeder link, key ``gateway × S + last satellite`` (< G·S); then one key
    per laser link, ``G·S + min(a, b) × S + max(a, b)`` (the same for both directions); −1
    pads. Equal keys are the same link, whoever's path crosses it.
    """
    is_sat = (paths >= 0) & (paths < n_sats)
    n_sat_nodes = is_sat.sum(axis=1)
    rows = np.arange(len(paths))
    gateway = paths[rows, n_sat_nodes] - n_sats
    feeder = gateway * n_sats + paths[rows, n_sat_nodes - 1]
    a, b = paths[:, :-1].astype(np.int64), paths[:, 1:].astype(np.int64)
    hop = is_sat[:, 1:] & is_sat[:, :-1]
    isl = n_gateways * n_sats + np.minimum(a, b) * n_sats + np.maximum(a, b)
    return np.concatenate([feeder[:, None], np.where(hop, isl, -1)], axis=1)


def _later_geometry(
    ctx: Context,
    ephemeris: Ephemeris,
    t_s: np.ndarray,
    terminals: np.ndarray,
    paths: np.ndarray,
    site: tuple[np.ndarray, np.ndarray, np.ndarray] | list[np.ndarray],
) -> dict[str, np.ndarray]:
    """Each path of :func:`trace_paths` at the instants ``t_s`` with the satellites' positions
    there: (n, M) ``valid`` (every satellite valid, the serving one above the terminal's masks
    and in range, the feeder one above the gateway's), the terminal's ``elevation_deg``,
    ``azimuth_deg`` and ``range_km``, and ``path_km`` = uplink + lasers + feeder [km].
    ``site``: the terminals' (lat, lon, ECEF) with a leading axis of n or 1."""
    g = ctx.ground
    s0 = ctx.n_sats
    is_sat = (paths >= 0) & (paths < s0)
    n_sat_nodes = is_sat.sum(axis=1)
    gateway = paths[np.arange(len(paths)), n_sat_nodes] - s0
    sat_nodes = np.where(is_sat, paths, 0)
    used, inverse = np.unique(sat_nodes[is_sat], return_inverse=True)
    local = np.zeros(paths.shape, dtype=np.int64)
    local[is_sat] = inverse
    r_used, valid_used = ephemeris.at(t_s, used)  # (n, U, 3), (n, U)
    pos = r_used[:, local]  # (n, M, H, 3)
    valid = np.all(valid_used[:, local] | ~is_sat[None], axis=2)
    # Laser hops: consecutive satellites on the path.
    hop = is_sat[:, 1:] & is_sat[:, :-1]
    hop_km = np.linalg.norm(pos[:, :, 1:] - pos[:, :, :-1], axis=-1)
    # A running sum adds the hops in path order whatever the padding, so a path's length is
    # the same to the last bit alone or in any group (np.sum's pairwise blocks are not).
    isl_km = np.cumsum(np.where(hop[None], hop_km, 0.0), axis=2)[:, :, -1]
    up_elev, up_az, up_km = look_angles(*site, pos[:, :, 0])
    last = pos[:, np.arange(len(paths)), n_sat_nodes - 1]  # (n, M, 3)
    down_elev, _, down_km = look_angles(
        g.gateway_lat_deg[gateway], g.gateway_lon_deg[gateway], g.gateway_ecef_km[gateway], last
    )
    if g.terminal_max_range_km is not None:
        valid &= up_km <= g.terminal_max_range_km[terminals]
    if g.terminal_horizon_deg is not None:
        # The serving satellite moving behind the horizon mask breaks the path too.
        sector = np.minimum(up_az.astype(np.intp), HORIZON_BINS - 1)
        valid &= up_elev >= g.terminal_horizon_deg[terminals, sector]
    valid &= up_elev >= g.terminal_min_elevation_deg[terminals]
    valid &= down_elev >= g.gateway_min_elevation_deg[gateway]
    return {
        "valid": valid,
        "elevation_deg": up_elev,
        "azimuth_deg": up_az,
        "range_km": up_km,
        "path_km": up_km + isl_km + down_km,
    }


def evaluate_paths(
    ctx: Context,
    ephemeris: Ephemeris,
    t_s: np.ndarray,
    terminals: np.ndarray,
    serving: np.ndarray,
    plan: Plan,
    processing_delay_ms: float,
    t0_s: float = 0.0,
    memo: dict | None = None,
) -> dict[str, np.ndarray]:
    """Look angles, RTT and validity of the plan's paths from its instant on.

    Parameters
    ----------
    t_s : (n,) instants [s since the ephemeris start]; ``t_s[0]`` is the plan's instant.
    terminals, serving : (M,) terminal indices and their serving satellites (from the plan).
    plan : the plan the paths come from (its predecessor tree and positions).
    t0_s : the ephemeris start [s after the scenario start] (where moving terminals are).
    memo : the later steps' geometry of paths already evaluated from this instant, by (steps,
        terminal, path) (fixed terminals only; :class:`SharedInputs`): events change which
        path a terminal takes, never a path's geometry, so sweep samples share it.

    Returns
    -------
    dict of (n, M) arrays: ``valid``, ``elevation_deg``, ``azimuth_deg``, ``range_km``,
    ``rtt_ms``, (M,) arrays ``isl_hops``, ``gateway``, ``pop``, and ``link_key`` (M, H), the
    shared links of each path (:func:`path_link_keys`).

    Notes
    -----
    At the plan's instant the path delay is the Dijkstra distance itself (same positions), so
    only the terminal's look angles are computed there; later instants recompute every link
    with the satellites' positions at that instant: RTT = 2 × (uplink + ISLs + feeder) / c
    + 2 × fibre + processing.
    """
    g = ctx.ground
    routes = plan.routes
    s0 = routes.graph.n_sats
    paths = trace_paths(routes, serving)  # (M, H): sats..., gateway, -1 padding
    is_sat = (paths >= 0) & (paths < s0)
    n_sat_nodes = is_sat.sum(axis=1)
    rows = np.arange(len(serving))
    gw_node = paths[rows, n_sat_nodes]
    gateway = gw_node - s0
    pop = routes.predecessor[gw_node] - routes.graph.pop_offset
    t_idx = terminals
    if g.terminal_routes:
        lat, lon, ecef = terminal_positions(g, t0_s + np.asarray(t_s))
        lat, lon, ecef = lat[:, t_idx], lon[:, t_idx], ecef[:, t_idx]
    else:  # fixed sites: one row broadcasts over the steps (no per-step local bases)
        lat, lon, ecef = (
            g.terminal_lat_deg[t_idx][None],
            g.terminal_lon_deg[t_idx][None],
            g.terminal_ecef_km[t_idx][None],
        )

    elev0, az0, up0 = look_angles(lat[0], lon[0], ecef[0], plan.sat_ecef_km[serving])
    rtt0 = 2.0 * (up0 * MS_PER_KM_VACUUM + routes.delay_ms[serving]) + processing_delay_ms
    out = {
        "valid": np.ones((1, len(serving)), dtype=bool),
        "elevation_deg": elev0[None],
        "azimuth_deg": az0[None],
        "range_km": up0[None],
        "rtt_ms": rtt0[None],
    }
    if len(t_s) > 1:
        t_later = t_s[1:]
        site = (lat[1:], lon[1:], ecef[1:]) if len(lat) > 1 else (lat, lon, ecef)
        if memo is None:
            later = _later_geometry(ctx, ephemeris, t_later, t_idx, paths, site)
        else:
            keys = [
                (len(t_later), int(t), paths[m][paths[m] >= 0].tobytes())
                for m, t in enumerate(t_idx)
            ]
            found = [memo.get(key) for key in keys]
            miss = [m for m, f in enumerate(found) if f is None]
            if miss:
                fresh = _later_geometry(
                    ctx, ephemeris, t_later, t_idx[miss], paths[miss], [a[:, miss] for a in site]
                )
                for j, m in enumerate(miss):
                    found[m] = memo[keys[m]] = {name: a[:, j] for name, a in fresh.items()}
            later = {name: np.stack([f[name] for f in found], axis=1) for name in found[0]}
        path_km = later.pop("path_km")
        later["rtt_ms"] = (
            2.0 * path_km * MS_PER_KM_VACUUM
            + 2.0 * plan.state.gateway_fiber_ms[gateway]
            + processing_delay_ms
        )
        out = {name: np.concatenate([out[name], later[name]]) for name in out}
    out["isl_hops"] = (n_sat_nodes - 1).astype(np.int16)
    out["gateway"] = gateway
    out["pop"] = pop
    out["link_key"] = path_link_keys(paths, s0, len(g.gateway_names))
    return out


def simulate_slot(
    ctx: Context,
    ephemeris: Ephemeris,
    t_s: np.ndarray,
    processing_delay_ms: float,
    state: NetState,
    t0_s: float = 0.0,
    geometry: Callable[[int], SharedInstant] | None = None,
) -> SlotRows:
    """All steps of one scheduling slot (``t_s[0]`` is the slot start) under one event state.

    ``t_s`` count from the ephemeris start, which is ``t0_s`` after the scenario start.
    ``geometry(k)`` gives what :class:`SharedInputs` keeps for the instant ``t_s[k]``
    (default: computed here; a sweep passes one that reuses it across samples).
    """
    g = ctx.ground
    n_term = len(g.terminal_names)
    out = SlotRows.empty(len(t_s), n_term)
    plans: dict[int, Plan] = {}
    memos: dict[int, dict | None] = {}  # path memo of each plan instant (SharedInstant)
    link_keys: list[np.ndarray] = []  # per evaluated group, (M, H)

    def plan_at(k: int) -> Plan:
        if k not in plans:
            view = memos[k] = None
            if geometry is None:
                r, valid = ephemeris.at(t_s[k : k + 1])
                geom = geometry_at(ctx, r[0], valid[0])
            else:
                geom, view, memos[k] = geometry(k)
            sites = None
            if g.terminal_routes:  # moving terminals: where everyone is at this instant
                lat, lon, ecef = terminal_positions(g, t0_s + t_s[k : k + 1])
                sites = SiteSet.prepare(
                    ecef[0],
                    lat[0],
                    lon[0],
                    g.terminal_min_elevation_deg,
                    g.terminal_horizon_deg,
                    g.terminal_max_range_km,
                )
            plans[k] = plan_network(ctx, geom, state, sites, view)
        return plans[k]

    # Work list of (first step, terminals) groups, processed in step order.
    pending: dict[int, np.ndarray] = {0: np.arange(n_term)}
    while pending:
        k = min(pending)
        terms = pending.pop(k)
        plan = plan_at(k)
        serving = plan.serving[terms]
        out.reason[k:, terms] = plan.reason[terms]
        served = serving >= 0
        terms, serving = terms[served], serving[served]
        if len(terms) == 0:
            continue
        ev = evaluate_paths(
            ctx, ephemeris, t_s[k:], terms, serving, plan, processing_delay_ms, t0_s, memos[k]
        )
        valid = ev["valid"]
        # Steps before the first invalid one are served by this assignment.
        first_bad = np.where(valid.all(axis=0), len(t_s) - k, np.argmin(valid, axis=0))
        good = np.arange(len(t_s) - k)[:, None] < first_bad[None, :]
        for name in ("elevation_deg", "azimuth_deg", "range_km", "rtt_ms"):
            block = getattr(out, name)[k:, terms]
            getattr(out, name)[k:, terms] = np.where(good, ev[name], block)
        out.connected[k:, terms] |= good
        col = np.broadcast_to
        shape = good.shape
        out.satellite[k:, terms] = np.where(good, col(serving, shape), out.satellite[k:, terms])
        out.isl_hops[k:, terms] = np.where(
            good, col(ev["isl_hops"], shape), out.isl_hops[k:, terms]
        )
        out.gateway[k:, terms] = np.where(good, col(ev["gateway"], shape), out.gateway[k:, terms])
        out.pop[k:, terms] = np.where(good, col(ev["pop"], shape), out.pop[k:, terms])
        path = sum(len(x) for x in link_keys) + np.arange(len(terms), dtype=np.int32)
        out.path[k:, terms] = np.where(good, col(path, shape), out.path[k:, terms])
        link_keys.append(ev["link_key"])
        # Re-assignment where the path broke inside the slot (never at the plan's own step,
        # where the path is valid by construction).
        broke = first_bad < len(t_s) - k
        for j in np.unique(first_bad[broke]):
            again = terms[broke & (first_bad == j)]
            step = k + int(j)
            out.reason[step:, again] = REASONS.index(REASON_NO_SATELLITE)
            pending[step] = np.concatenate([pending.get(step, np.zeros(0, np.int64)), again])
    out.reason[out.connected] = 0
    out.link_key = _stack_padded(link_keys)
    return out


# --------------------------------------------------------------------------------------------
# The whole run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    """Facts about a finished run, for the summary and the log."""

    n_satellites: int
    n_isl_links: int
    n_steps: int
    sgp4_error_samples: int
    out_of_band_samples: int
    events: list[dict]  # what each event hit (Timeline.hits)
    power: dict[str, dict]  # per terminal with a power model (PowerTimeline.stats)


def _chunk_table(
    ground: Ground,
    constellation: Constellation,
    start_ns: np.int64,
    t_s: np.ndarray,
    rows: SlotRows,
    radio: RadioColumns,
    modcod_names: list[str],
    demand_mbps: np.ndarray,
) -> pa.Table:
    """Flatten (steps, N) arrays into time-major rows of the terminals table."""
    n_steps, n_term = rows.connected.shape
    f32 = np.float32
    time_ns = start_ns + np.round(t_s * 1e9).astype(np.int64)
    columns = {
        "time_utc": pa.array(np.repeat(time_ns, n_term), type=pa.timestamp("ns", tz="UTC")),
        "time_s": np.repeat(t_s, n_term),
        "terminal": dictionary_column(np.tile(np.arange(n_term), n_steps), ground.terminal_names),
        "connected": rows.connected.ravel(),
        "reason": dictionary_column(rows.reason.ravel(), list(REASONS)),
        "satellite": dictionary_column(rows.satellite.ravel(), constellation.names),
        "elevation_deg": rows.elevation_deg.ravel(),
        "azimuth_deg": rows.azimuth_deg.ravel(),
        "range_km": rows.range_km.ravel(),
        "isl_hops": pa.array(
            rows.isl_hops.ravel(), type=pa.int16(), mask=rows.isl_hops.ravel() < 0
        ),
        "gateway": dictionary_column(rows.gateway.ravel(), ground.gateway_names),
        "pop": dictionary_column(rows.pop.ravel(), ground.pop_names),
        "rtt_ms": rows.rtt_ms.ravel(),
        "sinr_db": pa.array(radio.sinr_db.ravel().astype(f32), from_pandas=True),
        "modcod": dictionary_column(radio.modcod.ravel(), modcod_names),
        "capacity_mbps": pa.array(radio.capacity_mbps.ravel().astype(f32), from_pandas=True),
        "demand_mbps": np.tile(demand_mbps.astype(f32), n_steps),
        "throughput_mbps": radio.throughput_mbps.ravel().astype(f32),
    }
    return pa.table(columns, schema=TERMINALS_SCHEMA)


def apply_radio(
    radio: RadioPrep | None,
    ground: Ground,
    n_sats: int,
    t_s: np.ndarray,
    chunk: ChunkResult,
    demand_mbps: np.ndarray,
) -> RadioColumns:
    """The radio layer over one chunk (:func:`lifeline.radio.radio_columns`): terminals whose
    downlink does not close are cut off with reason ``low_sinr`` or ``jammed`` (their SINR is
    kept). ``radio`` None (``[radio] enabled = false``): no radio columns, demand served."""
    rows = chunk.rows
    if radio is None:
        nan = np.full(rows.connected.shape, np.nan)
        served = np.where(rows.connected, demand_mbps, 0.0)
        return RadioColumns(nan, np.full(nan.shape, -1), nan, served, np.zeros(nan.shape, np.int8))
    cfg = radio.config
    lat, lon, ecef = terminal_positions(ground, t_s)
    if not ground.terminal_routes:  # fixed: one row broadcasts over the steps
        lat, lon, ecef = lat[:1], lon[:1], ecef[:1]
    # Keys below G·S are feeder links, the others lasers (path_link_keys).
    feeder = rows.link_key < len(ground.gateway_names) * n_sats
    link_capacity = np.where(feeder, cfg.feeder_capacity_mbps, cfg.isl_capacity_mbps)
    decision = np.zeros(len(t_s), dtype=bool)
    decision[chunk.slot_starts] = True
    cols = radio_columns(
        radio,
        t_s,
        rows.connected,
        rows.satellite,
        rows.elevation_deg,
        rows.azimuth_deg,
        rows.range_km,
        lat,
        lon,
        ecef,
        rows.path,
        rows.link_key,
        np.where(rows.link_key < 0, 0.0, link_capacity),
        decision,
    )
    for code, reason in ((1, REASON_LOW_SINR), (2, REASON_JAMMED)):
        rows.cut_off(cols.outage == code, REASONS.index(reason))
    return cols


#: Instants a :class:`SharedInputs` keeps (about 0.37 MB each for the 2,233-satellite default,
#: measured: ~90 MB for the 1-hour sweep preset, so ~260 MB at the cap, three hours of 15-s
#: slots); later instants are recomputed by every run.
MAX_SHARED_INSTANTS = 720


def shared_key(scenario: Scenario) -> str:
    """What :class:`SharedInputs` depend on: the constellation, the time grid, the laser-link
    rules and the gateways. Runs with equal keys may share them."""
    net = scenario.network
    return json.dumps(
        {
            "constellation": scenario.constellation.model_dump(mode="json", warnings=False),
            "tle_path": str(scenario.constellation.tle_path),
            "hypatia_tle_path": str(scenario.constellation.hypatia_tle_path),
            "time": scenario.time.model_dump(mode="json", warnings=False),
            "isl": [
                net.isl,
                str(net.isl_path),
                net.isl_max_range_km,
                net.isl_min_grazing_altitude_km,
            ],
            "gateways": [g.model_dump(mode="json", warnings=False) for g in scenario.gateways],
        },
        sort_keys=True,
        default=str,
    )


class SharedInstant(NamedTuple):
    """What runs share at one routing instant: the :class:`Geometry`, the fixed terminals'
    :class:`SiteView`, and the memo of their paths' later-step geometry
    (:func:`evaluate_paths`)."""

    geometry: Geometry
    terminal_view: SiteView
    path_memo: dict


class SharedInputs:
    """The inputs of a run that events, terminals and the radio layer cannot change: the
    satellites, the laser links, each chunk's ephemeris and each instant's :class:`Geometry`.

    Runs whose scenarios have the same :func:`shared_key` (the samples of a sweep) take them
    from here instead of recomputing them: built once per process, filled as the first run goes
    (up to :data:`MAX_SHARED_INSTANTS` instants) and read by the next. Satrec objects do not
    pickle, so each process (each Dask worker) has its own (:func:`shared_inputs`).
    """

    def __init__(self, scenario: Scenario) -> None:
        self.key = shared_key(scenario)
        start = np.datetime64(scenario.time.start_utc.replace(tzinfo=None), "ns")
        self.constellation = build_constellation(scenario)
        self.isl_edges = scenario_isl_edges(scenario, self.constellation, start)
        self._ephemerides: dict[tuple[int, int], Ephemeris] = {}
        self._geometry: dict[int, Geometry] = {}
        self._views: dict[tuple[int, str], SiteView] = {}
        self._paths: dict[tuple[int, str], dict] = {}

    def ephemeris(self, bounds: tuple[int, int], compute: Callable[[], Ephemeris]) -> Ephemeris:
        """The ephemeris of the chunk of steps ``bounds``, computed on first use."""
        if bounds not in self._ephemerides:
            self._ephemerides[bounds] = compute()
        return self._ephemerides[bounds]

    def instant(self, step: int, ctx: Context, compute: Callable[[], Geometry]) -> SharedInstant:
        """What output step ``step`` shares: its geometry (computed on first use), the view of
        ``ctx``'s fixed terminals and their path memo (keyed by :attr:`Context.terminal_key`)."""
        geom = self._cached(self._geometry, step, compute)
        key = (step, ctx.terminal_key)
        view = self._cached(
            self._views,
            key,
            lambda: site_view(ctx.terminal_sites, geom.tree, geom.sat_ecef_km, geom.max_alt_km),
        )
        return SharedInstant(geom, view, self._cached(self._paths, key, dict))

    @staticmethod
    def _cached(store: dict, key: Any, compute: Callable[[], Any]) -> Any:
        value = store.get(key)
        if value is None:
            value = compute()
            if len(store) < MAX_SHARED_INSTANTS:
                store[key] = value
        return value


_shared: SharedInputs | None = None
_shared_lock = threading.Lock()


def shared_inputs(scenario: Scenario) -> SharedInputs:
    """This process's :class:`SharedInputs` for ``scenario``: the last one built if its key
    matches, else a new one (which replaces it)."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.key != shared_key(scenario):
            _shared = None  # free the old one before building the next
            _shared = SharedInputs(scenario)
        return _shared


@dataclass(frozen=True)
class Prepared:
    """Everything a run computes once before the time loop (the same in every worker)."""

    scenario: Scenario
    start: np.datetime64
    constellation: Constellation
    ctx: Context
    shared: SharedInputs | None = None


def prepare(scenario: Scenario, shared: SharedInputs | None = None) -> Prepared:
    """Build the constellation, the ground arrays and the ISL topology of a scenario (the
    constellation and laser links from ``shared`` when given, whose key must match)."""
    start = np.datetime64(scenario.time.start_utc.replace(tzinfo=None), "ns")
    if shared is not None and shared.key != shared_key(scenario):
        raise ValueError("shared inputs of another constellation, window or gateway set")
    ground = build_ground(scenario)
    net = scenario.network
    if shared is not None:
        constellation, isl_edges = shared.constellation, shared.isl_edges
    else:
        constellation = build_constellation(scenario)
        isl_edges = scenario_isl_edges(scenario, constellation, start)
    timeline = compile_events(
        scenario.events,
        source=scenario.source,
        start_utc=scenario.time.start_utc,
        duration_s=scenario.time.duration_s,
        gateway_names=ground.gateway_names,
        gateway_lat_deg=ground.gateway_lat_deg,
        gateway_lon_deg=ground.gateway_lon_deg,
        pop_names=ground.pop_names,
        pop_lat_deg=ground.pop_lat_deg,
        pop_lon_deg=ground.pop_lon_deg,
        sat_names=constellation.names,
        sat_catalog=constellation.catalog,
        isl_edges=isl_edges,
        terminal_names=ground.terminal_names,
    )
    ctx = Context(
        ground,
        SiteSet.prepare(
            ground.terminal_ecef_km,
            ground.terminal_lat_deg,
            ground.terminal_lon_deg,
            ground.terminal_min_elevation_deg,
            ground.terminal_horizon_deg,
            ground.terminal_max_range_km,
        ),
        SiteSet.prepare(
            ground.gateway_ecef_km,
            ground.gateway_lat_deg,
            ground.gateway_lon_deg,
            ground.gateway_min_elevation_deg,
        ),
        isl_edges,
        net.isl_max_range_km,
        net.isl_min_grazing_altitude_km,
        len(constellation),
        timeline,
        [net_state(ground, m) for m in timeline.masks],
        net_state(ground, no_events(ground, len(constellation), len(isl_edges))),
        scenario.time.step_s,
        power_timeline(scenario, ground),
    )
    return Prepared(scenario, start, constellation, ctx, shared)


def chunk_bounds(scenario: Scenario) -> list[tuple[int, int]]:
    """Step ranges [k0, k1) of the time chunks: whole slots, about ``CHUNK_S`` long.

    Chunks depend on the scenario only (never on the number of workers), and start on the
    propagation grid when ``CHUNK_S`` is a multiple of the propagation step, so results do not
    depend on how the run is split.
    """
    tm = scenario.time
    steps_per_slot = int(round(tm.slot_s / tm.step_s))
    steps_per_chunk = steps_per_slot * max(1, int(CHUNK_S // tm.slot_s))
    return [
        (k0, min(tm.n_steps, k0 + steps_per_chunk)) for k0 in range(0, tm.n_steps, steps_per_chunk)
    ]


@dataclass
class ChunkResult:
    rows: SlotRows
    sgp4_error_samples: int
    out_of_band_samples: int
    slot_starts: np.ndarray  # steps (from the chunk's first) where a slot starts


def simulate_chunk(prep: Prepared, k0: int, k1: int) -> ChunkResult:
    """Steps [k0, k1) of the run: propagate once, then slot by slot."""
    tm = prep.scenario.time
    step_ns = tm.step_s * 1e9
    chunk_start = prep.start + np.timedelta64(int(round(k0 * step_ns)), "ns")
    chunk_end = prep.start + np.timedelta64(int(round((k1 - 1) * step_ns)), "ns")

    def compute_ephemeris() -> Ephemeris:
        return Ephemeris.compute(
            prep.constellation,
            chunk_start,
            chunk_end,
            step_s=tm.propagation_step_s,
            altitude_band_km=tuple(prep.scenario.constellation.altitude_band_km),
        )

    shared = prep.shared
    eph = compute_ephemeris() if shared is None else shared.ephemeris((k0, k1), compute_ephemeris)

    def geometry_of_slot(s0: int) -> Callable[[int], SharedInstant] | None:
        if shared is None or prep.ctx.ground.terminal_routes:
            return None  # simulate_slot computes it (moving terminals: at every instant)
        ctx = prep.ctx

        def geometry(k: int) -> SharedInstant:
            def compute() -> Geometry:
                r, valid = eph.at(np.array([(s0 - k0 + k) * tm.step_s]))
                return geometry_at(ctx, r[0], valid[0])

            return shared.instant(s0 + k, ctx, compute)

        return geometry

    steps_per_slot = int(round(tm.slot_s / tm.step_s))
    # A slot is cut where an event starts or ends: the network is re-planned at once.
    cuts = prep.ctx.timeline.boundary_steps(tm.step_s)
    starts = np.union1d(np.arange(k0, k1, steps_per_slot), cuts[(cuts > k0) & (cuts < k1)])
    slots = [
        simulate_slot(
            prep.ctx,
            eph,
            (np.arange(s0, s1) - k0) * tm.step_s,
            prep.scenario.network.processing_delay_ms,
            prep.ctx.state_at_step(s0),
            k0 * tm.step_s,
            geometry_of_slot(int(s0)),
        )
        for s0, s1 in zip(starts, np.r_[starts[1:], k1], strict=True)
    ]
    rows = SlotRows.concatenate(slots)
    tl, power = prep.ctx.timeline, prep.ctx.power
    if tl.power_off or power.stats:
        t_s = np.arange(k0, k1) * tm.step_s
        powered = tl.terminal_powered(t_s, rows.connected.shape[1]) & power.powered(t_s)
        rows.cut_off(~powered, REASONS.index(REASON_NO_POWER))
    return ChunkResult(rows, eph.n_sgp4_errors, eph.n_out_of_band, starts - k0)


# One Prepared per worker process, built by the pool initializer (Satrec objects do not
# pickle, so each worker rebuilds from the scenario, which does).
_worker_prep: Prepared | None = None


def _init_worker(scenario: Scenario) -> None:
    global _worker_prep
    logging.getLogger("lifeline").setLevel(logging.ERROR)  # the parent warns (simulate)
    _worker_prep = prepare(scenario)


def _worker_chunk(bounds: tuple[int, int]) -> ChunkResult:
    assert _worker_prep is not None
    return simulate_chunk(_worker_prep, *bounds)


def simulate(
    scenario: Scenario,
    on_table: Callable[[pa.Table], None],
    accumulator: TerminalAccumulator,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    shared: SharedInputs | None = None,
    checkpoint: RunCheckpoint | None = None,
) -> RunInfo:
    """Run the scenario, handing each chunk's rows to ``on_table`` in time order.

    Parameters
    ----------
    scenario : a validated scenario.
    on_table : receives one ``pyarrow.Table`` (schema ``TERMINALS_SCHEMA``) per chunk.
    accumulator : collects the per-terminal streams the summary needs.
    progress : called as ``progress(steps_done, steps_total)``.
    workers : processes for the time chunks (None: one per CPU core; 1: in this process).
        Chunks are independent (each propagates its own window), so they run in parallel in a
        standard-library process pool; the result is identical for any number of workers.
    shared : inputs reused from earlier runs in this process (:func:`shared_inputs`); the
        chunks use its ephemerides and geometry only when they run in this process.
    checkpoint : where each finished chunk is kept; chunks it already holds (an interrupted
        run being resumed) are read back instead of recomputed.
    """
    prep = prepare(scenario, shared)
    ground, constellation = prep.ctx.ground, prep.constellation
    demand = np.array([t.users * t.mbps_per_user for t in scenario.terminals], dtype=float)
    accumulator.demand_mbps = demand
    log.info(
        "%d satellites, %d ISLs, %d terminals, %d gateways, %d PoPs",
        len(constellation),
        len(prep.ctx.isl_edges),
        len(ground.terminal_names),
        len(ground.gateway_names),
        len(ground.pop_names),
    )
    tm = scenario.time
    bounds = chunk_bounds(scenario)
    start_ns = prep.start.astype(np.int64)
    sgp4_errors = out_of_band = 0

    def build_radio() -> RadioPrep | None:
        if not scenario.radio.enabled:
            return None
        return prepare_radio(
            scenario.radio,
            scenario.rain,
            scenario.jammers,
            ground.terminal_lat_deg,
            ground.terminal_lon_deg,
            demand,
            tm.start_utc,
            tm.duration_s,
        )

    def consume(result: ChunkResult | None, k0: int, k1: int, radio: RadioPrep | None) -> None:
        nonlocal sgp4_errors, out_of_band
        if result is None:  # completed before an interruption: read back
            assert checkpoint is not None
            table, counts = checkpoint.load(k0, k1)
            n = len(ground.terminal_names)
            accumulator.add(*accumulator_columns(table, n, constellation.names, list(REASONS)))
        else:
            rows = result.rows
            t_s = np.arange(k0, k1) * tm.step_s
            cols = apply_radio(radio, ground, len(constellation), t_s, result, demand)
            accumulator.add(
                rows.connected, rows.rtt_ms, rows.satellite, rows.reason, cols.throughput_mbps
            )
            names = list(radio.modcods.names) if radio is not None else [""]
            table = _chunk_table(ground, constellation, start_ns, t_s, rows, cols, names, demand)
            counts = {
                "sgp4_error_samples": result.sgp4_error_samples,
                "out_of_band_samples": result.out_of_band_samples,
            }
            if checkpoint is not None:
                checkpoint.save(k0, k1, table, counts)
        sgp4_errors += counts["sgp4_error_samples"]
        out_of_band += counts["out_of_band_samples"]
        on_table(table)
        if progress is not None:
            progress(k1, tm.n_steps)

    todo = [b for b in bounds if checkpoint is None or not checkpoint.has(*b)]
    n_workers = max(1, min(len(todo), workers or os.cpu_count() or 1))

    # The radio layer runs here, in the parent, on each chunk's rows: its ITU-R tables are
    # built once (itur is slow to load) and never in the workers or the time loop.
    pending = set(todo)
    if n_workers <= 1:
        radio = build_radio()
        for k0, k1 in bounds:
            result = simulate_chunk(prep, k0, k1) if (k0, k1) in pending else None
            consume(result, k0, k1, radio)
    else:
        with ProcessPoolExecutor(n_workers, initializer=_init_worker, initargs=(scenario,)) as pool:
            # map() submits every chunk at once and yields in submission order (rows stream out
            # in time order); the tables are built while the workers start on the chunks.
            results = pool.map(_worker_chunk, todo)
            radio = build_radio()
            for k0, k1 in bounds:
                consume(next(results) if (k0, k1) in pending else None, k0, k1, radio)
    if sgp4_errors or out_of_band:
        log.warning(
            "%s: %d propagated samples are unusable (%d SGP4 errors, %d outside the altitude "
            "band %s km); those satellites are absent there (summary.json: "
            "propagation_warnings)",
            constellation.source,
            sgp4_errors + out_of_band,
            sgp4_errors,
            out_of_band,
            list(scenario.constellation.altitude_band_km),
        )
    return RunInfo(
        n_satellites=len(constellation),
        n_isl_links=len(prep.ctx.isl_edges),
        n_steps=tm.n_steps,
        sgp4_error_samples=sgp4_errors,
        out_of_band_samples=out_of_band,
        events=prep.ctx.timeline.hits,
        power=prep.ctx.power.stats,
    )
