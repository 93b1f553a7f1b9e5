"""The planner: what it takes to give N people a working connection at each terminal site.

For every terminal of a scenario, :func:`make_plan` answers three questions:

1. **Terminals**: how many dishes carry ``users × mbps_per_user``, at ``terminal_mbps`` each
   (default: Ookla's European median download of Q2 2022, about 110 Mbit/s,
   references.md#measured-throughput).
2. **Power kit**: with a given solar panel, the smallest battery (on a grid of sizes) that keeps
   a dish powered for the required share of the window (:func:`smallest_battery_wh`).
3. **Gateways**, where the run's availability falls short: the smallest set of candidate
   gateways (nearest to the site first) whose service restores the target, and among sets of
   that size the one with the lowest median RTT (:func:`choose_gateways`). Each candidate is
   evaluated by one run of the scenario with it added; a set's service is the union of its
   members' (routability is a union over gateways: a satellite has a route when it reaches any
   of them), which is exact at plan instants and ignores only mid-slot re-planning.

The searches are exhaustive over small spaces (battery grid, subsets of a few candidates), so
they are exactly right; tests check them against independent brute force.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from lifeline.config import Gateway, Scenario
from lifeline.events import region_contains
from lifeline.geo import great_circle_km
from lifeline.power import (
    DRAW_W_BY_MODEL,
    ENERGY_STEP_S,
    run_battery,
    solar_power_w,
    sun_elevation_deg,
)

#: Throughput of one terminal [Mbit/s]: Ookla Q2 2022, Europe, ~110 Mbit/s down (FR 110.98,
#: BE 110.40, AT 112.01; references.md#measured-throughput).
DEFAULT_TERMINAL_MBPS = 110.0

#: Candidate gateway columns given to the added ``[[gateways]]`` entry (the reader,
#: :func:`lifeline.io.sites.read_gateways_csv`, checks them against the same ranges); the
#: other columns of a gateway CSV (band, antenna counts, notes) do not change a run.
CANDIDATE_COLUMNS = ("alt_m", "min_elevation_deg", "max_satellites")

#: Battery sizes tried [Wh]: 0 to 20 kWh in 100 Wh steps (assumption,
#: references.md#power-defaults).
BATTERY_GRID_WH = np.arange(0.0, 20_000.0 + 1.0, 100.0)


def terminals_needed(users: int, mbps_per_user: float, terminal_mbps: float) -> int:
    """Dishes to carry ``users × mbps_per_user`` [Mbit/s] at ``terminal_mbps`` each (>= 1)."""
    return max(1, math.ceil(users * mbps_per_user / terminal_mbps - 1e-9))


def smallest_battery_wh(
    supply_w: np.ndarray,
    draw_w: float,
    target_share: float,
    step_s: float = ENERGY_STEP_S,
    grid_wh: np.ndarray = BATTERY_GRID_WH,
) -> float | None:
    """Smallest battery on ``grid_wh`` keeping the dish powered for ``target_share`` of steps.

    Parameters
    ----------
    supply_w : (K,) power coming in per step (solar, generator) [W].
    draw_w : the dish's draw [W].
    target_share : required share of powered steps, 0..1.

    Returns
    -------
    float or None
        The capacity [Wh] (starting full), or None if no size on the grid suffices. Every size
        is simulated (one column each), so nothing assumes the share grows with capacity.
    """
    grid_wh = np.asarray(grid_wh, dtype=float)
    supply = np.repeat(np.asarray(supply_w, dtype=float)[:, None], len(grid_wh), axis=1)
    on, _ = run_battery(supply, np.full(len(grid_wh), draw_w), grid_wh, grid_wh, step_s)
    ok = np.flatnonzero(on.mean(axis=0) >= target_share - 1e-12)
    return float(grid_wh[ok[0]]) if len(ok) else None


@dataclass(frozen=True)
class GatewayChoice:
    """A set of candidate gateways that meets the target."""

    members: tuple[int, ...]  # indices into the candidates
    availability: float  # share of steps served, 0..1
    rtt_ms_p50: float | None


def choose_gateways(
    base: np.ndarray,
    served: np.ndarray,
    rtt_ms: np.ndarray,
    target_share: float,
    max_added: int = 3,
) -> GatewayChoice | None:
    """Smallest set of candidates whose service, with the existing one, meets the target.

    Parameters
    ----------
    base : (T,) bool, served without any candidate.
    served : (C, T) bool, served with candidate c added.
    rtt_ms : (C, T) RTT with candidate c added [ms] (NaN where not served).
    target_share : required share of served steps, 0..1.
    max_added : largest set tried.

    Returns
    -------
    GatewayChoice or None
        Among the sets of the smallest size that meet the target, the one with the lowest
        median (over served steps) of the per-step best RTT; ties keep the first in
        lexicographic order. None if no set of up to ``max_added`` candidates suffices.
    """
    base = np.asarray(base, dtype=bool)
    served = np.asarray(served, dtype=bool).reshape(-1, len(base))
    rtt_ms = np.asarray(rtt_ms, dtype=float).reshape(served.shape)
    for size in range(1, min(max_added, len(served)) + 1):
        best: GatewayChoice | None = None
        for combo in itertools.combinations(range(len(served)), size):
            union = base | served[list(combo)].any(axis=0)
            share = float(union.mean())
            if share < target_share - 1e-12:
                continue
            with np.errstate(all="ignore"):
                per_step = np.fmin.reduce(rtt_ms[list(combo)], axis=0)
            finite = per_step[np.isfinite(per_step)]
            p50 = float(np.median(finite)) if len(finite) else None
            key = math.inf if p50 is None else p50
            if best is None or key < (math.inf if best.rtt_ms_p50 is None else best.rtt_ms_p50):
                best = GatewayChoice(combo, share, p50)
        if best is not None:
            return best
    return None


def _supply_w(scenario: Scenario, index: int, solar_w: float) -> np.ndarray:
    """Solar power at a terminal over the window, at ``ENERGY_STEP_S`` steps [W]."""
    tm = scenario.time
    t = scenario.terminals[index]
    k = max(1, int(np.ceil(tm.duration_s / ENERGY_STEP_S)))
    unix_s = tm.start_utc.timestamp() + (np.arange(k) + 0.5) * ENERGY_STEP_S
    return solar_power_w(solar_w, sun_elevation_deg(unix_s, t.lat_deg, t.lon_deg))


def _lost(scenario: Scenario, lat_deg: float, lon_deg: float) -> bool:
    """The site lies in a region that a ``ground_loss`` event of the scenario takes down."""
    return any(
        ev.kind == "ground_loss"
        and bool(region_contains(ev, np.array([lat_deg]), np.array([lon_deg]))[0])
        for ev in scenario.events
    )


def make_plan(
    scenario: Scenario,
    users: int,
    mbps_per_user: float,
    availability_pct: float,
    candidates: list[dict],
    terminal_mbps: float | None = None,
    solar_w: float = 0.0,
    n_candidates: int = 5,
    max_added: int = 3,
    workers: int | None = None,
) -> dict:
    """The plan for every terminal of the scenario (see the module docstring).

    Parameters
    ----------
    scenario : the situation to plan for (its events included).
    users, mbps_per_user : people per site and the rate each needs [Mbit/s].
    availability_pct : required share of time served [%].
    candidates : gateway sites that could be added (dicts with ``name``, ``lat_deg``,
        ``lon_deg`` and optionally the columns in :data:`CANDIDATE_COLUMNS`, which are given to
        the added gateway; None or absent takes the ``[[gateways]]`` default), e.g. from
        :func:`lifeline.io.sites.read_gateways_csv`; those already in the scenario or inside a
        ground-loss region are skipped, and the ``n_candidates`` nearest to each short site are
        tried.
    terminal_mbps : throughput of one dish [Mbit/s]. None: from the radio layer where the run
        has it (the median of ``capacity_mbps``, the rate a dish gets alone in its beam, over the
        site's connected steps), else :data:`DEFAULT_TERMINAL_MBPS`.
    solar_w : solar panel per dish for the power kit [W] (0: battery alone).
    """
    from lifeline.api import run

    target = availability_pct / 100.0
    base = run(scenario, workers=workers)
    rows = base.terminals
    names = [t.name for t in scenario.terminals]
    served = {n: rows.connected[rows.terminal == n].to_numpy() for n in names}
    have = {g.name for g in scenario.gateways}
    pool = [
        c
        for c in candidates
        if c["name"] not in have and not _lost(scenario, c["lat_deg"], c["lon_deg"])
    ]
    plan: dict = {
        "scenario": scenario.name,
        "users": users,
        "mbps_per_user": mbps_per_user,
        "availability_pct": availability_pct,
        "terminal_mbps": terminal_mbps,  # None: per site, from the radio layer
        "solar_w": solar_w,
        "sites": {},
    }
    short = [n for n in names if served[n].mean() < target - 1e-12]
    # Candidates to try: the nearest to any short site, each run once for all sites.
    tried: dict[str, dict] = {}
    for n in short:
        t = scenario.terminals[names.index(n)]
        d = [great_circle_km(t.lat_deg, t.lon_deg, c["lat_deg"], c["lon_deg"]) for c in pool]
        for j in np.argsort(d, kind="stable")[:n_candidates]:
            tried.setdefault(pool[j]["name"], pool[j])
    with_candidate = {}
    for name, c in tried.items():
        # The columns a candidate shares with [[gateways]] are honoured; an empty cell (None)
        # takes the gateway default, and 0 deg is a valid elevation mask.
        given = {k: c[k] for k in CANDIDATE_COLUMNS if c.get(k) is not None}
        gw = Gateway(name=name, lat_deg=c["lat_deg"], lon_deg=c["lon_deg"], **given)
        extended = scenario.model_copy(update={"gateways": (*scenario.gateways, gw)})
        with_candidate[name] = run(extended, workers=workers).terminals
    for i, n in enumerate(names):
        t = scenario.terminals[i]
        model = t.power.model if t.power is not None else "standard-actuated"
        draw = (
            DRAW_W_BY_MODEL[model] if t.power is None or t.power.draw_w is None else t.power.draw_w
        )
        battery = smallest_battery_wh(_supply_w(scenario, i, solar_w), draw, target)
        rtt = rows.rtt_ms[rows.terminal == n].to_numpy()
        dish_mbps, source = terminal_mbps, "given"
        if dish_mbps is None:
            capacity = (
                rows.capacity_mbps[(rows.terminal == n) & rows.connected].to_numpy()
                if "capacity_mbps" in rows
                else np.zeros(0)
            )
            capacity = capacity[np.isfinite(capacity) & (capacity > 0)]
            if len(capacity):
                dish_mbps, source = float(np.median(capacity)), "radio layer (capacity p50)"
            else:
                dish_mbps = DEFAULT_TERMINAL_MBPS
                source = "default (references.md#measured-throughput)"
        site = {
            "availability_pct": round(100.0 * float(served[n].mean()), 3),
            "rtt_ms_p50": None if not served[n].any() else round(float(np.nanmedian(rtt)), 3),
            "terminal_mbps": round(dish_mbps, 3),
            "terminal_mbps_source": source,
            "terminals": terminals_needed(users, mbps_per_user, dish_mbps),
            "power_kit": {"draw_w": draw, "solar_w": solar_w, "battery_wh": battery},
            "meets_target": n not in short,
        }
        if n in short:
            names_c = [c for c in tried if c in with_candidate]
            s = np.array(
                [with_candidate[c].connected[with_candidate[c].terminal == n] for c in names_c]
            )
            r = np.array(
                [with_candidate[c].rtt_ms[with_candidate[c].terminal == n] for c in names_c]
            )
            choice = choose_gateways(served[n], s, r, target, max_added) if names_c else None
            site["candidates_tried"] = names_c
            site["add_gateways"] = None if choice is None else [names_c[k] for k in choice.members]
            if choice is not None:
                site["availability_with_pct"] = round(100.0 * choice.availability, 3)
                site["rtt_ms_p50_with"] = choice.rtt_ms_p50
        plan["sites"][n] = site
    return plan
