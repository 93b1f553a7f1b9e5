"""``[[events]]``: what goes wrong and when, as scenario models.

A scenario's ``[[events]]`` each have a ``kind``, a time window and what they hit:

============================  ==========================================================
``kind``                      hits
============================  ==========================================================
``gateway_outage``            ``gateways = [names]``
``pop_outage``                ``pops = [names]``
``ground_loss``               every gateway and PoP inside a circle (``center_lat_deg``,
                              ``center_lon_deg``, ``radius_km``) or a polygon
                              (``polygon_lat_deg``, ``polygon_lon_deg``)
``satellite_failure``         ``satellites = [names or catalog numbers]``, or a random
                              ``fraction`` of all satellites drawn with ``seed``
``isl_failure``               every laser link of ``satellites = [...]``, or a random
                              ``fraction`` of the links drawn with ``seed``
``power_loss``                ``terminals = [names]``
============================  ==========================================================

The window is ``start_utc``/``end_utc`` or ``start_s``/``end_s`` (seconds after the scenario
start), half-open ``[start, end)``; a missing start or end means the scenario's own.

These are the models only; :func:`lifeline.events.compile_events` turns them into masks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, PlainValidator, model_validator

from lifeline.config.fields import (
    Latitude,
    Longitude,
    Model,
    PositiveFloat,
    UtcDatetime,
    allowing,
    coordinates,
    fail,
    finite_number,
    names,
    number,
)

__all__ = [
    "EVENT_MODELS",
    "Event",
    "GatewayOutage",
    "GroundLoss",
    "IslFailure",
    "PopOutage",
    "PowerLoss",
    "SatelliteFailure",
    "TimeWindow",
]

Seconds = Annotated[float, number(0)]


_SATELLITES = "a non-empty array of satellite names or catalog numbers"


@allowing(_SATELLITES)
def _satellite_ids(value: Any) -> tuple[str | int, ...]:
    allowed = _SATELLITES
    if not isinstance(value, list | tuple) or not value:
        raise fail(allowed)
    for v in value:
        ok_int = finite_number(v, integer=True) and v >= 0
        if not ok_int and not (isinstance(v, str) and v.strip()):
            raise fail(allowed)
    return tuple(value)


class TimeWindow(Model):
    """A time window ``[start, end)``: ``start_utc``/``end_utc`` or ``start_s``/``end_s``
    (seconds after the scenario start); a missing start or end means the scenario's own. The
    common part of every event, and of rain events and jammer windows
    (:mod:`lifeline.config.radio`)."""

    start_utc: UtcDatetime | None = Field(
        None, description="Start, inclusive (or give start_s; neither: the scenario's start)."
    )
    end_utc: UtcDatetime | None = Field(
        None, description="End, exclusive (or give end_s; neither: the scenario's end)."
    )
    start_s: Seconds | None = Field(None, description="Start, after time.start_utc.")
    end_s: Seconds | None = Field(None, description="End, after time.start_utc.")

    @model_validator(mode="after")
    def _check_window(self) -> TimeWindow:
        if self.start_utc is not None and self.start_s is not None:
            raise fail("give start_utc or start_s, not both", loc=("start_s",), value=self.start_s)
        if self.end_utc is not None and self.end_s is not None:
            raise fail("give end_utc or end_s, not both", loc=("end_s",), value=self.end_s)
        if self.start_utc is not None and self.end_utc is not None:
            if self.end_utc <= self.start_utc:
                raise fail("a time after start_utc", loc=("end_utc",), value=str(self.end_utc))
        if self.start_s is not None and self.end_s is not None and self.end_s <= self.start_s:
            raise fail("a time after start_s", loc=("end_s",), value=self.end_s)
        return self

    def window_s(self, start_utc: datetime, duration_s: float) -> tuple[float, float]:
        """``(start, end)`` of the window [s after the scenario start], clipped to the run."""
        t0 = 0.0
        if self.start_s is not None:
            t0 = self.start_s
        elif self.start_utc is not None:
            t0 = (self.start_utc - start_utc).total_seconds()
        t1 = duration_s
        if self.end_s is not None:
            t1 = self.end_s
        elif self.end_utc is not None:
            t1 = (self.end_utc - start_utc).total_seconds()
        return max(0.0, t0), min(duration_s, t1)


class GatewayOutage(TimeWindow):
    """``kind = "gateway_outage"``: the named gateways are down."""

    kind: Literal["gateway_outage"] = Field(description="The event kind.")
    gateways: Annotated[tuple[str, ...], names("gateway")] = Field(
        description="[[gateways]] names."
    )


class PopOutage(TimeWindow):
    """``kind = "pop_outage"``: the named PoPs are down (their gateways re-home if they can)."""

    kind: Literal["pop_outage"] = Field(description="The event kind.")
    pops: Annotated[tuple[str, ...], names("PoP")] = Field(description="[[pops]] names.")


class GroundLoss(TimeWindow):
    """``kind = "ground_loss"``: every gateway and PoP in a region is down.

    The region is a circle (``center_lat_deg``, ``center_lon_deg``, ``radius_km``, great-circle
    distance) or a polygon (``polygon_lat_deg``, ``polygon_lon_deg``, vertices in order, in the
    latitude–longitude plane; it may not cross the ±180° meridian). Which sites it holds is
    :func:`lifeline.events.region_contains`.
    """

    kind: Literal["ground_loss"] = Field(description="The event kind.")
    center_lat_deg: Latitude | None = Field(None, description="Latitude of the circle's centre.")
    center_lon_deg: Longitude | None = Field(
        None, description="Longitude of the circle's centre."
    )
    radius_km: PositiveFloat | None = Field(
        None, description="Radius of the circle (great-circle distance)."
    )
    polygon_lat_deg: Annotated[tuple[float, ...], coordinates(-90, 90, min_len=3)] | None = Field(
        None, description="Latitudes of the polygon's vertices, in order."
    )
    polygon_lon_deg: Annotated[
        tuple[float, ...], coordinates(-180, 180, min_len=3)
    ] | None = Field(
        None, description="Longitudes of the polygon's vertices, as many as polygon_lat_deg."
    )

    @model_validator(mode="after")
    def _check_region(self) -> GroundLoss:
        circle = (self.center_lat_deg, self.center_lon_deg, self.radius_km)
        polygon = (self.polygon_lat_deg, self.polygon_lon_deg)
        has_circle = any(v is not None for v in circle)
        has_polygon = any(v is not None for v in polygon)
        one_of = (
            "exactly one region: center_lat_deg, center_lon_deg and radius_km, "
            "or polygon_lat_deg and polygon_lon_deg"
        )
        if has_circle == has_polygon:
            raise fail(one_of, value="both" if has_circle else "none")
        if has_circle and any(v is None for v in circle):
            raise fail(one_of, value="an incomplete circle")
        if has_polygon:
            if any(v is None for v in polygon):
                raise fail(one_of, value="an incomplete polygon")
            assert self.polygon_lat_deg is not None and self.polygon_lon_deg is not None
            if len(self.polygon_lat_deg) != len(self.polygon_lon_deg):
                raise fail(
                    f"as many longitudes as polygon_lat_deg has latitudes "
                    f"({len(self.polygon_lat_deg)})",
                    loc=("polygon_lon_deg",),
                    value=len(self.polygon_lon_deg),
                )
        return self


class _Drawn(TimeWindow):
    """Targets given by name, or a random ``fraction`` drawn with ``seed``."""

    satellites: Annotated[tuple[str | int, ...], PlainValidator(_satellite_ids)] | None = Field(
        None,
        description="Satellites by TLE name or catalog number (or give fraction); names are "
        "checked when the run starts.",
    )
    fraction: Annotated[float, number(0, 1, lo_open=True)] | None = Field(
        None, description="Instead of satellites: the share drawn at random, with seed."
    )
    seed: Annotated[int, number(0, integer=True)] | None = Field(
        None, description="Required with fraction: the random seed (recorded, so runs repeat)."
    )

    @model_validator(mode="after")
    def _check_targets(self) -> _Drawn:
        if (self.satellites is None) == (self.fraction is None):
            raise fail("exactly one of satellites = [...] or fraction (with seed)")
        if self.fraction is not None and self.seed is None:
            raise fail(
                "required with fraction: an integer seed (recorded, so runs repeat)",
                loc=("seed",),
            )
        if self.satellites is not None and self.seed is not None:
            raise fail("only allowed with fraction", loc=("seed",), value=self.seed)
        return self


class SatelliteFailure(_Drawn):
    """``kind = "satellite_failure"``: the satellites neither serve, relay nor feed."""

    kind: Literal["satellite_failure"] = Field(description="The event kind.")


class IslFailure(_Drawn):
    """``kind = "isl_failure"``: the laser links of the satellites (or a random share of all
    laser links) are down; the satellites still serve and feed."""

    kind: Literal["isl_failure"] = Field(description="The event kind.")


class PowerLoss(TimeWindow):
    """``kind = "power_loss"``: the named terminals have no power."""

    kind: Literal["power_loss"] = Field(description="The event kind.")
    terminals: Annotated[tuple[str, ...], names("terminal")] = Field(
        description="[[terminals]] names."
    )


Event = Annotated[
    GatewayOutage | PopOutage | GroundLoss | SatelliteFailure | IslFailure | PowerLoss,
    Field(discriminator="kind"),
]
#: Event model of each ``kind``.
EVENT_MODELS: dict[str, type[BaseModel]] = {
    "gateway_outage": GatewayOutage,
    "pop_outage": PopOutage,
    "ground_loss": GroundLoss,
    "satellite_failure": SatelliteFailure,
    "isl_failure": IslFailure,
    "power_loss": PowerLoss,
}
