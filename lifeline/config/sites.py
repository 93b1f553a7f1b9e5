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
from pydantic import Field, PlainValidator, PrivateAttr, StrictBool, ValidationInfo, model_validator

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
    allowing,
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


_HORIZON = (
    "an array of minimum elevations in 0..90 [deg], one per equal azimuth sector clockwise "
    "from north, whose count divides 360 (e.g. 4, 8, 12, 36 or 360 values)"
)
_HOURS = "[start, end] hours of the day (UTC) in 0..24, e.g. [18, 22]"


@allowing(_HORIZON)
def _horizon(value: Any) -> tuple[float, ...]:
    allowed = _HORIZON
    if not isinstance(value, list | tuple) or not value or 360 % len(value):
        raise fail(allowed)
    for v in value:
        if not finite_number(v) or not 0 <= v <= 90:
            raise fail(allowed)
    return tuple(float(v) for v in value)


@allowing(_HOURS)
def _hours(value: Any) -> tuple[float, float]:
    allowed = _HOURS
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise fail(allowed)
    if not all(finite_number(v) and 0 <= v <= 24 for v in value):
        raise fail(allowed)
    return float(value[0]), float(value[1])


class Waypoint(Model):
    """``[[terminals.waypoints]]``: where a moving terminal is at a time.

    Give ``time_s`` (seconds after ``time.start_utc``) or ``time_utc``.
    """

    time_s: Annotated[float, number(0, lo_open=True)] | None = Field(
        None, description="When the terminal is here, after time.start_utc (or give time_utc)."
    )
    time_utc: UtcDatetime | None = Field(
        None, description="When the terminal is here (or give time_s)."
    )
    lat_deg: Latitude = Field(description="Geodetic latitude (WGS84).")
    lon_deg: Longitude = Field(description="Longitude, east positive.")

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

    geojson: Name = Field(
        description="A GeoJSON file holding one LineString (RFC 7946, [lon, lat] coordinates), "
        "relative to the scenario file's folder."
    )
    speed_kmh: PositiveFloat = Field(description="Ground speed along the route.")
    depart_s: NonNegativeFloat = Field(
        0.0, description="When the terminal leaves its lat_deg, lon_deg, after time.start_utc."
    )
    _lat_deg: tuple[float, ...] = PrivateAttr(())
    _lon_deg: tuple[float, ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _line(self, info: ValidationInfo) -> RoutePath:
        self._lat_deg, self._lon_deg = from_loader(info, f"geojson:{self.geojson}", "geojson")
        return self


@allowing(", ".join(f'"{k}"' for k in (*KITS, *KIT_ALIASES)))
def _kit(value: Any) -> str:
    if not isinstance(value, str) or (value not in KITS and value not in KIT_ALIASES):
        raise fail(_kit.allowed)
    return KIT_ALIASES.get(value, value)


class Power(Model):
    """``[terminals.power]``: how a terminal is powered (no table: always on). Steps without
    power are out with reason ``no_power``; the defaults mean no power limit
    (references.md#power-defaults)."""

    model: Annotated[str, PlainValidator(_kit)] | None = Field(
        None,
        description="Kit whose draw applies (lifeline/kits.py, references.md#terminal-power; "
        "none: the terminal's own kit).",
    )
    draw_w: PositiveFloat | None = Field(
        None, description="Average draw, overriding the kit's (none: the kit's)."
    )
    battery_wh: NonNegativeFloat = Field(0.0, description="Battery capacity.")
    initial_charge: Annotated[float, number(0, 1)] = Field(
        1.0, description="Share of the battery that is full at the start."
    )
    solar_w: NonNegativeFloat = Field(
        0.0,
        description="Rated power of a solar panel, laid flat, clear sky (an upper bound).",
    )
    generator_w: NonNegativeFloat = Field(
        0.0, description="Power of a generator while it runs (generator_utc_hours)."
    )
    generator_utc_hours: Annotated[tuple[float, float], PlainValidator(_hours)] = Field(
        (0.0, 24.0),
        description="[start, end) hours of the day (UTC) the generator runs, every day; "
        "start > end wraps past midnight.",
    )


class Terminal(Model):
    """``[[terminals]]``: a user terminal (a ground station in pair mode).

    ``horizon_deg`` is an obstruction mask (ruins, a trench, a courtyard; like the obstruction
    map a Starlink dish builds): ``n`` minimum elevations [deg] for ``n`` equal azimuth sectors,
    the first starting at north and going clockwise (``n`` divides 360).

    ``waypoints`` make the terminal move (a convoy, a boat): it is at ``lat_deg, lon_deg`` at
    ``time.start_utc``, then at each waypoint at its time (strictly later each), moving at a
    constant rate in latitude and longitude in between, and stays at the last one. To wait
    before leaving, start with a waypoint at the starting point.

    ``kit`` is the Starlink kit (:mod:`lifeline.kits`: antenna, uplink EIRP, draw, the
    provider's per-terminal limits). ``users`` × ``mbps_down_per_user`` and ``users`` ×
    ``mbps_up_per_user`` [Mbit/s] are the terminal's demand each way, the most the radio layer
    gives it.
    """

    name: Name = Field(description="Terminal name, unique among the terminals.")
    lat_deg: Latitude = Field(description="Geodetic latitude (WGS84), at the start if it moves.")
    lon_deg: Longitude = Field(description="Longitude, east positive, at the start if it moves.")
    alt_m: AltitudeM = Field(0.0, description="Height above the WGS84 ellipsoid.")
    min_elevation_deg: ElevationDeg | None = Field(
        None,
        description="Minimum elevation of a usable satellite (none: network.min_elevation_deg).",
    )
    max_range_km: PositiveFloat | None = Field(
        None,
        description="Longest usable link to a satellite (none: network.gsl_max_range_km).",
    )
    horizon_deg: Annotated[tuple[float, ...], PlainValidator(_horizon)] | None = Field(
        None,
        description="Obstruction mask: minimum elevations for equal azimuth sectors, the first "
        "starting at north, clockwise; a satellite is usable at or above its sector's value and "
        "the elevation mask (none: open sky).",
    )
    waypoints: tuple[Waypoint, ...] | None = Field(
        None, description="Where a moving terminal is when (or give path, not both)."
    )
    path: RoutePath | None = Field(
        None, description="A route from a GeoJSON file and a speed (or give waypoints)."
    )
    power: Power | None = Field(
        None, description="Battery, solar panel or generator (none: mains, always on)."
    )
    users: Users = Field(
        DEFAULT_USERS,
        description="People or households behind the terminal (assumption, references.md#kits).",
    )
    kit: Annotated[str, PlainValidator(_kit)] = Field(
        DEFAULT_KIT,
        description="The Starlink kit: antenna, uplink EIRP, draw (lifeline/kits.py; the "
        "default is the 2021-23 kit sent to Ukraine in 2022, references.md#kits).",
    )
    mbps_down_per_user: MbpsPerUser = Field(
        DEFAULT_MBPS_DOWN_PER_USER,
        description="Download demand per user; users x mbps_down_per_user is the most the radio "
        "layer gives the terminal (the FCC's 100/20 Mbit/s benchmark, references.md#kits).",
    )
    mbps_up_per_user: MbpsPerUser = Field(
        DEFAULT_MBPS_UP_PER_USER,
        description="Upload demand per user (the FCC's 100/20 Mbit/s benchmark, "
        "references.md#kits).",
    )

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
    """``[[gateways]]``: a gateway ground station linking satellites to the fibre
    (references.md#gateways-pops)."""

    name: Name = Field(description="Gateway name, unique among the gateways.")
    lat_deg: Latitude = Field(description="Geodetic latitude (WGS84).")
    lon_deg: Longitude = Field(description="Longitude, east positive.")
    alt_m: AltitudeM = Field(0.0, description="Height above the WGS84 ellipsoid.")
    min_elevation_deg: ElevationDeg = Field(
        MIN_ELEVATION_DEG,
        description="Minimum elevation of a satellite it links to (references.md#min-elevation).",
    )
    max_satellites: Annotated[int, number(1, integer=True)] = Field(
        8,
        description="Satellites it can link to at once: its antennas "
        "(references.md#gateway-antennas).",
    )
    live: StrictBool = Field(
        True, description="In service (false: listed but not carrying traffic)."
    )
    pop: Name | None = Field(
        None, description="The [[pops]] name it is homed to (none: the nearest PoP)."
    )
    pop_route_km: PositiveFloat | None = Field(
        None,
        description="Length of the fibre route to its pop where it is known (replaces "
        "great-circle distance x network.fiber_stretch; only with pop).",
    )

    @model_validator(mode="after")
    def _check_route(self) -> Gateway:
        if self.pop_route_km is not None and self.pop is None:
            raise fail(
                "only allowed with pop (the PoP the route leads to): set pop or remove "
                "pop_route_km",
                loc=("pop_route_km",),
                value=self.pop_route_km,
            )
        return self


class Pop(Model):
    """``[[pops]]``: a point of presence, where traffic reaches the Internet
    (references.md#gateways-pops)."""

    name: Name = Field(description="PoP name, unique among the PoPs.")
    lat_deg: Latitude = Field(description="Geodetic latitude (WGS84).")
    lon_deg: Longitude = Field(description="Longitude, east positive.")



class Ground(Model):
    """``[ground]``: where the gateways and PoPs come from besides ``[[gateways]]``/``[[pops]]``."""

    auto: StrictBool = Field(
        False,
        description="Add the shipped gateways (lifeline/data/starlink-gateways.csv) that can "
        "share a satellite with any terminal on a bent pipe (both elevation masks at the "
        "highest shell's altitude) and were listed by time.start_utc, each with its nearest "
        'listed PoP (references.md#gateways-pops); gateways = "auto" says the same. What was '
        "chosen goes to the scenario's notes.",
    )
