"""The scenario schema: ``[time]``, ``[constellation]``, ``[network]``, the sites and pairs.

A scenario says *when* (``[time]``), *which satellites* (``[constellation]``), *how the network
behaves* (``[network]``) and *where* (``[[terminals]]``, ``[[gateways]]``, ``[[pops]]``). The
models below are the reference for the format; ``lifeline/presets/*.toml`` are worked examples.
``pairs = "all"`` or ``[[pairs]]`` tables (``src``, ``dst``: terminal names or 0-based ids) ask
for pair mode: shortest paths over ISLs between terminals used as ground stations, as Hypatia
computes them. ``[[events]]`` are in :mod:`lifeline.config.events`; ``[radio]``, ``[[rain]]``
and ``[[jammers]]`` in :mod:`lifeline.config.radio`.

Input files named in a scenario (``tle_file``, ``hypatia_tle_file``, ``isl_file``,
``ground_stations_file``, ``terminals.path.geojson``) are found and read by
:mod:`lifeline.config.load` before validation; the models only take what it found from the
validation context (:data:`FILES`), so validating reads no file. Build scenarios with
:func:`lifeline.config.load_scenario` or :func:`lifeline.config.scenario_from_dict`.

This module is over 600 lines because :class:`Scenario` checks across its tables (event and
pair names, routes, the run's size) and each table's model is documented field by field; the
validators they share are in :mod:`lifeline.config.fields`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    PlainValidator,
    PrivateAttr,
    StrictBool,
    StrictStr,
    Tag,
    ValidationInfo,
    model_validator,
)

from lifeline.config.events import EVENT_MODELS, Event
from lifeline.config.fields import (
    GRID_END_UTC,
    GRID_WHY,
    AltitudeM,
    ElevationDeg,
    Latitude,
    Longitude,
    Model,
    Name,
    NonNegativeFloat,
    PositiveFloat,
    UtcDatetime,
    designator,
    did_you_mean,
    fail,
    finite_number,
    number,
)
from lifeline.config.radio import (
    DEFAULT_MBPS_PER_USER,
    DEFAULT_USERS,
    Jammer,
    MbpsPerUser,
    Radio,
    Rain,
    Users,
)
from lifeline.constants import (
    FIBER_GROUP_INDEX,
    FIBER_ROUTE_STRETCH,
    ISL_MIN_GRAZING_ALTITUDE_KM,
    MIN_ELEVATION_DEG,
    SCHEDULING_SLOT_S,
)
from lifeline.geo import travel_times_s

__all__ = [
    "FILES",
    "MAX_ROWS",
    "UNION_TAGS",
    "Constellation",
    "Gateway",
    "Network",
    "Pair",
    "Pop",
    "Power",
    "RoutePath",
    "Scenario",
    "Shell",
    "Terminal",
    "TimeConfig",
    "Waypoint",
]

#: Key of the validation context holding what the loader found for the input files: absolute
#: paths under ``"constellation.tle_file"``, ``"constellation.hypatia_tle_file"`` and
#: ``"network.isl_file"``, and ``(lat_deg, lon_deg)`` tuples under ``"geojson:<value>"``.
FILES = "files"


def _loaded(info: ValidationInfo, key: str, field: str) -> Any:
    """What the loader found for an input file (see :data:`FILES`)."""
    found = ((info.context or {}).get(FILES) or {}).get(key)
    if found is None:
        raise fail(
            "an input file found by the loader: validate scenarios with "
            "lifeline.config.scenario_from_dict or load_scenario",
            loc=(field,),
        )
    return found



# Plausible altitude band of a LEO satellite [km]: outside it a propagated state is treated as
# absent (lifeline/data/PROVENANCE.md, note on using the 2022-08-17 snapshot for May 2022).
DEFAULT_ALTITUDE_BAND_KM = (150.0, 2000.0)

#: Largest run, in terminal-steps (output rows): the summary holds ~14 bytes of each in memory.
MAX_ROWS = 500_000_000

_MIN_STEP_S = 1e-9  # the engine's time resolution: whole nanoseconds

def _altitude_band(value: Any) -> tuple[float, float]:
    allowed = "[min_km, max_km] with 0 < min_km < max_km"
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise fail(allowed)
    if not all(finite_number(v) for v in value):
        raise fail(allowed)
    lo, hi = float(value[0]), float(value[1])
    if not 0 < lo < hi:
        raise fail(allowed)
    return lo, hi


def _unique_names(kind: str, example: str) -> AfterValidator:
    """At least one entry, and unique ``name`` values (kind is the TOML table, for messages)."""

    def check(items: tuple[Any, ...]) -> tuple[Any, ...]:
        if not items:
            raise fail(f"at least one [[{kind}]] table ({example})")
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.name in seen:
                raise fail(
                    f"a unique name ({kind}[{seen[item.name]}] has the same name)",
                    loc=(i, "name"),
                    value=item.name,
                )
            seen[item.name] = i
        return items

    return AfterValidator(check)


def _is_multiple(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) <= 1e-9 * max(1.0, ratio)


class TimeConfig(Model):
    """``[time]``: the simulated interval and its time steps.

    Give exactly one of ``duration_s`` and ``end_utc``; both are then available as the
    properties :attr:`duration_s` and :attr:`end_utc`.

    Attributes
    ----------
    start_utc : datetime
        Start (inclusive), timezone-aware in the file, stored as UTC.
    duration_given_s, end_given_utc : float or datetime or None
        The values as given in the file (TOML keys ``duration_s`` and ``end_utc``).
    step_s : float
        Output time step [s], in 1e-9..3600 (the engine counts time in whole nanoseconds).
    slot_s : float
        Scheduling slot [s]: a whole number of steps. Default 15 s, Starlink's global
        re-planning interval (FACTS.md §4, Mohan et al., WWW 2024).
    propagation_step_s : float
        Coarse SGP4 sampling step [s], in 1..600; finer times are interpolated (cubic
        Hermite is sub-metre at 60 s, so a finer step only costs time).
    """

    start_utc: UtcDatetime
    duration_given_s: PositiveFloat | None = Field(None, alias="duration_s")
    end_given_utc: UtcDatetime | None = Field(None, alias="end_utc")
    step_s: Annotated[float, number(0, 3600, lo_open=True)] = 1.0
    slot_s: PositiveFloat = SCHEDULING_SLOT_S
    propagation_step_s: Annotated[float, number(1, 600)] = 60.0

    @model_validator(mode="after")
    def _check(self) -> TimeConfig:
        duration, end = self.duration_given_s, self.end_given_utc
        if duration is not None and end is not None:
            raise fail("give either duration_s or end_utc, not both", loc=("end_utc",), value=end)
        if duration is None and end is None:
            raise fail(
                "required: give duration_s (seconds > 0) or end_utc",
                loc=("duration_s",),
                value=None,
            )
        # Steps become whole nanoseconds in the engine: a smaller one rounds to 0, and
        # 30 s / 5e-324 s is inf steps (OverflowError below).
        if self.step_s < _MIN_STEP_S:
            raise fail(
                f"a step of at least {_MIN_STEP_S:g} s (the engine's time resolution, 1 ns)",
                loc=("step_s",),
                value=self.step_s,
            )
        room_s = (GRID_END_UTC - self.start_utc).total_seconds()
        if duration is not None and duration > room_s:
            raise fail(
                f"a duration that ends by {GRID_END_UTC:%Y-%m-%d}, {GRID_WHY} "
                f"(at most {room_s:.0f} s after start_utc)",
                loc=("duration_s",),
                value=duration,
            )
        if end is not None and end <= self.start_utc:
            raise fail(
                f"a time after start_utc ({self.start_utc.isoformat()})",
                loc=("end_utc",),
                value=end,
            )
        if self.slot_s < self.step_s or not _is_multiple(self.slot_s, self.step_s):
            raise fail(
                f"a whole multiple of step_s = {self.step_s:g} s",
                loc=("slot_s",),
                value=self.slot_s,
            )
        if not _is_multiple(self.duration_s, self.step_s):
            key, bad = ("duration_s", duration) if end is None else ("end_utc", end)
            raise fail(
                f"a duration that is a whole number of steps of step_s = {self.step_s:g} s "
                f"(got {self.duration_s:g} s)",
                loc=(key,),
                value=bad,
            )
        return self

    @property
    def duration_s(self) -> float:
        """Length of the interval [s]."""
        if self.duration_given_s is not None:
            return self.duration_given_s
        assert self.end_given_utc is not None  # guaranteed by validation
        return (self.end_given_utc - self.start_utc).total_seconds()

    @property
    def end_utc(self) -> datetime:
        """End of the interval (exclusive), UTC."""
        if self.end_given_utc is not None:
            return self.end_given_utc
        return self.start_utc + timedelta(seconds=self.duration_s)

    @property
    def n_steps(self) -> int:
        """Number of output time steps, ``duration_s / step_s``."""
        return round(self.duration_s / self.step_s)


class Shell(Model):
    """``[[constellation.shells]]``: one Walker-delta shell.

    Attributes
    ----------
    name : str
    altitude_km : float
        Circular orbit altitude [km], 150..2000.
    inclination_deg : float
        0..180 [deg].
    planes, sats_per_plane : int
        >= 1.
    phasing : int
        Walker phasing factor F, 0 <= F < planes.
    """

    name: Name
    altitude_km: Annotated[float, number(150, 2000)]
    inclination_deg: Annotated[float, number(0, 180)]
    planes: Annotated[int, number(1, integer=True)]
    sats_per_plane: Annotated[int, number(1, integer=True)]
    phasing: Annotated[int, number(0, integer=True)]

    @model_validator(mode="after")
    def _check(self) -> Shell:
        if self.phasing >= self.planes:
            raise fail(
                f"an integer in 0..{self.planes - 1} (phasing < planes = {self.planes})",
                loc=("phasing",),
                value=self.phasing,
            )
        return self


class Constellation(Model):
    """``[constellation]``: exactly one of ``tle_file``, ``hypatia_tle_file``, ``preset`` or
    ``shells``.

    Attributes
    ----------
    tle_file : str or None
        ``"builtin:NAME"`` (``lifeline/data/NAME.tle``) or a path relative to the scenario
        file's folder. The resolved absolute path is :attr:`tle_path`.
    hypatia_tle_file : str or None
        A Hypatia ``tles.txt`` (header ``"n_orbits n_sats_per_orbit"``, then 3-line records with
        ids 0, 1, 2, ... and one common epoch), relative to the scenario file's folder; the
        absolute path is :attr:`hypatia_tle_path`. Satellite ``i`` of the run is Hypatia's id
        ``i``, in plane ``i // n_sats_per_orbit`` (Hypatia's numbering, which its +Grid
        generator assumes). Read when the run starts (:func:`lifeline.engine.build_constellation`).
    launched_by : str or None
        Only with ``tle_file``: keep satellites launched at or before this international
        designator launch ``"YYYY-NNN"``.
    preset : str or None
        Walker constellation preset: ``"starlink-gen1"``, ``"kuiper-gen1"``, or Hypatia's paper
        shells ``"kuiper-630"`` and ``"starlink-550"`` (set ``epoch_utc =
        2000-01-01T00:00:00Z`` to reproduce Hypatia's ``tles.txt``).
    epoch_utc : datetime or None
        Epoch of Walker shells (preset or shells); ``None`` means ``time.start_utc``.
    shells : tuple of Shell or None
        Walker-delta shells.
    altitude_band_km : (float, float)
        Plausible altitude band [km]; propagated states outside it count as absent.
    """

    tle_file: Name | None = None
    hypatia_tle_file: Name | None = None
    launched_by: Annotated[str, PlainValidator(designator)] | None = None
    preset: Literal["starlink-gen1", "kuiper-gen1", "kuiper-630", "starlink-550"] | None = None
    epoch_utc: UtcDatetime | None = None
    shells: tuple[Shell, ...] | None = None
    altitude_band_km: Annotated[tuple[float, float], PlainValidator(_altitude_band)] = (
        DEFAULT_ALTITUDE_BAND_KM
    )
    _tle_path: Path | None = PrivateAttr(None)
    _hypatia_tle_path: Path | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Constellation:
        given = {k: getattr(self, k) for k in ("tle_file", "hypatia_tle_file", "preset", "shells")}
        given = {k: v for k, v in given.items() if v is not None}
        one_of = (
            'exactly one of tle_file ("builtin:NAME" or a path), hypatia_tle_file (a Hypatia '
            "tles.txt), preset or [[constellation.shells]]"
        )
        if len(given) != 1:
            raise fail(one_of, value=sorted(given))
        if self.shells is not None:
            if not self.shells:
                raise fail(
                    "at least one [[constellation.shells]] table", loc=("shells",), value=[]
                )
            names = [s.name for s in self.shells]
            for i, name in enumerate(names):
                if name in names[:i]:
                    raise fail("a unique shell name", loc=("shells", i, "name"), value=name)
        if self.tle_file is None and self.launched_by is not None:
            raise fail("only allowed with tle_file", loc=("launched_by",), value=self.launched_by)
        if self.epoch_utc is not None and (self.tle_file, self.hypatia_tle_file) != (None, None):
            raise fail(
                "only allowed with preset or shells (a TLE file has its own epochs)",
                loc=("epoch_utc",),
                value=self.epoch_utc,
            )
        if self.tle_file is not None:
            self._tle_path = _loaded(info, "constellation.tle_file", "tle_file")
        if self.hypatia_tle_file is not None:
            self._hypatia_tle_path = _loaded(
                info, "constellation.hypatia_tle_file", "hypatia_tle_file"
            )
        return self

    @property
    def tle_path(self) -> Path | None:
        """Absolute path of the TLE file (``None`` for Walker constellations)."""
        return self._tle_path

    @property
    def hypatia_tle_path(self) -> Path | None:
        """Absolute path of the Hypatia ``tles.txt`` (``None`` unless ``hypatia_tle_file``)."""
        return self._hypatia_tle_path


class Network(Model):
    """``[network]``: how satellites, gateways and PoPs are connected.

    Attributes
    ----------
    isl : bool
        Use inter-satellite links (otherwise bent pipe only).
    isl_file : str or None
        Only with ``isl = true``: a Hypatia ``isls.txt`` (one ``"a b"`` pair of satellite ids a
        line, ids = positions in the constellation), relative to the scenario file's folder,
        whose links replace the +Grid lifeline builds itself; the length and grazing rules
        below still apply at every instant. The absolute path is :attr:`isl_path`; ids are
        checked against the constellation when the run starts
        (:func:`lifeline.engine.scenario_isl_edges`).
    isl_max_range_km : float or None
        Longest usable ISL [km] (e.g. a laser terminal's range); ``None``: no length limit
        beyond the grazing rule.
    isl_min_grazing_altitude_km : float
        A laser link is usable only while its straight path stays above this altitude [km]
        (Hypatia's 80 km rule, which gives 5,017 km links at 550 km, FACTS.md §2).
    processing_delay_ms : float
        Added to every RTT [ms], >= 0.
    fiber_stretch : float
        Fibre route length over great-circle distance, >= 1 (FACTS.md §8).
    fiber_group_index : float
        >= 1 (FACTS.md §8, SMF-28 at 1550 nm).
    min_elevation_deg : float
        Default minimum elevation of terminals [deg] (FACTS.md §1, 25 deg after FCC 21-48).
    gsl_max_range_km : float or None
        Default longest ground-satellite link of terminals [km], a rule besides the elevation
        one; ``None``: elevation only. Hypatia's paper uses range only, e.g. 1,089.686 km for
        Starlink-550 (``main_starlink_550.py``: sqrt(940.7^2 + 550^2) km); to reproduce it set
        this and ``min_elevation_deg = 0``.
    serving_policy : str
        How a terminal's serving satellite is chosen; only ``"max_elevation"``.
    """

    isl: StrictBool = True
    isl_file: Name | None = None
    isl_max_range_km: PositiveFloat | None = None
    isl_min_grazing_altitude_km: NonNegativeFloat = ISL_MIN_GRAZING_ALTITUDE_KM
    processing_delay_ms: NonNegativeFloat = 0.0
    fiber_stretch: Annotated[float, number(1)] = FIBER_ROUTE_STRETCH
    fiber_group_index: Annotated[float, number(1)] = FIBER_GROUP_INDEX
    min_elevation_deg: ElevationDeg = MIN_ELEVATION_DEG
    gsl_max_range_km: PositiveFloat | None = None
    serving_policy: Literal["max_elevation"] = "max_elevation"
    _isl_path: Path | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Network:
        if self.isl_file is None:
            return self
        if not self.isl:
            raise fail(
                "only allowed with isl = true (bent pipe has no laser links): remove isl_file "
                "or set isl = true",
                loc=("isl_file",),
                value=self.isl_file,
            )
        self._isl_path = _loaded(info, "network.isl_file", "isl_file")
        return self

    @property
    def isl_path(self) -> Path | None:
        """Absolute path of the ``isl_file`` (``None`` without one)."""
        return self._isl_path


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
        self._lat_deg, self._lon_deg = _loaded(info, f"geojson:{self.geojson}", "geojson")
        return self


class Power(Model):
    """``[terminals.power]``: how a terminal is powered (no table: always on).

    Attributes
    ----------
    model : str
        Terminal model, for its draw: ``"standard-actuated"`` (2021-23 kits, the ones sent to
        Ukraine in 2022), ``"standard"``, ``"mini"``, ``"performance"`` (FACTS.md §6, see
        :data:`lifeline.power.DRAW_W_BY_MODEL`).
    draw_w : float or None
        Average draw [W], overriding the model's.
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

    model: Literal["standard-actuated", "standard", "mini", "performance"] = "standard-actuated"
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

    ``users`` × ``mbps_per_user`` [Mbit/s] is the terminal's demand, the most the radio layer
    gives it (defaults: 1 user, 25 Mbit/s, :data:`lifeline.radio.DEFAULT_MBPS_PER_USER`).
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
    users: Users = DEFAULT_USERS
    mbps_per_user: MbpsPerUser = DEFAULT_MBPS_PER_USER

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


def _terminal_ref(value: Any) -> str | int:
    if isinstance(value, str) and value.strip():
        return value
    if finite_number(value, integer=True) and value >= 0:
        return value
    raise fail("a terminal name (string) or a 0-based terminal id (integer >= 0)")


TerminalRef = Annotated[str | int, PlainValidator(_terminal_ref)]


class Pair(Model):
    """``[[pairs]]``: one (source, destination) pair of terminals for pair mode.

    Attributes
    ----------
    src, dst : str or int
        A ``[[terminals]]`` name, or its 0-based position in the file.
    """

    src: TerminalRef
    dst: TerminalRef


def _all_pairs(value: Any) -> str:
    if value != "all":
        raise fail('"all" or an array of [[pairs]] tables (src, dst)')
    return value


def _pairs_kind(value: Any) -> str:
    return "pairs:tables" if isinstance(value, list | tuple) else "pairs:all"


# Discriminator tags: dropped from error locations (``pairs[1].src``, not ``pairs.tables[1]``).
UNION_TAGS = {"pairs:all", "pairs:tables", *EVENT_MODELS}
PairSelection = Annotated[
    Annotated[str, PlainValidator(_all_pairs), Tag("pairs:all")]
    | Annotated[tuple[Pair, ...], Tag("pairs:tables")],
    Discriminator(_pairs_kind),
]


class Scenario(Model):
    """A whole scenario file.

    Attributes
    ----------
    name, description : str
    extends : str or None
        The base this scenario was merged over (informational after loading).
    time : TimeConfig
    constellation : Constellation
    network : Network
    terminals, gateways, pops : tuple
        At least one each, with unique names. ``terminals`` holds the ``[[terminals]]`` tables,
        then the stations of ``ground_stations_file``.
    ground_stations_file : str or None
        A Hypatia ``ground_stations.txt`` (``id,name,lat_deg,lon_deg,elevation_m``, optionally
        followed by Hypatia's ``x_m,y_m,z_m``, which are not used: positions come from latitude,
        longitude and height on WGS84 as for any terminal), relative to the scenario file's
        folder. Each station becomes a terminal with its name, ``lat_deg``, ``lon_deg`` and
        ``alt_m`` = its elevation, and default settings, after the ``[[terminals]]`` tables
        (station ``g`` is terminal ``len([[terminals]]) + g``); names must not repeat.
    pairs : "all", tuple of Pair, or None
        Pair mode: every unordered pair of terminals, or the listed ones (see
        :attr:`pair_ids`); ``None`` (no ``pairs`` key): no pair mode.
    events : tuple of events
        ``[[events]]``: outages, ground loss, failures, power loss with their time windows
        (the models and their keys are in :mod:`lifeline.events`).
    radio : Radio
        ``[radio]``: the user downlink budget and shared capacities (:mod:`lifeline.radio`).
    rain : tuple of Rain
        ``[[rain]]``: rain rate over a region for a time window.
    jammers : tuple of Jammer
        ``[[jammers]]``: ground jammers aimed at the terminals' downlink, with active windows.
    """

    name: Name
    description: StrictStr = ""
    extends: Name | None = None
    time: TimeConfig
    constellation: Constellation
    network: Network = Network()
    ground_stations_file: Name | None = None
    terminals: Annotated[tuple[Terminal, ...], _unique_names("terminals", "name, lat_deg, lon_deg")]
    gateways: Annotated[tuple[Gateway, ...], _unique_names("gateways", "name, lat_deg, lon_deg")]
    pops: Annotated[tuple[Pop, ...], _unique_names("pops", "name, lat_deg, lon_deg")]
    pairs: PairSelection | None = None
    events: tuple[Event, ...] = ()
    radio: Radio = Radio()
    rain: tuple[Rain, ...] = ()
    jammers: tuple[Jammer, ...] = ()
    _source: str = PrivateAttr("<dict>")
    _pair_ids: tuple[tuple[int, int], ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Scenario:
        pop_names = [p.name for p in self.pops]
        for i, gw in enumerate(self.gateways):
            if gw.pop is not None and gw.pop not in pop_names:
                raise fail(
                    f"the name of a [[pops]] entry{did_you_mean(gw.pop, pop_names)} "
                    f"(one of: {', '.join(pop_names)})",
                    loc=("gateways", i, "pop"),
                    value=gw.pop,
                )
        self._check_event_names()
        self._check_routes()
        self._pair_ids = self._resolve_pairs()
        rows = self.time.n_steps * max(len(self.terminals), len(self._pair_ids))
        if rows > MAX_ROWS:
            what = (
                f"{len(self.terminals)} terminals"
                if len(self.terminals) >= len(self._pair_ids)
                else f"{len(self._pair_ids)} pairs"
            )
            raise fail(
                f"at most {MAX_ROWS:.0e} terminal-steps or pair-steps per run (here "
                f"{self.time.n_steps} steps x {what} = {rows:.2e}; the summary keeps ~14 bytes "
                "per terminal-step in memory): use a longer step_s or a shorter window",
                loc=("time", "step_s"),
                value=self.time.step_s,
            )
        self._source = (info.context or {}).get("source", "<dict>")
        return self

    def _check_routes(self) -> None:
        """Waypoint times strictly increase, after the start."""
        for i, t in enumerate(self.terminals):
            if t.waypoints is not None and t.path is not None:
                raise fail(
                    "either [[terminals.waypoints]] or a [terminals.path] table, not both",
                    loc=("terminals", i, "path"),
                    value=t.path.geojson,
                )
            if t.waypoints is None:
                continue
            if not t.waypoints:
                raise fail(
                    "at least one [[terminals.waypoints]] table",
                    loc=("terminals", i, "waypoints"),
                    value=[],
                )
            times = t.route(self.time.start_utc)[0]
            for j in range(1, len(times)):
                if times[j] <= times[j - 1]:
                    what = "start_utc" if j == 1 else f"waypoints[{j - 2}]"
                    w = t.waypoints[j - 1]
                    raise fail(
                        f"a time after {what} (waypoints go forward in time)",
                        loc=("terminals", i, "waypoints", j - 1),
                        value=w.time_s if w.time_utc is None else w.time_utc.isoformat(),
                    )

    def _check_event_names(self) -> None:
        """Sites named by [[events]] exist (satellites are checked when the run starts)."""
        known = {
            "gateways": ([g.name for g in self.gateways], "[[gateways]]"),
            "pops": ([p.name for p in self.pops], "[[pops]]"),
            "terminals": ([t.name for t in self.terminals], "[[terminals]]"),
        }
        for i, event in enumerate(self.events):
            for key, (names, table) in known.items():
                for j, name in enumerate(getattr(event, key, ())):
                    if name not in names:
                        listing = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
                        raise fail(
                            f"the name of a {table} entry{did_you_mean(name, names)} "
                            f"(one of: {listing})",
                            loc=("events", i, key, j),
                            value=name,
                        )

    def _resolve_pairs(self) -> tuple[tuple[int, int], ...]:
        """Terminal ids of the requested pairs (checked: known, distinct, not repeated)."""
        n = len(self.terminals)
        if self.pairs is None:
            return ()
        if self.pairs == "all":
            if n < 2:
                raise fail("at least two [[terminals]] for pair mode", loc=("pairs",), value="all")
            return tuple((i, j) for i in range(n) for j in range(i + 1, n))
        if not self.pairs:
            raise fail(
                '"all" or at least one [[pairs]] table (src, dst)', loc=("pairs",), value=[]
            )
        names = [t.name for t in self.terminals]
        index = {name: i for i, name in enumerate(names)}
        listing = ", ".join(names[:8]) + (", ..." if n > 8 else "")
        from_file = self.ground_stations_file is not None
        after = ", then the ground_stations_file stations" if from_file else ""
        or_station = " or ground_stations_file station" if from_file else ""
        out: list[tuple[int, int]] = []
        seen: dict[tuple[int, int], int] = {}
        for k, pair in enumerate(self.pairs):
            ids = []
            for key in ("src", "dst"):
                ref = getattr(pair, key)
                if isinstance(ref, int):
                    if ref >= n:
                        raise fail(
                            f"a terminal id in 0..{n - 1} (the position of a [[terminals]] "
                            f"table{after}) or a terminal name",
                            loc=("pairs", k, key),
                            value=ref,
                        )
                    ids.append(ref)
                elif ref in index:
                    ids.append(index[ref])
                else:
                    raise fail(
                        f"the name of a [[terminals]] entry{or_station}"
                        f"{did_you_mean(ref, names)} (one of: {listing}) or its 0-based id",
                        loc=("pairs", k, key),
                        value=ref,
                    )
            src, dst = ids
            if src == dst:
                raise fail(
                    f"a terminal other than src ({names[src]!r})",
                    loc=("pairs", k, "dst"),
                    value=pair.dst,
                )
            if (src, dst) in seen:
                raise fail(
                    f"a pair not listed before (pairs[{seen[src, dst]}] is the same)",
                    loc=("pairs", k),
                    value=f"{names[src]} -> {names[dst]}",
                )
            seen[src, dst] = k
            out.append((src, dst))
        return tuple(out)

    @property
    def pair_ids(self) -> tuple[tuple[int, int], ...]:
        """(src, dst) terminal ids of pair mode, in file order (``"all"``: i < j, row-major).

        Empty when the scenario has no ``pairs``.
        """
        return self._pair_ids

    @property
    def source(self) -> str:
        """Where the scenario came from: a file path, ``"preset:NAME"`` or ``"<dict>"``."""
        return self._source

