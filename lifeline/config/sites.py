"""``[[terminals]]``, ``[[gateways]]`` and ``[[pops]]``: where the people and the ground are.

A terminal can move (``[[terminals.waypoints]]`` or a ``[terminals.path]`` GeoJSON route, read by
:mod:`lifeline.config.load`), see past an obstruction mask (``horizon_deg``), run on a battery,
solar panel or generator (``[terminals.power]``) and carry a demand (``users`` ×
``mbps_down_per_user``, ``mbps_up_per_user``) with a kit (``kit``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import numpy as np
from pydantic import PlainValidator, PrivateAttr, StrictBool, ValidationInfo, model_validator

from lifeline.config.fields import (
    AltitudeM,
    ElevationDeg,
    Latitude,
    Longitude,
    Model,
    Name,
    NonNegativeFloat,
    PositiveFloat,
    UtcDatetime,
    fail,
    finite_number,
    from_loader,
    number,
)
from lifeline.config.radio import (
    DEFAULT_MBPS_DOWN_PER_USER,
    DEFAULT_MBPS_UP_PER_USER,
    DEFAULT_USERS,
    MbpsPerUser,
    Users,
)
from lifeline.constants import MIN_ELEVATION_DEG
from lifeline.geo import travel_times_s
from lifeline.kits import DEFAULT_KIT, KIT_ALIASES, KITS

__all__ = ["Gateway", "Pop", "Power", "RoutePath", "Terminal", "Waypoint"]


def _horizon(value: Any) -> tuple[float, ...]:
    allowed = (
        "an array of minimum elevations in 0..90 [deg], one per equal azimuth sector clockwise "
        "from north, whose count divides 360 (e.g. 4, 8, 12, 36 or 360 values)"
    )
    if not isinstance(value, list | tuple) or not value or 360 % len(value):
        raise fail(allowed)
    for v in value:
        if not finite_number(v) or not 0 <= v <= 90:
            raise fail(allowed)
    return tuple(float(v) for v in value)


def _hours(value: Any) -> tuple[float, float]:
    allowed = "[start, end] hours of the day (UTC) in 0..24, e.g. [18, 22]"
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise fail(allowed)
    if not all(finite_number(v) and 0 <= v <= 24 for v in value):
        raise fail(allowed)
    return float(value[0]), float(value[1])


class Waypoint(Model):
    """``[[terminals.waypoints]]``: where a moving terminal is at a time.

    Give ``time_s`` (seconds after ``time.start_utc``) or ``time_utc``.
    """

    time_s: Annotated[float, number(0, lo_open=True)] | None = None
    time_utc: UtcDatetime | None = None
    lat_deg: Latitude
    lon_deg: Longitude

    @model_validator(mode="after")
    def _check(self) -> Waypoint:
        if (self.time_s is None) == (self.time_utc is None):
            raise fail("exactly one of time_s (seconds after start_utc) or time_utc", value=None)
        return self


class RoutePath(Model):
    """``[terminals.path]``: a route given as a GeoJSON LineString and a ground speed.

    The terminal waits at its ``lat_deg, lon_deg`` until ``depart_s`` (seconds after
    ``time.start_utc``), then moves at ``speed_kmh`` along great circles to the line's first
    vertex and on through every vertex, and stays at the last one. ``geojson`` is a file path,
    relative to the scenario file's folder (RFC 7946: ``[lon, lat]`` coordinates).
    """

    geojson: Name
    speed_kmh: PositiveFloat
    depart_s: NonNegativeFloat = 0.0
    _lat_deg: tuple[float, ...] = PrivateAttr(())
    _lon_deg: tuple[float, ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _line(self, info: ValidationInfo) -> RoutePath:
        self._lat_deg, self._lon_deg = from_loader(info, f"geojson:{self.geojson}", "geojson")
        return self


def _kit(value: Any) -> str:
    if not isinstance(value, str) or (value not in KITS and value not in KIT_ALIASES):
        raise fail(", ".join(f'"{k}"' for k in (*KITS, *KIT_ALIASES)))
    return KIT_ALIASES.get(value, value)


class Power(Model):
    """``[terminals.power]``: how a terminal is powered (no table: always on).

    Attributes
    ----------
    model : str or None
        Kit whose draw applies (:mod:`lifeline.kits`, references.md#terminal-power); None: the
        terminal's own ``kit``.
    draw_w : float or None
        Average draw [W], overriding the kit's.
    battery_wh : float
        Battery capacity [Wh], >= 0.
    initial_charge : float
        Share of the battery full at the start, 0..1.
    solar_w : float
        Rated power of a solar panel [W], laid flat, clear sky (an upper bound).
    generator_w : float
        Power of a generator [W] while it runs, every day between ``generator_utc_hours``
        ``[start, end)`` (hours of the day, UTC; start > end wraps past midnight).
    """

    model: Annotated[str, PlainValidator(_kit)] | None = None
    draw_w: PositiveFloat | None = None
    battery_wh: NonNegativeFloat = 0.0
    initial_charge: Annotated[float, number(0, 1)] = 1.0
    solar_w: NonNegativeFloat = 0.0
    generator_w: NonNegativeFloat = 0.0
    generator_utc_hours: Annotated[tuple[float, float], PlainValidator(_hours)] = (0.0, 24.0)


class Terminal(Model):
    """``[[terminals]]``: a user terminal (a ground station in pair mode).

    ``min_elevation_deg = None`` and ``max_range_km = None`` mean the network's
    ``min_elevation_deg`` and ``gsl_max_range_km`` [deg, km].

    ``horizon_deg`` is an obstruction mask (ruins, a trench, a courtyard; like the obstruction
    map a Starlink dish builds): ``n`` minimum elevations [deg] for ``n`` equal azimuth sectors,
    the first starting at north and going clockwise (``n`` divides 360). A satellite in a sector
    is usable only at or above that sector's value (and the elevation mask).

    ``waypoints`` make the terminal move (a convoy, a boat): it is at ``lat_deg, lon_deg`` at
    ``time.start_utc``, then at each waypoint at its time (strictly later each), moving at a
    constant rate in latitude and longitude in between, and stays at the last one. To wait
    before leaving, start with a waypoint at the starting point.

    ``power`` (a ``[terminals.power]`` table, :class:`Power`) gives it a battery, a solar panel
    or a generator instead of mains; steps without power are out with reason ``no_power``.

    ``kit`` is the Starlink kit (:mod:`lifeline.kits`: antenna, uplink EIRP, draw, the
    provider's per-terminal limits), by default ``"standard-actuated"``, the kit of 2022.
    ``users`` × ``mbps_down_per_user`` and ``users`` × ``mbps_up_per_user`` [Mbit/s] are the
    terminal's demand each way, the most the radio layer gives it (defaults: 1 user, 100 down /
    20 up, :data:`lifeline.config.radio.DEFAULT_MBPS_DOWN_PER_USER`).
    """

    name: Name
    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: AltitudeM = 0.0
    min_elevation_deg: ElevationDeg | None = None
    max_range_km: PositiveFloat | None = None
    horizon_deg: Annotated[tuple[float, ...], PlainValidator(_horizon)] | None = None
    waypoints: tuple[Waypoint, ...] | None = None
    path: RoutePath | None = None
    power: Power | None = None
    kit: Annotated[str, PlainValidator(_kit)] = DEFAULT_KIT
    users: Users = DEFAULT_USERS
    mbps_down_per_user: MbpsPerUser = DEFAULT_MBPS_DOWN_PER_USER
    mbps_up_per_user: MbpsPerUser = DEFAULT_MBPS_UP_PER_USER

    @property
    def moves(self) -> bool:
        """The terminal follows a route (``waypoints`` or ``path``)."""
        return bool(self.waypoints) or self.path is not None

    def route(self, start_utc: datetime) -> tuple[list[float], list[float], list[float]]:
        """``(time_s, lat_deg, lon_deg)`` of the route, the start position first (time 0)."""
        times, lats, lons = [0.0], [self.lat_deg], [self.lon_deg]
        if self.path is not None:
            lat = np.r_[self.lat_deg, self.path._lat_deg]
            lon = np.r_[self.lon_deg, self.path._lon_deg]
            arrive = travel_times_s(lat, lon, self.path.speed_kmh, self.path.depart_s)
            # Keep strictly later points only (a zero-length leg adds nothing).
            for t, a, o in zip(arrive, lat, lon, strict=True):
                if t > times[-1]:
                    times.append(float(t))
                    lats.append(float(a))
                    lons.append(float(o))
            return times, lats, lons
        for w in self.waypoints or ():
            t = w.time_s if w.time_utc is None else (w.time_utc - start_utc).total_seconds()
            times.append(float(t))
            lats.append(w.lat_deg)
            lons.append(w.lon_deg)
        return times, lats, lons


class Gateway(Model):
    """``[[gateways]]``: a ground station; ``pop = None`` homes it to the nearest PoP."""

    name: Name
    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: AltitudeM = 0.0
    min_elevation_deg: ElevationDeg = MIN_ELEVATION_DEG
    max_satellites: Annotated[int, number(1, integer=True)] = 8
    live: StrictBool = True
    pop: Name | None = None


class Pop(Model):
    """``[[pops]]``: a point of presence, where traffic reaches the Internet."""

    name: Name
    lat_deg: Latitude
    lon_deg: Longitude
