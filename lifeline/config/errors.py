"""pydantic validation errors → located :class:`~lifeline.errors.ScenarioError`.

One translation for every scenario model (scenario, events, radio, sweep): each problem names
the file, the field path (``terminals[2].lat_deg``, ``sweep.rain.rate_mm_h``), the bad value and
what is allowed. Several problems become one :class:`ScenarioValidationError` listing them all.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime, time
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from lifeline.config.events import EVENT_MODELS
from lifeline.config.fields import ERROR_TYPE, did_you_mean
from lifeline.errors import ScenarioError

__all__ = ["ScenarioValidationError", "format_loc", "to_scenario_error"]


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
    "regions": "sweep.regions",
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


def format_loc(loc: tuple[str | int, ...]) -> str:
    """``("terminals", 2, "lat_deg")`` → ``"terminals[2].lat_deg"``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _model_at(
    root: type[BaseModel], loc: tuple[str | int, ...], tags: Collection[str]
) -> type[BaseModel] | None:
    """The model class found at `loc` inside `root` (None if not a model)."""
    model: type[BaseModel] | None = root
    for part in loc:
        if part in EVENT_MODELS:  # the tag of an [[events]] entry says which model it is
            model = EVENT_MODELS[str(part)]
            continue
        if isinstance(part, int) or part in tags:
            continue
        assert model is not None
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        if part not in fields:
            return None
        model = _inner_model(fields[part].annotation)
        if model is None:
            return None
    return model


def _allowed_for(
    err: dict[str, Any], loc: tuple[str | int, ...], root: type[BaseModel], tags: Collection[str]
) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == ERROR_TYPE:
        return str(ctx["allowed"])
    if kind == "missing":
        return _MISSING_HINTS.get(str(loc[-1]), "required") if len(loc) == 1 else "required"
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1], tags)
        keys = [f.alias or n for n, f in model.model_fields.items()] if model else []
        key = str(loc[-1])
        hint = did_you_mean(key, keys)
        return f"unknown key {key!r}" + (hint or f"; allowed keys: {', '.join(keys)}")
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        value = err.get("input")
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        return f"one of: {', '.join(repr(c) for c in choices)}{hint}"
    if kind in ("union_tag_invalid", "union_tag_not_found") and "events" in loc:
        return f"an event with kind = one of: {', '.join(EVENT_MODELS)}"
    if kind in ("tuple_type", "list_type") and loc and loc[-1] in _TABLE_ARRAYS:
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


def to_scenario_error(
    exc: ValidationError,
    source: str,
    root: type[BaseModel],
    *,
    prefix: tuple[str, ...] = (),
    tags: Collection[str] = (),
) -> ScenarioError:
    """The located error(s) of a failed validation of `root`.

    Parameters
    ----------
    exc : pydantic.ValidationError
    source : str
        The file (or preset) validated, named in the message.
    root : pydantic model class
        The model that was validated (for the keys an unknown key is compared with).
    prefix : tuple of str
        Field path of `root` in the file (``("sweep",)`` for the ``[sweep]`` table).
    tags : collection of str
        Discriminator tags to drop from locations (``pairs[1].src``, not
        ``pairs.tables[1].src``).
    """
    problems = []
    for err in exc.errors(include_url=False):
        ctx = err.get("ctx") or {}
        full = tuple(err["loc"]) + tuple(ctx.get("loc", ()))
        loc = tuple(p for p in full if p not in tags)
        value = ctx["value"] if "value" in ctx else err.get("input")
        if err["type"] == "missing":
            value = None
        problems.append(
            ScenarioError(
                source,
                format_loc((*prefix, *loc)),
                _display(value),
                _allowed_for(err, full, root, tags),
            )
        )
    return problems[0] if len(problems) == 1 else ScenarioValidationError(problems)
