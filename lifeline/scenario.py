"""Scenario files: the TOML schema as frozen pydantic models, loading, presets and errors.

A scenario says *when* (``[time]``), *which satellites* (``[constellation]``), *how the network
behaves* (``[network]``) and *where* (``[[terminals]]``, ``[[gateways]]``, ``[[pops]]``). The
models below are the reference for the format; ``lifeline/presets/*.toml`` are worked examples.
``pairs = "all"`` or ``[[pairs]]`` tables (``src``, ``dst``: terminal names or 0-based ids) ask
for pair mode (:func:`lifeline.pairs.run_scenario_pairs`): shortest paths over ISLs between
terminals used as ground stations, as Hypatia computes them.

Hypatia's input files can stand in for parts of a scenario: ``constellation.hypatia_tle_file``
(``tles.txt``), ``network.isl_file`` (``isls.txt``) and ``ground_stations_file``
(``ground_stations.txt``, whose stations become terminals after the ``[[terminals]]`` tables).
Paths are relative to the scenario file's folder.

``extends = "NAME-or-path"`` loads a base scenario and deep-merges this file over it: tables
merge key by key, arrays (of tables too) and scalars replace. Two groups of keys are mutually
exclusive, so setting one member in the overlay drops the base's others: ``time.duration_s`` /
``time.end_utc``, and the constellation source (``tle_file``, ``hypatia_tle_file``, ``preset`` or
``shells``, which also drops the base's ``launched_by`` and ``epoch_utc``). An overlay that sets
``network.isl = false`` drops the base's ``network.isl_file`` (bent pipe has no laser links).
Relative file paths in a base are resolved against the base's folder.

Every problem with user input raises :class:`~lifeline.errors.ScenarioError` (never a pydantic
traceback), naming the file, the field path (``terminals[2].lat_deg``), the bad value and what
is allowed. When validation finds several problems they are all listed, one per line, in a
:class:`ScenarioValidationError`.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    PrivateAttr,
    StrictBool,
    StrictStr,
    Tag,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from lifeline.constants import (
    FIBER_GROUP_INDEX,
    FIBER_ROUTE_STRETCH,
    ISL_MIN_GRAZING_ALTITUDE_KM,
    MIN_ELEVATION_DEG,
    SCHEDULING_SLOT_S,
)
from lifeline.errors import ScenarioError
from lifeline.events import EVENT_MODELS, Event
from lifeline.geo import travel_times_s
from lifeline.io.geojson import read_linestring
from lifeline.io.hypatia import HypatiaFormatError, read_ground_stations
from lifeline.presets import preset_names, preset_path
from lifeline.radio import (
    DEFAULT_MBPS_PER_USER,
    DEFAULT_USERS,
    Jammer,
    MbpsPerUser,
    Radio,
    Rain,
    Users,
)

__all__ = [
    "Constellation",
    "Gateway",
    "Jammer",
    "Network",
    "Pair",
    "Pop",
    "Power",
    "Radio",
    "Rain",
    "Scenario",
    "ScenarioValidationError",
    "Shell",
    "Terminal",
    "TimeConfig",
    "Waypoint",
    "load_scenario",
    "scenario_from_dict",
]

_ERROR_TYPE = "lifeline"
_BUILTIN = "builtin:"
_DESIGNATOR_RE = re.compile(r"^(\d{4})-(\d{3})$")
_TOML_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END_RE = re.compile(r"\s*\(at end of document\)\s*$")

# Plausible altitude band of a LEO satellite [km]: outside it a propagated state is treated as
# absent (lifeline/data/PROVENANCE.md, note on using the 2022-08-17 snapshot for May 2022).
DEFAULT_ALTITUDE_BAND_KM = (150.0, 2000.0)


# ----------------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------------


class ScenarioValidationError(ScenarioError):
    """Several problems in one scenario; the attributes describe the first.

    Attributes
    ----------
    problems : list of ScenarioError
        Every problem found, in the order pydantic reported them. ``str(error)`` lists them
        one per line.
    """

    def __init__(self, problems: list[ScenarioError]) -> None:
        first = problems[0]
        super().__init__(first.file, first.field, first.value, first.allowed)
        self.problems = problems
        self.args = ("\n".join(str(p) for p in problems),)


_UNSET: Any = object()


def _fail(allowed: str, *, loc: tuple[str | int, ...] = (), value: Any = _UNSET) -> Exception:
    """A validation error whose message is `allowed`.

    `loc` is appended to the location pydantic reports (checks made by a model validator are
    located at the model) and `value`, when given, replaces the reported input.
    """
    ctx: dict[str, Any] = {"allowed": allowed, "loc": loc}
    if value is not _UNSET:
        ctx["value"] = value
    return PydanticCustomError(_ERROR_TYPE, "{allowed}", ctx)


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


# ----------------------------------------------------------------------------------------------
# Field types
# ----------------------------------------------------------------------------------------------


def _describe(lo: float | None, hi: float | None, lo_open: bool, hi_open: bool, kind: str) -> str:
    if lo is not None and hi is not None and not lo_open and not hi_open:
        return f"{kind} in {lo:g}..{hi:g}"
    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '>='} {lo:g}")
    if hi is not None:
        parts.append(f"{'<' if hi_open else '<='} {hi:g}")
    return f"{kind} {' and '.join(parts)}"


def _number(
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    integer: bool = False,
) -> PlainValidator:
    """A strict number check (no strings, no booleans, finite) with its allowed range."""
    allowed = _describe(lo, hi, lo_open, hi_open, "an integer" if integer else "a number")

    def check(value: Any) -> float | int:
        ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok_type:
            raise _fail(allowed)
        try:
            finite = math.isfinite(value)
        except OverflowError:  # TOML integers are unbounded: 10**400 has no float
            finite = False
        if not finite:
            raise _fail(allowed)
        below = lo is not None and (value < lo or (lo_open and value == lo))
        above = hi is not None and (value > hi or (hi_open and value == hi))
        if below or above:
            raise _fail(allowed)
        return int(value) if integer else float(value)

    return PlainValidator(check)


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail("a non-empty string")
    return value


# Times become datetime64[ns] in the engine, which spans 1677-09-21..2262-04-11 only; beyond
# it they wrap around silently (a start in year 1000 ran in 2169) or overflow.
_GRID_FIRST_UTC = datetime(1678, 1, 1, tzinfo=UTC)
_GRID_END_UTC = datetime(2262, 1, 1, tzinfo=UTC)
_GRID_WHY = "the span of the engine's nanosecond time grid"
_TIME_GRID = f"{_GRID_FIRST_UTC:%Y-%m-%d}..{_GRID_END_UTC:%Y-%m-%d} ({_GRID_WHY})"
#: Largest run, in terminal-steps (output rows): the summary holds ~14 bytes of each in memory.
MAX_ROWS = 500_000_000

_MIN_STEP_S = 1e-9  # the engine's time resolution: whole nanoseconds


def _utc_datetime(value: Any) -> datetime:
    example = "e.g. 2022-05-11T00:00:00Z"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise _fail(f"an RFC 3339 date-time with a timezone, {example}") from None
    if not isinstance(value, datetime):
        raise _fail(f"a date-time with a timezone, {example}")
    if value.utcoffset() is None:
        raise _fail(f"a date-time with a timezone (add Z for UTC or an offset), {example}")
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is in year 0 in UTC
        raise _fail(f"a date-time in {_TIME_GRID}") from None
    if not _GRID_FIRST_UTC <= value <= _GRID_END_UTC:
        raise _fail(f"a date-time in {_TIME_GRID}")
    return value


def _designator(value: Any) -> str:
    match = _DESIGNATOR_RE.match(value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) < 1957 or int(match.group(2)) < 1:
        raise _fail('an international designator launch "YYYY-NNN", e.g. "2022-049"')
    return value


def _altitude_band(value: Any) -> tuple[float, float]:
    allowed = "[min_km, max_km] with 0 < min_km < max_km"
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _fail(allowed)
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in value):
        raise _fail(allowed)
    lo, hi = float(value[0]), float(value[1])
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo < hi):
        raise _fail(allowed)
    return lo, hi


Name = Annotated[str, PlainValidator(_name)]
UtcDatetime = Annotated[datetime, PlainValidator(_utc_datetime)]
Latitude = Annotated[float, _number(-90, 90)]
Longitude = Annotated[float, _number(-180, 180)]
AltitudeM = Annotated[float, _number(-500, 9000)]
ElevationDeg = Annotated[float, _number(0, 90)]
PositiveFloat = Annotated[float, _number(0, lo_open=True)]


def _unique_names(kind: str, example: str) -> AfterValidator:
    """At least one entry, and unique ``name`` values (kind is the TOML table, for messages)."""

    def check(items: tuple[Any, ...]) -> tuple[Any, ...]:
        if not items:
            raise _fail(f"at least one [[{kind}]] table ({example})")
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.name in seen:
                raise _fail(
                    f"a unique name ({kind}[{seen[item.name]}] has the same name)",
                    loc=(i, "name"),
                    value=item.name,
                )
            seen[item.name] = i
        return items

    return AfterValidator(check)


# ----------------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _is_multiple(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) <= 1e-9 * max(1.0, ratio)


class TimeConfig(_Model):
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
    step_s: Annotated[float, _number(0, 3600, lo_open=True)] = 1.0
    slot_s: PositiveFloat = SCHEDULING_SLOT_S
    propagation_step_s: Annotated[float, _number(1, 600)] = 60.0

    @model_validator(mode="after")
    def _check(self) -> TimeConfig:
        duration, end = self.duration_given_s, self.end_given_utc
        if duration is not None and end is not None:
            raise _fail("give either duration_s or end_utc, not both", loc=("end_utc",), value=end)
        if duration is None and end is None:
            raise _fail(
                "required: give duration_s (seconds > 0) or end_utc",
                loc=("duration_s",),
                value=None,
            )
        # Steps become whole nanoseconds in the engine: a smaller one rounds to 0, and
        # 30 s / 5e-324 s is inf steps (OverflowError below).
        if self.step_s < _MIN_STEP_S:
            raise _fail(
                f"a step of at least {_MIN_STEP_S:g} s (the engine's time resolution, 1 ns)",
                loc=("step_s",),
                value=self.step_s,
            )
        room_s = (_GRID_END_UTC - self.start_utc).total_seconds()
        if duration is not None and duration > room_s:
            raise _fail(
                f"a duration that ends by {_GRID_END_UTC:%Y-%m-%d}, {_GRID_WHY} "
                f"(at most {room_s:.0f} s after start_utc)",
                loc=("duration_s",),
                value=duration,
            )
        if end is not None and end <= self.start_utc:
            raise _fail(
                f"a time after start_utc ({self.start_utc.isoformat()})",
                loc=("end_utc",),
                value=end,
            )
        if self.slot_s < self.step_s or not _is_multiple(self.slot_s, self.step_s):
            raise _fail(
                f"a whole multiple of step_s = {self.step_s:g} s",
                loc=("slot_s",),
                value=self.slot_s,
            )
        if not _is_multiple(self.duration_s, self.step_s):
            key, bad = ("duration_s", duration) if end is None else ("end_utc", end)
            raise _fail(
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


class Shell(_Model):
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
    altitude_km: Annotated[float, _number(150, 2000)]
    inclination_deg: Annotated[float, _number(0, 180)]
    planes: Annotated[int, _number(1, integer=True)]
    sats_per_plane: Annotated[int, _number(1, integer=True)]
    phasing: Annotated[int, _number(0, integer=True)]

    @model_validator(mode="after")
    def _check(self) -> Shell:
        if self.phasing >= self.planes:
            raise _fail(
                f"an integer in 0..{self.planes - 1} (phasing < planes = {self.planes})",
                loc=("phasing",),
                value=self.phasing,
            )
        return self


def _builtin_tles() -> list[str]:
    folder = resources.files("lifeline.data")
    return sorted(p.name.removesuffix(".tle") for p in folder.iterdir() if p.name.endswith(".tle"))


def _input_path(value: str, base_dir: Path | None, what: str, key: str) -> Path:
    """The absolute path of an input file named in the scenario (relative to its folder)."""
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    if not path.is_file():
        raise _fail(
            f"an existing {what} (not found: {path}), relative to the scenario's folder",
            loc=(key,),
            value=value,
        )
    return path.resolve()


def _resolve_tle(tle_file: str, base_dir: Path | None) -> Path:
    builtins = _builtin_tles()
    listing = ", ".join(_BUILTIN + b for b in builtins)
    if tle_file.startswith(_BUILTIN):
        name = tle_file.removeprefix(_BUILTIN)
        if name not in builtins:
            hint = _did_you_mean(name, builtins)
            raise _fail(
                f"a shipped TLE snapshot{hint} (one of: {listing})",
                loc=("tle_file",),
                value=tle_file,
            )
        return Path(str(resources.files("lifeline.data").joinpath(f"{name}.tle")))
    path = Path(tle_file).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    if not path.is_file():
        raise _fail(
            f"an existing TLE file (not found: {path}), relative to the scenario's folder, "
            f"or one of: {listing}",
            loc=("tle_file",),
            value=tle_file,
        )
    return path.resolve()


class Constellation(_Model):
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
    launched_by: Annotated[str, PlainValidator(_designator)] | None = None
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
            raise _fail(one_of, value=sorted(given))
        if self.shells is not None:
            if not self.shells:
                raise _fail(
                    "at least one [[constellation.shells]] table", loc=("shells",), value=[]
                )
            names = [s.name for s in self.shells]
            for i, name in enumerate(names):
                if name in names[:i]:
                    raise _fail("a unique shell name", loc=("shells", i, "name"), value=name)
        if self.tle_file is None and self.launched_by is not None:
            raise _fail("only allowed with tle_file", loc=("launched_by",), value=self.launched_by)
        if self.epoch_utc is not None and (self.tle_file, self.hypatia_tle_file) != (None, None):
            raise _fail(
                "only allowed with preset or shells (a TLE file has its own epochs)",
                loc=("epoch_utc",),
                value=self.epoch_utc,
            )
        base_dir = (info.context or {}).get("base_dir")
        if self.tle_file is not None:
            self._tle_path = _resolve_tle(self.tle_file, base_dir)
        if self.hypatia_tle_file is not None:
            self._hypatia_tle_path = _input_path(
                self.hypatia_tle_file, base_dir, "Hypatia tles.txt", "hypatia_tle_file"
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


class Network(_Model):
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
        Added to every RTT's access part [ms], >= 0.
    fiber_stretch : float
        Gateway → PoP fibre route length over great-circle distance, >= 1 (default 1.3,
        references.md#fibre-stretch); a gateway's ``pop_route_km`` replaces it.
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
        How a terminal's serving satellite is chosen at each plan
        (:mod:`lifeline.network.assign`): ``"min_rtt"`` (default: the lowest RTT to a live
        PoP among the satellites in view, keeping the current one unless another is at
        least 2 ms faster), ``"max_elevation"`` (the highest routable one) or
        ``"longest_visible"`` (the routable one that stays in view longest).
    laser_satellites : str
        Which satellites of a real TLE constellation carry lasers: ``"history"`` (default:
        by launch, none on the v1.0 53.0° shell, references.md#laser-history) or ``"all"``.
        Walker and Hypatia constellations always give every satellite lasers.
    access_delay : str
        The access-delay model added to every RTT (:mod:`lifeline.links.access`): ``"auto"``
        (default: the 2022 profile before March 2024, the 2025 one after), ``"2022"``,
        ``"2025"`` or ``"none"`` (propagation only, as Hypatia).
    access_seed : int
        Seed of the access-delay draws (>= 0).
    """

    isl: StrictBool = True
    isl_file: Name | None = None
    isl_max_range_km: PositiveFloat | None = None
    isl_min_grazing_altitude_km: Annotated[float, _number(0)] = ISL_MIN_GRAZING_ALTITUDE_KM
    processing_delay_ms: Annotated[float, _number(0)] = 0.0
    fiber_stretch: Annotated[float, _number(1)] = FIBER_ROUTE_STRETCH
    fiber_group_index: Annotated[float, _number(1)] = FIBER_GROUP_INDEX
    min_elevation_deg: ElevationDeg = MIN_ELEVATION_DEG
    gsl_max_range_km: PositiveFloat | None = None
    serving_policy: Literal["min_rtt", "max_elevation", "longest_visible"] = "min_rtt"
    laser_satellites: Literal["history", "all"] = "history"
    access_delay: Literal["auto", "2022", "2025", "none"] = "auto"
    access_seed: Annotated[int, _number(0, integer=True)] = 0
    _isl_path: Path | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Network:
        if self.isl_file is None:
            return self
        if not self.isl:
            raise _fail(
                "only allowed with isl = true (bent pipe has no laser links): remove isl_file "
                "or set isl = true",
                loc=("isl_file",),
                value=self.isl_file,
            )
        base_dir = (info.context or {}).get("base_dir")
        self._isl_path = _input_path(self.isl_file, base_dir, "Hypatia isls.txt", "isl_file")
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
        raise _fail(allowed)
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 90:
            raise _fail(allowed)
    return tuple(float(v) for v in value)


def _hours(value: Any) -> tuple[float, float]:
    allowed = "[start, end] hours of the day (UTC) in 0..24, e.g. [18, 22]"
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _fail(allowed)
    if any(
        isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 24 for v in value
    ):
        raise _fail(allowed)
    return float(value[0]), float(value[1])


class Waypoint(_Model):
    """``[[terminals.waypoints]]``: where a moving terminal is at a time.

    Give ``time_s`` (seconds after ``time.start_utc``) or ``time_utc``.
    """

    time_s: Annotated[float, _number(0, lo_open=True)] | None = None
    time_utc: UtcDatetime | None = None
    lat_deg: Latitude
    lon_deg: Longitude

    @model_validator(mode="after")
    def _check(self) -> Waypoint:
        if (self.time_s is None) == (self.time_utc is None):
            raise _fail("exactly one of time_s (seconds after start_utc) or time_utc", value=None)
        return self


class RoutePath(_Model):
    """``[terminals.path]``: a route given as a GeoJSON LineString and a ground speed.

    The terminal waits at its ``lat_deg, lon_deg`` until ``depart_s`` (seconds after
    ``time.start_utc``), then moves at ``speed_kmh`` along great circles to the line's first
    vertex and on through every vertex, and stays at the last one. ``geojson`` is a file path,
    relative to the scenario file's folder (RFC 7946: ``[lon, lat]`` coordinates).
    """

    geojson: Name
    speed_kmh: PositiveFloat
    depart_s: Annotated[float, _number(0)] = 0.0
    _lat_deg: tuple[float, ...] = PrivateAttr(())
    _lon_deg: tuple[float, ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _read(self, info: ValidationInfo) -> RoutePath:
        base = (info.context or {}).get("base_dir")
        path = Path(self.geojson)
        if not path.is_absolute() and base is not None:
            path = Path(base) / path
        lat, lon = read_linestring(path)  # InputFileError names the file and the place
        self._lat_deg, self._lon_deg = tuple(lat.tolist()), tuple(lon.tolist())
        return self


class Power(_Model):
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
    battery_wh: Annotated[float, _number(0)] = 0.0
    initial_charge: Annotated[float, _number(0, 1)] = 1.0
    solar_w: Annotated[float, _number(0)] = 0.0
    generator_w: Annotated[float, _number(0)] = 0.0
    generator_utc_hours: Annotated[tuple[float, float], PlainValidator(_hours)] = (0.0, 24.0)


class Terminal(_Model):
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


class Gateway(_Model):
    """``[[gateways]]``: a ground station; ``pop = None`` homes it to the nearest PoP.

    ``pop_route_km``: the length of the fibre route to its ``pop`` where it is known [km]
    (replaces great-circle distance × ``network.fiber_stretch``); only with ``pop``.
    """

    name: Name
    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: AltitudeM = 0.0
    min_elevation_deg: ElevationDeg = MIN_ELEVATION_DEG
    max_satellites: Annotated[int, _number(1, integer=True)] = 8
    live: StrictBool = True
    pop: Name | None = None
    pop_route_km: PositiveFloat | None = None

    @model_validator(mode="after")
    def _check_route(self) -> Gateway:
        if self.pop_route_km is not None and self.pop is None:
            raise _fail(
                "only allowed with pop (the PoP the route leads to): set pop or remove "
                "pop_route_km",
                loc=("pop_route_km",),
                value=self.pop_route_km,
            )
        return self


class Pop(_Model):
    """``[[pops]]``: a point of presence, where traffic reaches the Internet."""

    name: Name
    lat_deg: Latitude
    lon_deg: Longitude


def _terminal_ref(value: Any) -> str | int:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise _fail("a terminal name (string) or a 0-based terminal id (integer >= 0)")


TerminalRef = Annotated[str | int, PlainValidator(_terminal_ref)]


class Pair(_Model):
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
        raise _fail('"all" or an array of [[pairs]] tables (src, dst)')
    return value


def _pairs_kind(value: Any) -> str:
    return "pairs:tables" if isinstance(value, list | tuple) else "pairs:all"


# Discriminator tags: dropped from error locations (``pairs[1].src``, not ``pairs.tables[1]``).
_UNION_TAGS = {"pairs:all", "pairs:tables", *EVENT_MODELS}
PairSelection = Annotated[
    Annotated[str, PlainValidator(_all_pairs), Tag("pairs:all")]
    | Annotated[tuple[Pair, ...], Tag("pairs:tables")],
    Discriminator(_pairs_kind),
]


class Scenario(_Model):
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

    @model_validator(mode="before")
    @classmethod
    def _add_ground_stations(cls, data: Any, info: ValidationInfo) -> Any:
        """Append the stations of ``ground_stations_file`` to the terminals, as tables."""
        value = data.get("ground_stations_file") if isinstance(data, dict) else None
        if not isinstance(value, str) or not value.strip():
            return data  # absent, or the field's own check reports it
        key = "ground_stations_file"
        base_dir = (info.context or {}).get("base_dir")
        path = _input_path(value, base_dir, "Hypatia ground_stations.txt", key)
        try:
            stations = read_ground_stations(path)
        except HypatiaFormatError as exc:
            raise _fail(
                f"a Hypatia ground_stations.txt, basic or extended form ({exc})",
                loc=(key,),
                value=value,
            ) from None
        first: dict[str, int] = {}
        for g, name in enumerate(stations.names):
            if name in first:
                raise _fail(
                    f"unique station names (ids {first[name]} and {g} are both {name!r})",
                    loc=(key,),
                    value=value,
                )
            first[name] = g
        tables = data.get("terminals", [])
        if not isinstance(tables, list | tuple):
            return data  # not an array of tables: the field's own check reports it
        for i, table in enumerate(tables):
            name = table.get("name") if isinstance(table, dict) else None
            if isinstance(name, str) and name in first:
                raise _fail(
                    f"station names that no [[terminals]] table uses (station {first[name]} "
                    f"is {name!r}, as terminals[{i}].name)",
                    loc=(key,),
                    value=value,
                )
        added = [
            {"name": name, "lat_deg": float(lat), "lon_deg": float(lon), "alt_m": float(alt)}
            for name, lat, lon, alt in zip(
                stations.names,
                stations.lat_deg,
                stations.lon_deg,
                stations.elevation_m,
                strict=True,
            )
        ]
        return {**data, "terminals": [*tables, *added]}

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Scenario:
        pop_names = [p.name for p in self.pops]
        for i, gw in enumerate(self.gateways):
            if gw.pop is not None and gw.pop not in pop_names:
                raise _fail(
                    f"the name of a [[pops]] entry{_did_you_mean(gw.pop, pop_names)} "
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
            raise _fail(
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
                raise _fail(
                    "either [[terminals.waypoints]] or a [terminals.path] table, not both",
                    loc=("terminals", i, "path"),
                    value=t.path.geojson,
                )
            if t.waypoints is None:
                continue
            if not t.waypoints:
                raise _fail(
                    "at least one [[terminals.waypoints]] table",
                    loc=("terminals", i, "waypoints"),
                    value=[],
                )
            times = t.route(self.time.start_utc)[0]
            for j in range(1, len(times)):
                if times[j] <= times[j - 1]:
                    what = "start_utc" if j == 1 else f"waypoints[{j - 2}]"
                    w = t.waypoints[j - 1]
                    raise _fail(
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
                        raise _fail(
                            f"the name of a {table} entry{_did_you_mean(name, names)} "
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
                raise _fail("at least two [[terminals]] for pair mode", loc=("pairs",), value="all")
            return tuple((i, j) for i in range(n) for j in range(i + 1, n))
        if not self.pairs:
            raise _fail(
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
                        raise _fail(
                            f"a terminal id in 0..{n - 1} (the position of a [[terminals]] "
                            f"table{after}) or a terminal name",
                            loc=("pairs", k, key),
                            value=ref,
                        )
                    ids.append(ref)
                elif ref in index:
                    ids.append(index[ref])
                else:
                    raise _fail(
                        f"the name of a [[terminals]] entry{or_station}"
                        f"{_did_you_mean(ref, names)} (one of: {listing}) or its 0-based id",
                        loc=("pairs", k, key),
                        value=ref,
                    )
            src, dst = ids
            if src == dst:
                raise _fail(
                    f"a terminal other than src ({names[src]!r})",
                    loc=("pairs", k, "dst"),
                    value=pair.dst,
                )
            if (src, dst) in seen:
                raise _fail(
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


# ----------------------------------------------------------------------------------------------
# Turning pydantic errors into ScenarioErrors
# ----------------------------------------------------------------------------------------------

_MISSING_HINTS = {
    "time": "required: a [time] table with start_utc and duration_s or end_utc",
    "constellation": (
        "required: a [constellation] table with tle_file, hypatia_tle_file, preset or shells"
    ),
    "terminals": (
        "required: at least one [[terminals]] table (name, lat_deg, lon_deg) or a "
        "ground_stations_file"
    ),
    "gateways": "required: at least one [[gateways]] table (name, lat_deg, lon_deg)",
    "pops": "required: at least one [[pops]] table (name, lat_deg, lon_deg)",
}

_TABLE_ARRAYS = {
    "terminals": "terminals",
    "gateways": "gateways",
    "pops": "pops",
    "shells": "constellation.shells",
    "pairs": "pairs",
    "events": "events",
    "rain": "rain",
    "jammers": "jammers",
    "windows": "jammers.windows",
}

_TYPE_HINTS = {
    "bool_type": "true or false",
    "string_type": "a string",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "dict_type": "a table",
    "tuple_type": "an array",
    "list_type": "an array",
}


def _format_loc(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class found at `loc` inside :class:`Scenario` (None if not a model)."""
    model: type[BaseModel] | None = Scenario
    for part in loc:
        if part in EVENT_MODELS:  # the tag of an [[events]] entry says which model it is
            model = EVENT_MODELS[str(part)]
            continue
        if isinstance(part, int) or part in _UNION_TAGS:
            continue
        assert model is not None
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        if part not in fields:
            return None
        model = _inner_model(fields[part].annotation)
        if model is None:
            return None
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _allowed_for(err: dict[str, Any], loc: tuple[str | int, ...]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == _ERROR_TYPE:
        return str(ctx["allowed"])
    if kind == "missing":
        return _MISSING_HINTS.get(str(loc[-1]), "required") if len(loc) == 1 else "required"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        keys = [f.alias or n for n, f in model.model_fields.items()] if model else []
        key = str(loc[-1])
        hint = _did_you_mean(key, keys)
        return f"unknown key {key!r}" + (hint or f"; allowed keys: {', '.join(keys)}")
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        value = err.get("input")
        hint = _did_you_mean(value, choices) if isinstance(value, str) else ""
        return f"one of: {', '.join(repr(c) for c in choices)}{hint}"
    if kind in ("union_tag_invalid", "union_tag_not_found") and "events" in loc:
        return f"an event with kind = one of: {', '.join(EVENT_MODELS)}"
    if kind in ("tuple_type", "list_type") and loc[-1] in _TABLE_ARRAYS:
        return f"an array of tables ([[{_TABLE_ARRAYS[str(loc[-1])]}]])"
    return _TYPE_HINTS.get(kind, str(err["msg"]))


class _Table(dict):  # type: ignore[type-arg]
    """A table shown by its keys in messages (its values can be long)."""

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k} = ..." for k in self) + "}"


def _display(value: Any) -> Any:
    """Dates and times as ISO strings and tables by their keys, so messages stay readable."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return _Table(value)
    return value


def _to_scenario_error(exc: ValidationError, source: str) -> ScenarioError:
    problems = []
    for err in exc.errors(include_url=False):
        ctx = err.get("ctx") or {}
        full = tuple(err["loc"]) + tuple(ctx.get("loc", ()))
        loc = tuple(p for p in full if p not in _UNION_TAGS)
        value = ctx["value"] if "value" in ctx else err.get("input")
        if err["type"] == "missing":
            value = None
        problems.append(
            ScenarioError(source, _format_loc(loc), _display(value), _allowed_for(err, full))
        )
    return problems[0] if len(problems) == 1 else ScenarioValidationError(problems)


# ----------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------


def _looks_like_path(source: str) -> bool:
    return source.endswith(".toml") or "/" in source or "\\" in source


def _locate(source: str | Path, base_dir: Path | None) -> tuple[Path, str]:
    """(file, label for messages) of a scenario path or preset name."""
    if isinstance(source, str) and not _looks_like_path(source):
        candidate = (base_dir or Path.cwd()) / source
        if not candidate.is_file():
            return preset_path(source), f"preset:{source}"
    path = Path(source).expanduser()
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    if not path.is_file():
        raise ScenarioError(
            str(source),
            "",
            str(path),
            f"an existing scenario .toml file (not found) or a preset name "
            f"({', '.join(preset_names())})",
        )
    return path, str(source) if base_dir is None else str(path)


def _read_toml(path: Path, label: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(label, "", str(path), f"a readable UTF-8 TOML file ({exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        pos = _TOML_POS_RE.search(message)
        end = _TOML_END_RE.search(message)
        if pos is None and end is not None:
            # e.g. a file cut off inside a string or after "key": point at its last line.
            lines = text.splitlines() or [""]
            raise ScenarioError(
                label,
                f"line {len(lines)}, end of file",
                lines[-1],
                f"valid TOML ({message[: end.start()]})",
            ) from None
        if pos is None:
            raise ScenarioError(label, "", None, f"valid TOML ({message})") from None
        line, column = int(pos.group(1)), int(pos.group(2))
        lines = text.splitlines()
        bad = lines[line - 1] if 0 < line <= len(lines) else ""
        raise ScenarioError(
            label, f"line {line}, column {column}", bad, f"valid TOML ({message[: pos.start()]})"
        ) from None


_EXCLUSIVE = {
    "time": ({"duration_s", "end_utc"}, {"duration_s", "end_utc"}),
    "constellation": (
        {"tle_file", "hypatia_tle_file", "preset", "shells"},
        {"tle_file", "hypatia_tle_file", "preset", "shells", "launched_by", "epoch_utc"},
    ),
}


def _merge(base: dict[str, Any], over: dict[str, Any], table: str = "") -> dict[str, Any]:
    """Deep-merge `over` onto `base`: tables merge, everything else replaces."""
    out = dict(base)
    triggers, dropped = _EXCLUSIVE.get(table, (set(), set()))
    if triggers & over.keys():
        for key in dropped - over.keys():
            out.pop(key, None)
    if table == "network" and over.get("isl") is False and "isl_file" not in over:
        out.pop("isl_file", None)  # bent pipe has no laser links (isl_file needs isl = true)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, key if not table else f"{table}.{key}")
        else:
            out[key] = value
    return out


#: Input-file keys (table, key) whose relative paths are relative to the file that gives them.
_PATH_KEYS = (
    ("constellation", "tle_file"),
    ("constellation", "hypatia_tle_file"),
    ("network", "isl_file"),
    ("", "ground_stations_file"),
)


def _absolute_paths(data: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """Anchor a base file's relative input paths (``tle_file``, ``isl_file``, ...) to that
    file's folder before merging. Set directly, not merged: merging a ``tle_file`` would drop
    the base's ``launched_by`` and ``epoch_utc`` as if the overlay had chosen a new source."""
    out = dict(data)
    for table, key in _PATH_KEYS:
        holder = out.get(table) if table else out
        path = holder.get(key) if isinstance(holder, dict) else None
        if not isinstance(path, str) or path.startswith(_BUILTIN) or Path(path).is_absolute():
            continue
        if table:
            out[table] = holder = dict(holder)
        holder[key] = str(base_dir / path)
    return out


def _resolve_extends(
    data: dict[str, Any], source: str, base_dir: Path | None, chain: tuple[str, ...]
) -> dict[str, Any]:
    extends = data.get("extends")
    if extends is None:
        return data
    if not isinstance(extends, str) or not extends.strip():
        raise ScenarioError(source, "extends", extends, "a preset name or a path to a .toml file")
    try:
        path, label = _locate(extends, base_dir)
    except ScenarioError as exc:
        raise ScenarioError(source, "extends", extends, exc.allowed) from None
    key = str(path.resolve())
    if key in chain:
        raise ScenarioError(source, "extends", extends, "a base that does not extend this file")
    base = _absolute_paths(_read_toml(path, label), path.parent)
    base = _resolve_extends(base, label, path.parent, (*chain, key))
    return _merge(base, data)


def scenario_from_dict(
    data: dict[str, Any], source: str = "<dict>", base_dir: Path | None = None
) -> Scenario:
    """Validate a scenario given as a dict (as parsed from TOML).

    Parameters
    ----------
    data : dict
        The scenario's tables and keys. ``extends`` is resolved relative to `base_dir`.
    source : str
        Name used in error messages and kept as ``Scenario.source``.
    base_dir : pathlib.Path, optional
        Folder that relative paths (``tle_file``, ``extends``) are resolved against; the
        current directory when omitted.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        For any problem, naming `source`, the field path, the value and what is allowed
        (a :class:`ScenarioValidationError` listing all of them when there are several).
    """
    if not isinstance(data, dict):
        raise ScenarioError(source, "", type(data).__name__, "a table (dict) of scenario keys")
    return _validate(data, source, base_dir, ())


def _validate(
    data: dict[str, Any], source: str, base_dir: Path | None, chain: tuple[str, ...]
) -> Scenario:
    merged = _resolve_extends(data, source, base_dir, chain)
    try:
        return Scenario.model_validate(merged, context={"source": source, "base_dir": base_dir})
    except ValidationError as exc:
        raise _to_scenario_error(exc, source) from None


def load_scenario(source: str | Path) -> Scenario:
    """Load and validate a scenario file or preset.

    Parameters
    ----------
    source : str or pathlib.Path
        A path to a ``.toml`` file, or the name of a preset (see
        :func:`lifeline.presets.list_presets`).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Unknown preset (with the closest name), missing or unreadable file, TOML syntax error
        (with line and column), or any invalid value.

    Examples
    --------
    >>> sc = load_scenario("mariupol-2022")
    >>> sc.time.n_steps
    86400
    """
    path, label = _locate(source, None)
    data = _read_toml(path, label)
    return _validate(data, label, path.parent, (str(path.resolve()),))
