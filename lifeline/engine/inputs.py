"""Scenario → arrays: what a run (and pair mode, and ``lifeline validate``) builds from a
validated scenario before any time step.

The constellation (:func:`build_constellation`: TLE file, Hypatia ``tles.txt``, preset or
Walker shells), the ground sites (:class:`Ground`: terminals, gateways homed to PoPs, fibre
delays), where terminals are at any instant (:func:`terminal_positions`), their range and
horizon limits, their power over the run (:class:`PowerTimeline`) and the laser links
(:func:`scenario_lasers`). Every function here is called once per run, never in the time loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lifeline.config import Scenario
from lifeline.errors import ScenarioError
from lifeline.geo import geodetic_to_ecef_km, great_circle_km
from lifeline.io.hypatia import HypatiaFormatError, read_isls, read_tles
from lifeline.io.tle import filter_launched_by, read_tle
from lifeline.links.gsl import HORIZON_BINS
from lifeline.links.isl import laser_capable, laser_grid_schedule, plus_grid
from lifeline.network.topology import fiber_delay_ms
from lifeline.orbits.presets import build_preset
from lifeline.orbits.propagate import Constellation, propagate_teme
from lifeline.orbits.walker import walker_delta
from lifeline.power import (
    DRAW_W_BY_MODEL,
    ENERGY_STEP_S,
    run_battery,
    solar_power_w,
    sun_elevation_deg,
)


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

    Gateway → PoP fibre: great-circle distance × ``network.fiber_stretch``, or the gateway's
    ``pop_route_km`` to its named PoP where the scenario knows the route.

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
    for i, gw in enumerate(g):
        if gw.pop_route_km is not None:  # a known route: its length, no stretch
            all_fiber_ms[i, home[i]] = fiber_delay_ms(gw.pop_route_km, 1.0, net.fiber_group_index)
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
    # A power table without a model draws what the terminal's kit draws.
    models = [p.model or scenario.terminals[i].kit for p, i in zip(kits, idx, strict=True)]
    draw = np.array(
        [
            DRAW_W_BY_MODEL[m] if p.draw_w is None else p.draw_w
            for p, m in zip(kits, models, strict=True)
        ]
    )
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


#: Interval at which the +Grid of a real constellation is re-formed [s] (assumption: Starlink
#: reported 266,141 laser acquisitions a day with ~9,000 lasers in orbit, about one new link
#: per satellite every 45 min, references.md#isl-range).
LASER_REGRID_S = 3600.0


@dataclass(frozen=True)
class LaserLinks:
    """A scenario's laser links over the run.

    Attributes
    ----------
    edges : (E, 2) int
        Every link that exists at some time (satellite pairs, ``a < b`` for +Grids).
    active : (K, E) bool or None
        For a re-formed +Grid (real TLEs), the links formed from epoch ``k`` (``k ×
        epoch_s`` after the start) to the next; None: every link at all times.
    epoch_s : float
    n_capable : int
        Satellites with lasers.
    """

    edges: np.ndarray
    active: np.ndarray | None
    epoch_s: float
    n_capable: int

    def formed(self, t_s: float) -> np.ndarray | None:
        """(E,) bool: the links formed at ``t_s`` [s after the start]; None: all."""
        if self.active is None:
            return None
        return self.active[min(int(t_s // self.epoch_s), len(self.active) - 1)]


def scenario_lasers(
    scenario: Scenario, constellation: Constellation, start_utc: np.datetime64
) -> LaserLinks:
    """The scenario's laser links: none for bent pipe (``network.isl = false``), the pairs of
    ``network.isl_file`` if given, Hypatia's +Grid for Walker and Hypatia constellations
    (:func:`plus_grid`), else, for real TLEs, the +Grid of the laser-capable satellites
    (``network.laser_satellites``: ``"history"`` by launch, :func:`laser_capable`, or
    ``"all"``) re-formed every :data:`LASER_REGRID_S` (:func:`laser_grid_schedule`).

    Raises
    ------
    ScenarioError
        A malformed ``isl_file``, or one naming a satellite id outside the constellation.
    """
    net = scenario.network
    n = len(constellation)
    if not net.isl:
        return LaserLinks(np.zeros((0, 2), dtype=np.int64), None, LASER_REGRID_S, 0)
    if net.isl_path is not None:
        try:
            edges = read_isls(net.isl_path, n)
        except HypatiaFormatError as exc:
            raise ScenarioError(
                scenario.source,
                "network.isl_file",
                net.isl_file,
                f"a Hypatia isls.txt linking satellites of the constellation, ids 0..{n - 1} "
                f"({exc})",
            ) from None
        return LaserLinks(edges, None, LASER_REGRID_S, len(np.unique(edges)))
    if np.all(constellation.plane >= 0):
        edges = plus_grid(constellation.plane, constellation.slot, shell=constellation.shell)
        return LaserLinks(edges, None, LASER_REGRID_S, n)
    if net.laser_satellites == "all":
        capable = np.ones(n, dtype=bool)
    else:
        capable = laser_capable(
            [s.intldesg for s in constellation.satrecs],
            np.degrees([s.inclo for s in constellation.satrecs]),
        )
    n_epochs = int(np.ceil(scenario.time.duration_s / LASER_REGRID_S)) or 1
    epochs = start_utc + (np.arange(n_epochs) * LASER_REGRID_S * 1e9).astype("timedelta64[ns]")
    r, v, err = propagate_teme(constellation.satrecs, epochs)
    valid = (err == 0) & np.all(np.isfinite(r), axis=-1)
    edges, active = laser_grid_schedule(
        r, v, valid, capable, net.isl_max_range_km, net.isl_min_grazing_altitude_km
    )
    return LaserLinks(edges.astype(np.int64), active, LASER_REGRID_S, int(capable.sum()))


def scenario_isl_edges(
    scenario: Scenario, constellation: Constellation, start_utc: np.datetime64
) -> np.ndarray:
    """Every laser link of the scenario at some time (E, 2) (:func:`scenario_lasers`)."""
    return scenario_lasers(scenario, constellation, start_utc).edges
