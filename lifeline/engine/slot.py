"""Evaluating paths over the steps of one 15-s scheduling slot.

The plan made at the slot start (:mod:`lifeline.engine.instant`) is followed step by step with
the satellites' positions at each step: the RTT's space part 2 × (uplink + ISLs + feeder
downlink) / c and its ground part 2 × fibre (the access part is added per chunk,
:mod:`lifeline.engine.run`). If the serving satellite sets below the terminal's minimum
elevation, the feeder satellite sets below the gateway's, or a satellite on the path becomes
invalid, the network is re-planned at that step and the terminal re-assigned; a terminal left
without service waits for the next slot, like a terminal waiting for the controller's next
assignment (:func:`simulate_slot`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lifeline.engine.inputs import terminal_positions
from lifeline.engine.instant import Context, NetState, Plan, geometry_at, plan_network
from lifeline.engine.shared import SharedInstant
from lifeline.geo import look_angles
from lifeline.links.gsl import HORIZON_BINS, SiteSet
from lifeline.network.routing import trace_paths
from lifeline.network.topology import MS_PER_KM_VACUUM
from lifeline.orbits.propagate import Ephemeris
from lifeline.reasons import REASON_NO_SATELLITE, REASONS


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
    rtt_ms: np.ndarray  # rtt_space_ms + rtt_ground_ms + rtt_access_ms
    rtt_space_ms: np.ndarray
    rtt_ground_ms: np.ndarray
    rtt_access_ms: np.ndarray
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
            rtt_space_ms=nan.copy(),
            rtt_ground_ms=nan.copy(),
            rtt_access_ms=nan.copy(),
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
    ``rtt_space_ms``, ``rtt_ground_ms``, (M,) arrays ``isl_hops``, ``gateway``, ``pop``, and
    ``link_key`` (M, H), the shared links of each path (:func:`path_link_keys`).

    Notes
    -----
    At the plan's instant the path delay is the Dijkstra distance itself (same positions), so
    only the terminal's look angles are computed there; later instants recompute every link
    with the satellites' positions at that instant: space = 2 × (uplink + ISLs + feeder) / c,
    ground = 2 × fibre.
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
    fibre_ms = plan.state.gateway_fiber_ms[gateway]
    # The Dijkstra distance runs satellite → ... → gateway → PoP: less the fibre, the space part.
    space0 = 2.0 * (up0 * MS_PER_KM_VACUUM + (routes.delay_ms[serving] - fibre_ms))
    out = {
        "valid": np.ones((1, len(serving)), dtype=bool),
        "elevation_deg": elev0[None],
        "azimuth_deg": az0[None],
        "range_km": up0[None],
        "rtt_space_ms": space0[None],
        "rtt_ground_ms": 2.0 * fibre_ms[None],
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
        later["rtt_space_ms"] = 2.0 * path_km * MS_PER_KM_VACUUM
        later["rtt_ground_ms"] = np.broadcast_to(2.0 * fibre_ms, path_km.shape)
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
    state: NetState,
    t0_s: float = 0.0,
    geometry: Callable[[int], SharedInstant] | None = None,
    previous: np.ndarray | None = None,
) -> SlotRows:
    """All steps of one scheduling slot (``t_s[0]`` is the slot start) under one event state.

    ``t_s`` count from the ephemeris start, which is ``t0_s`` after the scenario start.
    ``geometry(k)`` gives what :class:`SharedInputs` keeps for the instant ``t_s[k]``
    (default: computed here; a sweep passes one that reuses it across samples).
    ``previous`` (N,): each terminal's satellite just before the slot (−1: none), which the
    serving policy may keep (:func:`lifeline.network.assign.choose_serving`).
    """
    g = ctx.ground
    n_term = len(g.terminal_names)
    out = SlotRows.empty(len(t_s), n_term)
    plans: dict[int, Plan] = {}
    memos: dict[int, dict | None] = {}  # path memo of each plan instant (SharedInstant)
    link_keys: list[np.ndarray] = []  # per evaluated group, (M, H)

    def plan_at(k: int, terms: np.ndarray) -> Plan:
        # Every terminal that needs a plan at step k is known when k comes up (re-plans are
        # only added at later steps), so one plan per step serves them all.
        if k not in plans:
            view = memos[k] = None
            if geometry is None:
                r, valid = ephemeris.at(t_s[k : k + 1])
                geom = geometry_at(ctx, r[0], valid[0], t0_s + t_s[k])
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
            before = previous if k == 0 else out.satellite[k - 1]
            plans[k] = plan_network(
                ctx, geom, state, sites, view, before, ephemeris, t_s[k], terms, t_s[-1]
            )
        return plans[k]

    # Work list of (first step, terminals) groups, processed in step order.
    pending: dict[int, np.ndarray] = {0: np.arange(n_term)}
    while pending:
        k = min(pending)
        terms = pending.pop(k)
        plan = plan_at(k, terms)
        serving = plan.serving[terms]
        out.reason[k:, terms] = plan.reason[terms]
        served = serving >= 0
        terms, serving = terms[served], serving[served]
        if len(terms) == 0:
            continue
        ev = evaluate_paths(ctx, ephemeris, t_s[k:], terms, serving, plan, t0_s, memos[k])
        valid = ev["valid"]
        # Steps before the first invalid one are served by this assignment.
        first_bad = np.where(valid.all(axis=0), len(t_s) - k, np.argmin(valid, axis=0))
        good = np.arange(len(t_s) - k)[:, None] < first_bad[None, :]
        for name in ("elevation_deg", "azimuth_deg", "range_km", "rtt_space_ms", "rtt_ground_ms"):
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
