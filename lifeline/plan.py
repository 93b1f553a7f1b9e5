"""The planner: what it takes to give N people a working connection at each terminal site.

For every terminal of a scenario, :func:`make_plan` answers three questions:

1. **Kits**, in both directions: how many kits carry ``users × mbps_down_per_user`` down and
   ``users × mbps_up_per_user`` up for the required share of the time. Kits in one cell share
   its beam with the cell's other subscribers (``[radio] cell_load``): k kits among n others
   get k / (k + n) of the beam, max-min fair
   (:func:`lifeline.links.capacity.share_with_background`), so a cell gives diminishing
   returns. Beyond the kits that take :data:`MAX_CELL_SHARE` of a beam, more kits in that cell
   add little; the plan then spreads the kits over more cells
   (sites at least a cell apart) and says so (:func:`kits_for_demand`). The beam's rate comes
   from the run's radio layer (``capacity_down_mbps``, ``capacity_up_mbps``: a kit alone in its
   beam) at the required share of the time; the direction that needs more kits binds.
2. **Power kit**: with a given solar panel, the smallest battery (on a grid of sizes) that keeps
   a kit powered for the required share of the window (:func:`smallest_battery_wh`), at the
   kit's draw (:mod:`lifeline.kits`).
3. **Gateways**, where the run's availability falls short: the smallest set of candidate
   gateways (nearest to the site first) whose service restores the target, and among sets of
   that size the one with the lowest median RTT (:func:`choose_gateways`). Each candidate is
   evaluated by one run of the scenario with it added; a set's service is the union of its
   members' (routability is a union over gateways: a satellite has a route when it reaches any
   of them), which is exact at plan instants and ignores only mid-slot re-planning.

The searches are exhaustive over small spaces (kit counts, battery grid, subsets of a few
candidates), so they are exactly right; tests check them against independent brute force.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from lifeline.config import Gateway, Scenario
from lifeline.events import region_contains
from lifeline.geo import great_circle_km
from lifeline.kits import get_kit
from lifeline.links.calibrate import EUROPE_DOWNLOAD_MEDIANS_MBPS, EUROPE_UPLOAD_MEDIANS_MBPS
from lifeline.links.capacity import background_users
from lifeline.power import (
    ENERGY_STEP_S,
    run_battery,
    solar_power_w,
    sun_elevation_deg,
)

#: Share of a cell's beam beyond which more kits in that cell are not worth adding [-].
#: Assumption: with n others in the beam, the kits past this share each add under a tenth of
#: what the first kit gets, and they take it from the cell's other subscribers.
MAX_CELL_SHARE = 0.9

#: Upload a person needs per Mbit/s of download when only the download is given [-]: the ratio of
#: the FCC's fixed-broadband benchmark, 100/20 Mbit/s (FCC 24-27, 2024 Section 706 Report;
#: references.md#kits).
UPLINK_SHARE_OF_DOWNLINK = 0.2

#: Most kits tried per cell in the search.
MAX_KITS_PER_CELL = 1000

#: Candidate gateway columns given to the added ``[[gateways]]`` entry (the reader,
#: :func:`lifeline.io.sites.read_gateways_csv`, checks them against the same ranges); the
#: other columns of a gateway CSV (band, antenna counts, notes) do not change a run.
CANDIDATE_COLUMNS = ("alt_m", "min_elevation_deg", "max_satellites")

#: Battery sizes tried [Wh]: 0 to 20 kWh in 100 Wh steps (assumption,
#: references.md#power-defaults).
BATTERY_GRID_WH = np.arange(0.0, 20_000.0 + 1.0, 100.0)


@dataclass(frozen=True)
class KitCount:
    """Kits for one direction of one site.

    Attributes
    ----------
    kits : total kits (``cells × kits_per_cell``); 0 when no demand.
    cells : cells the kits must be spread over (1: one site is enough).
    kits_per_cell : kits in each cell.
    per_kit_mbps : what one kit gets alone among the cell's other subscribers, at the required
        share of the time [Mbit/s].
    cell_max_mbps : what one cell gives the site's kits at most (at ``MAX_CELL_SHARE``) [Mbit/s].
    """

    kits: int
    cells: int
    kits_per_cell: int
    per_kit_mbps: float
    cell_max_mbps: float


def _rate_at_share(beam_mbps, background, kits, target_share):
    """(K,) the highest rate [Mbit/s] that ``kits[k]`` kits together reach on at least
    ``target_share`` of the steps: the ⌈share · T⌉-th largest of their per-step rates."""
    k = np.asarray(kits, dtype=float)[:, None]
    total = np.asarray(beam_mbps, dtype=float)[None, :] * k / (k + np.asarray(background)[None, :])
    rank = max(1, math.ceil(target_share * total.shape[1] - 1e-9))
    return -np.partition(-total, rank - 1, axis=1)[:, rank - 1]


def kits_for_demand(
    demand_mbps: float,
    beam_mbps: np.ndarray,
    background_users: np.ndarray,
    target_share: float,
    max_cell_share: float = MAX_CELL_SHARE,
    cells: int | None = None,
) -> KitCount:
    """Fewest kits that carry ``demand_mbps`` for ``target_share`` of the steps.

    Parameters
    ----------
    demand_mbps : what the site needs in this direction [Mbit/s].
    beam_mbps : (T,) a kit's rate alone in its beam at each served step [Mbit/s].
    background_users : (T,) or scalar, other subscribers sharing the beam at each step.
    target_share : required share of the steps, 0..1.
    max_cell_share : a cell takes at most the kits whose share of the beam reaches this
        (:data:`MAX_CELL_SHARE`); more demand goes to more cells.
    cells : split the demand over this many cells (None: the fewest that can carry it; a number
        below that is raised to it).

    Returns
    -------
    KitCount
        One cell when it can carry the demand; else the demand split evenly over the fewest
        cells that can, each with the fewest kits for its part. Every count is checked against
        the rate series itself (no closed form), so the answer holds at the quantile.
    """
    beam = np.asarray(beam_mbps, dtype=float)
    n = np.broadcast_to(np.asarray(background_users, dtype=float), beam.shape)
    if not len(beam):
        return KitCount(0, 0, 0, 0.0, 0.0)
    per_kit = float(_rate_at_share(beam, n, [1], target_share)[0])
    kits = np.arange(1, MAX_KITS_PER_CELL + 1)
    # Kits a cell takes: those whose share of the beam, k / (k + n), stays within
    # max_cell_share at every step (at least one kit).
    share = kits[:, None] / (kits[:, None] + n[None, :])
    k_max = max(1, int(np.sum(np.all(share <= max_cell_share + 1e-12, axis=1))))
    rates = _rate_at_share(beam, n, kits[:k_max], target_share)
    cell_max = float(rates[-1])
    if demand_mbps <= 0:
        return KitCount(0, 0, 0, per_kit, cell_max)
    if cell_max <= 0:
        return KitCount(0, 0, 0, per_kit, cell_max)  # the link never carries anything
    fewest = max(1, math.ceil(demand_mbps / cell_max - 1e-9))
    cells = fewest if cells is None else max(cells, fewest)
    per_cell = int(np.argmax(rates >= demand_mbps / cells - 1e-9)) + 1
    return KitCount(cells * per_cell, cells, per_cell, per_kit, cell_max)


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


def _direction(
    rows,
    mask,
    column: str,
    given_mbps: float | None,
    background: np.ndarray,
    demand: float,
    target: float,
    max_cell_share: float,
    cells: int | None = None,
) -> tuple[KitCount, str]:
    """Kits for one direction (over ``cells`` cells, None: the fewest): from the run's beam
    rates, or from a given per-kit rate."""
    if given_mbps is not None:
        # A given per-kit rate is what one kit gets among the cell's others: the beam is
        # (1 + n) times that.
        beam = given_mbps * (1.0 + background)
        return kits_for_demand(demand, beam, background, 1.0, max_cell_share, cells), "given"
    if column in rows:
        beam = rows[column][mask].to_numpy(float)
        ok = np.isfinite(beam)
        if ok.any():
            count = kits_for_demand(demand, beam[ok], background[ok], target, max_cell_share, cells)
            return count, f"radio layer ({column} at {100 * target:g} % of served steps)"
    beam = np.array([DEFAULT_KIT_MBPS[column]]) * (1.0 + background[:1])
    count = kits_for_demand(demand, beam, background[:1], 1.0, max_cell_share, cells)
    return count, "default (European Ookla medians, references.md#measured-throughput)"


#: Per-kit rates [Mbit/s] when the run has no radio layer: one standard-actuated kit in a loaded
#: cell, the medians the radio layer is calibrated to (:mod:`lifeline.links.calibrate`).
DEFAULT_KIT_MBPS = {
    "capacity_down_mbps": float(np.median(EUROPE_DOWNLOAD_MEDIANS_MBPS)),
    "capacity_up_mbps": float(np.median(EUROPE_UPLOAD_MEDIANS_MBPS)),
}


def make_plan(
    scenario: Scenario,
    users: int,
    mbps_down_per_user: float,
    mbps_up_per_user: float,
    availability_pct: float,
    candidates: list[dict],
    kit_mbps_down: float | None = None,
    kit_mbps_up: float | None = None,
    solar_w: float = 0.0,
    n_candidates: int = 5,
    max_added: int = 3,
    workers: int | None = None,
    max_cell_share: float = MAX_CELL_SHARE,
) -> dict:
    """The plan for every terminal of the scenario (see the module docstring).

    Parameters
    ----------
    scenario : the situation to plan for (its events, kits and cell load included).
    users, mbps_down_per_user, mbps_up_per_user : people per site and the rates each needs
        [Mbit/s].
    availability_pct : required share of time served [%], for service, kits and battery alike.
    candidates : gateway sites that could be added (dicts with ``name``, ``lat_deg``,
        ``lon_deg`` and optionally the columns in :data:`CANDIDATE_COLUMNS`, which are given to
        the added gateway; None or absent takes the ``[[gateways]]`` default), e.g. from
        :func:`lifeline.io.sites.read_gateways_csv`; those already in the scenario or inside a
        ground-loss region are skipped, and the ``n_candidates`` nearest to each short site are
        tried.
    kit_mbps_down, kit_mbps_up : what one kit gets in its loaded cell [Mbit/s]. None: from the
        radio layer where the run has it (the beam rate ``capacity_*_mbps`` at the required
        share of the site's served steps, shared with the cell's other subscribers), else
        :data:`DEFAULT_KIT_MBPS`.
    solar_w : solar panel per kit for the power kit [W] (0: battery alone).
    max_cell_share : see :func:`kits_for_demand`.
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
    demand_down = users * mbps_down_per_user
    demand_up = users * mbps_up_per_user
    plan: dict = {
        "scenario": scenario.name,
        "users": users,
        "mbps_down_per_user": mbps_down_per_user,
        "mbps_up_per_user": mbps_up_per_user,
        "availability_pct": availability_pct,
        "kit_mbps_down": kit_mbps_down,  # None: per site, from the radio layer
        "kit_mbps_up": kit_mbps_up,
        "solar_w": solar_w,
        "max_cell_share": max_cell_share,
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
    start_unix_s = scenario.time.start_utc.timestamp()
    for i, n in enumerate(names):
        t = scenario.terminals[i]
        kit = get_kit(t.kit)
        draw = kit.draw_w if t.power is None or t.power.draw_w is None else t.power.draw_w
        battery = smallest_battery_wh(_supply_w(scenario, i, solar_w), draw, target)
        rtt = rows.rtt_ms[rows.terminal == n].to_numpy()
        mask = ((rows.terminal == n) & rows.connected).to_numpy()
        background = background_users(
            start_unix_s + rows.time_s[mask].to_numpy(float), t.lon_deg, scenario.radio.cell_load
        )
        if not len(background):
            background = background_users(start_unix_s, t.lon_deg, scenario.radio.cell_load)
            background = np.atleast_1d(np.mean(background))

        def both(cells, mask=mask, background=background):
            return [
                _direction(
                    rows, mask, column, given, background, dem, target, max_cell_share, cells
                )
                for column, given, dem in (
                    ("capacity_down_mbps", kit_mbps_down, demand_down),
                    ("capacity_up_mbps", kit_mbps_up, demand_up),
                )
            ]

        (down, down_src), (up, up_src) = both(None)
        # Both directions go through the same kits: as many cells as the harder one needs, and
        # in each cell the kits the harder direction needs there.
        cells = max(down.cells, up.cells)
        if cells > 1:
            (down, down_src), (up, up_src) = both(cells)
        up_binds = (up.kits_per_cell, up.cells) > (down.kits_per_cell, down.cells)
        binding = "up" if up_binds else "down"
        per_cell = max(down.kits_per_cell, up.kits_per_cell)
        need = KitCount(cells * per_cell, cells, per_cell, 0.0, 0.0)
        notes = []
        if cells > 1:
            c, dem = (up, demand_up) if up.cells >= down.cells else (down, demand_down)
            way = "up" if c is up else "down"
            notes.append(
                f"{way}: one cell gives these kits at most {c.cell_max_mbps:.0f} Mbit/s (more "
                f"kits in it add little, and take it from its other subscribers); {dem:g} Mbit/s "
                f"needs {cells} cells: put {per_cell} kits at each of {cells} sites at least "
                f"{scenario.radio.cell_size_km:g} km apart, or ask for a second cell"
            )
        for label, c, dem in (("down", down, demand_down), ("up", up, demand_up)):
            if c.kits == 0 and dem > 0:
                notes.append(f"{label}: the link never carries traffic here")
        site = {
            "availability_pct": round(100.0 * float(served[n].mean()), 3),
            "rtt_ms_p50": None if not served[n].any() else round(float(np.nanmedian(rtt)), 3),
            "kit": kit.name,
            "kits": need.kits,
            "cells": need.cells,
            "kits_per_cell": need.kits_per_cell,
            "binding": binding,
            "demand_down_mbps": demand_down,
            "demand_up_mbps": demand_up,
            "kits_down": down.kits,
            "kits_up": up.kits,
            "cells_down": down.cells,
            "cells_up": up.cells,
            "per_kit_down_mbps": round(down.per_kit_mbps, 3),
            "per_kit_up_mbps": round(up.per_kit_mbps, 3),
            "cell_max_down_mbps": round(down.cell_max_mbps, 3),
            "cell_max_up_mbps": round(up.cell_max_mbps, 3),
            "background_users_p50": round(float(np.median(background)), 3),
            "rates_source": {"down": down_src, "up": up_src},
            "power_kit": {
                "draw_w": draw,
                "solar_w": solar_w,
                "battery_wh": battery,
                "kits_total_draw_w": draw * need.kits,
            },
            "meets_target": n not in short,
            "notes": notes,
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
