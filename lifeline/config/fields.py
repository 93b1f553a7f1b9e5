"""The one set of field validators every scenario model uses (scenario, events, radio, sweep).

Each validator is a pydantic ``PlainValidator`` (or a function wrapped in one) that accepts only
what the TOML format allows for the field and raises :func:`fail` with a sentence saying what is
allowed; :mod:`lifeline.config.errors` turns that into a located
:class:`~lifeline.errors.ScenarioError`. Validators only look at the value: none reads a file
(input files are resolved and read by :mod:`lifeline.config.load`).

Numbers go through :func:`number` only, so one guard covers every numeric field: no strings or
booleans, finite, and an integer that has no float (TOML integers are unbounded: ``1`` followed
by 400 zeros) is out of range rather than an ``OverflowError``. Date-times go through
:func:`utc_datetime` only, which keeps them inside the engine's nanosecond time grid.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from lifeline.constants import SITE_ALT_M_RANGE

__all__ = [
    "ERROR_TYPE",
    "FILES",
    "GRID_END_UTC",
    "GRID_FIRST_UTC",
    "GRID_WHY",
    "AltitudeM",
    "ElevationDeg",
    "Latitude",
    "Longitude",
    "Model",
    "Name",
    "NonNegativeFloat",
    "PositiveFloat",
    "UtcDatetime",
    "allowed_text",
    "allowing",
    "coordinates",
    "designator",
    "did_you_mean",
    "fail",
    "finite_number",
    "from_loader",
    "name",
    "names",
    "number",
    "number_pair",
    "utc_datetime",
]

#: pydantic error type of every check made here; the error translation keys on it.
ERROR_TYPE = "lifeline"

_UNSET: Any = object()

_Check = TypeVar("_Check", bound=Callable[..., Any])


def allowing(text: str) -> Callable[[_Check], _Check]:
    """Record on a validator the sentence saying what it accepts.

    The same sentence its errors give; :mod:`lifeline.config.reference` reads it back
    (:func:`allowed_text`) to write the "allowed" column of ``docs/scenario.md``, so the range
    is declared once, here, where it is checked.
    """

    def mark(check: _Check) -> _Check:
        check.allowed = text  # type: ignore[attr-defined]
        return check

    return mark


def allowed_text(metadata: Any) -> str | None:
    """What a validator (a ``PlainValidator`` or a function marked by :func:`allowing`)
    accepts, or ``None`` when it says nothing."""
    return getattr(getattr(metadata, "func", metadata), "allowed", None)


class Model(BaseModel):
    """Base of every scenario model: frozen, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def fail(allowed: str, *, loc: tuple[str | int, ...] = (), value: Any = _UNSET) -> Exception:
    """A validation error whose message is `allowed`.

    `loc` is appended to the location pydantic reports (checks made by a model validator are
    located at the model) and `value`, when given, replaces the reported input.
    """
    ctx: dict[str, Any] = {"allowed": allowed, "loc": loc}
    if value is not _UNSET:
        ctx["value"] = value
    return PydanticCustomError(ERROR_TYPE, "{allowed}", ctx)


def did_you_mean(word: str, choices: list[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of `choices`, or ``""``."""
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


# ----------------------------------------------------------------------------------------------
# Numbers
# ----------------------------------------------------------------------------------------------


def finite_number(value: Any, *, integer: bool = False) -> bool:
    """`value` is a number TOML can give (not a bool) with a finite float value.

    An integer too large for a float (``10**400``) is not finite: every later use of it as a
    float would raise ``OverflowError``.
    """
    if isinstance(value, bool) or not isinstance(value, int if integer else int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _describe(lo: float | None, hi: float | None, lo_open: bool, hi_open: bool, kind: str) -> str:
    if lo is not None and hi is not None and not lo_open and not hi_open:
        return f"{kind} in {lo:g}..{hi:g}"
    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '>='} {lo:g}")
    if hi is not None:
        parts.append(f"{'<' if hi_open else '<='} {hi:g}")
    return f"{kind} {' and '.join(parts)}" if parts else kind


def _in_range(
    value: float, lo: float | None, hi: float | None, lo_open: bool, hi_open: bool
) -> bool:
    below = lo is not None and (value < lo or (lo_open and value == lo))
    above = hi is not None and (value > hi or (hi_open and value == hi))
    return not (below or above)


def number(
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    integer: bool = False,
    allowed: str | None = None,
) -> PlainValidator:
    """A strict number (no strings, no booleans, finite) in its allowed range.

    `allowed` replaces the generated description (e.g. ``"a probability in 0..1"``).
    """
    text = allowed or _describe(lo, hi, lo_open, hi_open, "an integer" if integer else "a number")

    def check(value: Any) -> float | int:
        if not finite_number(value, integer=integer):
            raise fail(text)
        if not _in_range(value, lo, hi, lo_open, hi_open):
            raise fail(text)
        return int(value) if integer else float(value)

    return PlainValidator(allowing(text)(check))


def number_pair(lo: float, hi: float, *, integer: bool = False) -> PlainValidator:
    """A fixed value or a ``[min, max]`` range within lo..hi, as a ``(min, max)`` tuple."""
    kind = "an integer" if integer else "a number"
    allowed = f"{kind} in {lo:g}..{hi:g}, or [min, max] with min <= max in that range"

    def ok(v: Any) -> bool:
        return finite_number(v, integer=integer) and lo <= v <= hi

    def check(value: Any) -> tuple[float, float]:
        if isinstance(value, list | tuple):
            if len(value) != 2 or not all(ok(v) for v in value) or value[0] > value[1]:
                raise fail(allowed)
            return (value[0], value[1])
        if not ok(value):
            raise fail(allowed)
        return (value, value)

    # What TOML may hold here (a number or a pair), for schema readers such as the reference.
    given = (int if integer else float) | tuple[int if integer else float, ...]
    return PlainValidator(allowing(allowed)(check), json_schema_input_type=given)


def coordinates(
    lo: float, hi: float, *, min_len: int = 1, allowed: str | None = None
) -> PlainValidator:
    """An array of at least `min_len` numbers in lo..hi, as a tuple of floats."""
    text = allowed or f"an array of at least {min_len} numbers in {lo:g}..{hi:g}"

    def check(value: Any) -> tuple[float, ...]:
        if not isinstance(value, list | tuple) or len(value) < min_len:
            raise fail(text)
        if not all(finite_number(v) and lo <= v <= hi for v in value):
            raise fail(text)
        return tuple(float(v) for v in value)

    return PlainValidator(allowing(text)(check))


# ----------------------------------------------------------------------------------------------
# Names
# ----------------------------------------------------------------------------------------------


@allowing("a non-empty string")
def name(value: Any) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise fail(name.allowed)
    return value


def names(kind: str = "", *, distinct: bool = False) -> PlainValidator:
    """A non-empty array of non-empty strings (`kind` names them in the message)."""
    what = f"{kind} names" if kind else ("distinct names" if distinct else "names")
    allowed = f"a non-empty array of {what}"

    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not value:
            raise fail(allowed)
        if any(not isinstance(v, str) or not v.strip() for v in value):
            raise fail(allowed)
        if distinct and len(set(value)) < len(value):
            raise fail(allowed)
        return tuple(value)

    return PlainValidator(allowing(allowed)(check))


_DESIGNATOR_RE = re.compile(r"^(\d{4})-(\d{3})$")


@allowing('an international designator launch "YYYY-NNN", e.g. "2022-049"')
def designator(value: Any) -> str:
    """An international designator launch ``"YYYY-NNN"`` (1957 onward)."""
    match = _DESIGNATOR_RE.match(value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) < 1957 or int(match.group(2)) < 1:
        raise fail(designator.allowed)
    return value


# ----------------------------------------------------------------------------------------------
# Date-times
# ----------------------------------------------------------------------------------------------

# Times become datetime64[ns] in the engine, which spans 1677-09-21..2262-04-11 only; beyond
# it they wrap around silently (a start in year 1000 ran in 2169) or overflow.
GRID_FIRST_UTC = datetime(1678, 1, 1, tzinfo=UTC)
GRID_END_UTC = datetime(2262, 1, 1, tzinfo=UTC)
GRID_WHY = "the span of the engine's nanosecond time grid"
_TIME_GRID = f"{GRID_FIRST_UTC:%Y-%m-%d}..{GRID_END_UTC:%Y-%m-%d} ({GRID_WHY})"


@allowing(f"an RFC 3339 date-time with a timezone (Z for UTC or an offset) in {_TIME_GRID}")
def utc_datetime(value: Any) -> datetime:
    """A timezone-aware date-time (or RFC 3339 string) inside the engine's time grid, in UTC."""
    example = "e.g. 2022-05-11T00:00:00Z"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise fail(f"an RFC 3339 date-time with a timezone, {example}") from None
    if not isinstance(value, datetime):
        raise fail(f"a date-time with a timezone, {example}")
    if value.utcoffset() is None:
        raise fail(f"a date-time with a timezone (add Z for UTC or an offset), {example}")
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is in year 0 in UTC
        raise fail(f"a date-time in {_TIME_GRID}") from None
    if not GRID_FIRST_UTC <= value <= GRID_END_UTC:
        raise fail(f"a date-time in {_TIME_GRID}")
    return value


# ----------------------------------------------------------------------------------------------
# Input files (found and read by lifeline.config.load before validation)
# ----------------------------------------------------------------------------------------------

#: Key of the validation context holding what the loader found for the input files: absolute
#: paths under ``"constellation.tle_file"``, ``"constellation.hypatia_tle_file"`` and
#: ``"network.isl_file"``, and ``(lat_deg, lon_deg)`` tuples under ``"geojson:<value>"``.
FILES = "files"


def from_loader(info: ValidationInfo, key: str, field: str) -> Any:
    """What the loader found for an input file (see :data:`FILES`)."""
    found = ((info.context or {}).get(FILES) or {}).get(key)
    if found is None:
        raise fail(
            "an input file found by the loader: validate scenarios with "
            "lifeline.config.scenario_from_dict or load_scenario",
            loc=(field,),
        )
    return found



# ----------------------------------------------------------------------------------------------
# Annotated types
# ----------------------------------------------------------------------------------------------

Name = Annotated[str, PlainValidator(name)]
UtcDatetime = Annotated[datetime, PlainValidator(utc_datetime)]
Latitude = Annotated[float, number(-90, 90)]
Longitude = Annotated[float, number(-180, 180)]
AltitudeM = Annotated[float, number(*SITE_ALT_M_RANGE)]
ElevationDeg = Annotated[float, number(0, 90)]
PositiveFloat = Annotated[float, number(0, lo_open=True)]
NonNegativeFloat = Annotated[float, number(0)]
