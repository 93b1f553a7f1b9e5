"""Events turned into masks the engine applies per scheduling slot.

The ``[[events]]`` models (``kind``, time window, targets) are :mod:`lifeline.config.events`.

Nothing here re-runs anything: :func:`compile_events` resolves each event once to a boolean mask
over its targets, and :class:`Timeline` holds the combined masks of every interval between two
event boundaries (at most ``2 × events + 1`` of them), so the engine looks the masks up per slot
(and re-plans at once where an interval starts inside a slot). Power loss only masks the
terminal's own rows.

Names are resolved against the scenario's sites and the constellation; an unknown one raises a
:class:`~lifeline.errors.ScenarioError` naming ``events[i].field[j]`` and the closest name.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.config.events import (
    GatewayOutage,
    GroundLoss,
    IslFailure,
    PopOutage,
    PowerLoss,
    SatelliteFailure,
)
from lifeline.errors import ScenarioError
from lifeline.geo import great_circle_km

__all__ = [
    "Masks",
    "Timeline",
    "compile_events",
    "inside_polygon",
    "region_contains",
]

def region_contains(
    event: GroundLoss, lat_deg: ArrayLike, lon_deg: ArrayLike
) -> NDArray[np.bool_]:
    """Which points are inside a ground-loss event's region (circle: great-circle distance)."""
    if event.radius_km is not None:
        d_km = great_circle_km(event.center_lat_deg, event.center_lon_deg, lat_deg, lon_deg)
        return np.asarray(d_km <= event.radius_km)
    return inside_polygon(lat_deg, lon_deg, event.polygon_lat_deg, event.polygon_lon_deg)


def inside_polygon(
    lat_deg: ArrayLike, lon_deg: ArrayLike, poly_lat_deg: ArrayLike, poly_lon_deg: ArrayLike
) -> NDArray[np.bool_]:
    """Points inside a polygon in the latitude–longitude plane (even–odd rule).

    Parameters
    ----------
    lat_deg, lon_deg : array_like, shape (N,)
        Points [deg].
    poly_lat_deg, poly_lon_deg : array_like, shape (V,)
        Vertices in order [deg]; the polygon closes itself. Edges are straight in latitude and
        longitude (not great circles), so it suits regional outlines that do not cross ±180°.

    Returns
    -------
    ndarray of bool, shape (N,)

    References
    ----------
    W. R. Franklin, "PNPOLY - Point Inclusion in Polygon Test" (crossing-number test), 1970/2006;
    E. Haines, "Point in Polygon Strategies", Graphics Gems IV, 1994.
    """
    y = np.asarray(lat_deg, dtype=float).reshape(-1, 1)
    x = np.asarray(lon_deg, dtype=float).reshape(-1, 1)
    yi = np.asarray(poly_lat_deg, dtype=float)[None, :]
    xi = np.asarray(poly_lon_deg, dtype=float)[None, :]
    yj, xj = np.roll(yi, 1, axis=1), np.roll(xi, 1, axis=1)
    straddles = (yi > y) != (yj > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_cross = (xj - xi) * (y - yi) / (yj - yi) + xi
    crossings = np.count_nonzero(straddles & (x < x_cross), axis=1)
    return crossings % 2 == 1


@dataclass(frozen=True)
class Masks:
    """What is up during one interval (True = working).

    Attributes
    ----------
    gateway_up, pop_up : (G,), (P,) bool
        Down because of an outage or ground loss event (not the scenario's ``live`` flags).
    sat_ok : (S,) bool
        Not failed.
    isl_ok : (E,) bool
        Laser link working (over the ISL edge list the events were compiled for).
    """

    gateway_up: NDArray[np.bool_]
    pop_up: NDArray[np.bool_]
    sat_ok: NDArray[np.bool_]
    isl_ok: NDArray[np.bool_]

    @property
    def ground_events(self) -> bool:
        """Some gateway or PoP is down because of an event."""
        return not (self.gateway_up.all() and self.pop_up.all())

    @property
    def sat_events(self) -> bool:
        """Some satellite has failed."""
        return not self.sat_ok.all()


@dataclass(frozen=True)
class Timeline:
    """Masks per interval between event boundaries.

    Attributes
    ----------
    boundaries_s : (B,) float
        Sorted instants inside the run where some mask changes [s after the scenario start].
    masks : list of Masks, length B + 1
        ``masks[i]`` holds on ``[boundaries_s[i-1], boundaries_s[i])``.
    power_off : list of (start_s, end_s, (N,) bool)
        Power-loss windows. They touch no one else's route, so they cut no interval: the
        engine masks the terminals' rows step by step (:meth:`terminal_powered`).
    hits : list of dict
        Per event, what it resolved to (for the summary): kind, window and target names/counts.
    """

    boundaries_s: NDArray[np.float64]
    masks: list[Masks]
    power_off: list[tuple[float, float, NDArray[np.bool_]]]
    hits: list[dict]

    def terminal_powered(self, t_s: NDArray, n_terminals: int) -> NDArray[np.bool_]:
        """(n, N) bool: which terminals have power at the instants ``t_s`` (n,) [s]."""
        t_s = np.asarray(t_s, dtype=float)[:, None]
        off = np.zeros((len(t_s), n_terminals), dtype=bool)
        for t0, t1, who in self.power_off:
            off |= (t_s >= t0) & (t_s < t1) & who[None, :]
        return ~off

    def boundary_steps(self, step_s: float) -> NDArray[np.int64]:
        """(B,) the first output step at or after each boundary (``step_s`` [s] apart)."""
        # 1e-9 of a step: a boundary on a step (3600 s at 0.1 s) must not round up past it.
        return np.ceil(self.boundaries_s / step_s - 1e-9).astype(np.int64)

    def interval_at_step(self, k: int | NDArray, step_s: float) -> int | NDArray:
        """Index into :attr:`masks` of the interval in force at output step ``k``."""
        return np.searchsorted(self.boundary_steps(step_s), k, side="right")


def _resolve(
    names: tuple[str, ...], known: list[str], what: str, source: str, field: str
) -> NDArray[np.bool_]:
    index = {n: i for i, n in enumerate(known)}
    mask = np.zeros(len(known), dtype=bool)
    for j, name in enumerate(names):
        if name not in index:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            listing = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
            raise ScenarioError(
                source, f"{field}[{j}]", name, f"the name of a {what}; {hint}(one of: {listing})"
            )
        mask[index[name]] = True
    return mask


def _resolve_satellites(
    ids: tuple[str | int, ...],
    sat_names: list[str],
    sat_catalog: NDArray[np.int64],
    source: str,
    field: str,
) -> NDArray[np.bool_]:
    by_name = {n: i for i, n in enumerate(sat_names)}
    by_number = {int(c): i for i, c in enumerate(sat_catalog)}
    mask = np.zeros(len(sat_names), dtype=bool)
    for j, sat in enumerate(ids):
        i = by_number.get(sat) if isinstance(sat, int) else by_name.get(sat)
        if i is None:
            hint = ""
            if isinstance(sat, str):
                close = difflib.get_close_matches(sat, sat_names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ScenarioError(
                source,
                f"{field}[{j}]",
                sat,
                f"a satellite name or catalog number of the scenario's constellation{hint}",
            )
        mask[i] = True
    return mask


def _draw(n: int, fraction: float, seed: int) -> NDArray[np.bool_]:
    """``round(fraction × n)`` of ``n`` items, without replacement, from ``seed``."""
    mask = np.zeros(n, dtype=bool)
    k = int(round(fraction * n))
    mask[np.random.default_rng(seed).choice(n, size=k, replace=False)] = True
    return mask


def compile_events(
    events: tuple[Any, ...],
    *,
    source: str,
    start_utc: datetime,
    duration_s: float,
    gateway_names: list[str],
    gateway_lat_deg: NDArray,
    gateway_lon_deg: NDArray,
    pop_names: list[str],
    pop_lat_deg: NDArray,
    pop_lon_deg: NDArray,
    sat_names: list[str],
    sat_catalog: NDArray,
    isl_edges: NDArray,
    terminal_names: list[str],
) -> Timeline:
    """Resolve the events to masks and combine them per interval.

    Parameters
    ----------
    events : tuple of event models (:data:`lifeline.config.events.Event`), in scenario order.
    source : the scenario's file, for error messages.
    start_utc, duration_s : the run's window.
    gateway_*, pop_*, terminal_names : the scenario's sites (index order = scenario order).
    sat_names, sat_catalog : (S,) the constellation's satellites.
    isl_edges : (E, 2) laser links (satellite index pairs).

    Returns
    -------
    Timeline

    Raises
    ------
    ScenarioError
        For a name that matches no site or satellite.
    """
    n_g, n_p, n_s = len(gateway_names), len(pop_names), len(sat_names)
    isl_edges = np.asarray(isl_edges, dtype=np.int64).reshape(-1, 2)
    n_e, n_t = len(isl_edges), len(terminal_names)
    windows, effects, hits, power_off = [], [], [], []
    for i, ev in enumerate(events):
        field = f"events[{i}]"
        gw = np.zeros(n_g, dtype=bool)
        pop = np.zeros(n_p, dtype=bool)
        sat = np.zeros(n_s, dtype=bool)
        isl = np.zeros(n_e, dtype=bool)
        term = np.zeros(n_t, dtype=bool)
        if isinstance(ev, GatewayOutage):
            gw = _resolve(
                ev.gateways, gateway_names, "[[gateways]] entry", source, f"{field}.gateways"
            )
        elif isinstance(ev, PopOutage):
            pop = _resolve(ev.pops, pop_names, "[[pops]] entry", source, f"{field}.pops")
        elif isinstance(ev, GroundLoss):
            gw = region_contains(ev, gateway_lat_deg, gateway_lon_deg)
            pop = region_contains(ev, pop_lat_deg, pop_lon_deg)
        elif isinstance(ev, PowerLoss):
            term = _resolve(
                ev.terminals, terminal_names, "[[terminals]] entry", source, f"{field}.terminals"
            )
        else:
            assert isinstance(ev, SatelliteFailure | IslFailure)
            if ev.satellites is not None:
                chosen = _resolve_satellites(
                    ev.satellites, sat_names, sat_catalog, source, f"{field}.satellites"
                )
            if isinstance(ev, SatelliteFailure):
                sat = chosen if ev.fraction is None else _draw(n_s, ev.fraction, ev.seed)
            elif ev.fraction is None:
                isl = chosen[isl_edges[:, 0]] | chosen[isl_edges[:, 1]]
            else:
                isl = _draw(n_e, ev.fraction, ev.seed)
        t0, t1 = ev.window_s(start_utc, duration_s)
        if isinstance(ev, PowerLoss):
            power_off.append((t0, t1, term))
        else:
            windows.append((t0, t1))
            effects.append((gw, pop, sat, isl))
        hits.append(
            {
                "kind": ev.kind,
                "start_s": t0,
                "end_s": max(t0, t1),
                "gateways": [gateway_names[k] for k in np.flatnonzero(gw)],
                "pops": [pop_names[k] for k in np.flatnonzero(pop)],
                "terminals": [terminal_names[k] for k in np.flatnonzero(term)],
                "satellites": int(sat.sum()),
                "isl_links": int(isl.sum()),
            }
        )
    edges = sorted({t for w in windows if w[1] > w[0] for t in w if 0.0 < t < duration_s})
    boundaries = np.array(edges, dtype=float)
    starts = np.r_[0.0, boundaries]
    masks = []
    for t in starts:
        down = [np.zeros(n, dtype=bool) for n in (n_g, n_p, n_s, n_e)]
        for (t0, t1), eff in zip(windows, effects, strict=True):
            if t0 <= t < t1:
                for acc, m in zip(down, eff, strict=True):
                    acc |= m
        masks.append(Masks(*(~m for m in down)))
    return Timeline(boundaries, masks, power_off, hits)
