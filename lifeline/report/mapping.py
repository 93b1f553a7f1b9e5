"""Maps that stay right across ±180°: a central longitude, unwrapped coordinates, split lines.

The report draws an equirectangular map on plain x/y axes. Longitudes are *unwrapped* around a
central meridian ``lon0`` chosen from the sites (:func:`central_lon_deg`): every longitude is
moved by a multiple of 360° into ``[lon0 − 180, lon0 + 180)``, so Nuku'alofa (−175.2°) and Suva
(178.5°) are 6.3° apart on the map, not 353.7°. A segment between two points is drawn the short
way round: each point of a path is unwrapped to within 180° of the one before it
(:func:`unwrap_chain_deg`), so no drawn step is longer than the great circle between its ends.
Country outlines are copied at ±360° where a copy reaches into the map (:func:`shifted_rings`).
Tick labels give the wrapped longitude (185° is shown as 175°W).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "central_lon_deg",
    "lon_label",
    "nice_ticks",
    "shifted_rings",
    "unwrap_chain_deg",
    "unwrap_lon_deg",
    "lat_label",
]

#: Tick steps tried for a map axis [deg], smallest first.
_TICK_STEPS_DEG = (
    0.1,
    0.2,
    0.25,
    0.5,
    1.0,
    2.0,
    2.5,
    5.0,
    10.0,
    15.0,
    20.0,
    30.0,
    45.0,
    60.0,
    90.0,
)


def central_lon_deg(lon_deg: ArrayLike) -> float:
    """The meridian opposite the widest empty gap between the points' longitudes.

    Centring on the middle of the points' shortest covering arc keeps a group of sites that
    straddles ±180° together (the mean of −175° and 178° would be 1.5°, the wrong side of the
    Earth).

    Returns
    -------
    float
        In (−180, 180] [deg]; 0 for no points.
    """
    lon = np.sort(np.mod(np.asarray(lon_deg, dtype=float).ravel(), 360.0))
    lon = lon[np.isfinite(lon)]
    if len(lon) == 0:
        return 0.0
    gaps = np.diff(np.r_[lon, lon[0] + 360.0])
    k = int(np.argmax(gaps))
    # The covering arc runs from the point after the widest gap to the point before it.
    start, end = lon[(k + 1) % len(lon)], lon[k]
    span = (end - start) % 360.0
    mid = (start + span / 2.0) % 360.0
    return float(mid - 360.0 if mid > 180.0 else mid)


def unwrap_lon_deg(lon_deg: ArrayLike, lon0_deg: float) -> NDArray:
    """Longitudes moved by multiples of 360° into ``[lon0 − 180, lon0 + 180)`` [deg]."""
    lon = np.asarray(lon_deg, dtype=float)
    return lon0_deg + np.mod(lon - lon0_deg + 180.0, 360.0) - 180.0


def unwrap_chain_deg(lon_deg: ArrayLike, lon0_deg: float) -> NDArray:
    """A polyline's longitudes, each step taken the short way round.

    The first point is unwrapped around ``lon0`` (:func:`unwrap_lon_deg`), every later one to
    within 180° of the point before it, so no drawn step is longer in longitude than the
    great circle between its ends; a path that leaves the map's longitude range is clipped by
    the axes rather than drawn back across the whole map. NaN entries (breaks between
    polylines) restart the chain.

    Returns
    -------
    (n,) float [deg]
    """
    lon = np.asarray(lon_deg, dtype=float).copy()
    prev = np.nan
    for i, x in enumerate(lon):
        if not np.isfinite(x):
            prev = np.nan
            continue
        ref = lon0_deg if np.isnan(prev) else prev
        lon[i] = prev = ref + (x - ref + 180.0) % 360.0 - 180.0
    return lon


def shifted_rings(
    lon_deg: NDArray, lat_deg: NDArray, lon_range: tuple[float, float]
) -> tuple[NDArray, NDArray]:
    """A NaN-separated outline polyline, copied at −360°, 0 and +360° where a copy reaches
    into ``lon_range``, so outlines show on a map centred anywhere."""
    out_lon, out_lat = [], []
    breaks = np.flatnonzero(np.isnan(lon_deg))
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks, len(lon_deg)]
    for s, e in zip(starts, ends, strict=True):
        if e <= s:
            continue
        # Rings that touch ±180° (Fiji, Russia, Antarctica in Natural Earth) jump by 360°
        # between neighbouring vertices; unwrapped as a chain they stay one piece.
        ring_lon, ring_lat = unwrap_chain_deg(lon_deg[s:e], lon_deg[s]), lat_deg[s:e]
        lo, hi = np.nanmin(ring_lon), np.nanmax(ring_lon)
        for shift in (-360.0, 0.0, 360.0):
            if hi + shift >= lon_range[0] and lo + shift <= lon_range[1]:
                out_lon += [ring_lon + shift, [np.nan]]
                out_lat += [ring_lat, [np.nan]]
    if not out_lon:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(out_lon), np.concatenate(out_lat)


def nice_ticks(lo: float, hi: float, target: int = 7) -> NDArray:
    """Round tick positions (multiples of 1, 2, 2.5, 5, 10, 15, 30, ... degrees) in [lo, hi].

    The step is the smallest of :data:`_TICK_STEPS_DEG` that gives at most ``target`` ticks.
    """
    span = max(hi - lo, 1e-9)
    step = next((s for s in _TICK_STEPS_DEG if span / s <= target), _TICK_STEPS_DEG[-1])
    first = math.ceil(lo / step - 1e-9) * step
    return np.round(np.arange(first, hi + 1e-9, step), 6)


def lon_label(lon_deg: float) -> str:
    """A tick label for an unwrapped longitude: wrapped into (−180, 180], with E/W."""
    lon = (lon_deg + 180.0) % 360.0 - 180.0
    if math.isclose(lon, -180.0):
        lon = 180.0
    text = f"{abs(lon):g}°"
    if math.isclose(lon, 0.0, abs_tol=1e-9) or math.isclose(abs(lon), 180.0):
        return text
    return text + ("E" if lon > 0 else "W")


def lat_label(lat_deg: float) -> str:
    """A tick label for a latitude, with N/S."""
    if math.isclose(lat_deg, 0.0, abs_tol=1e-9):
        return "0°"
    return f"{abs(lat_deg):g}°" + ("N" if lat_deg > 0 else "S")
