"""A run folder's ``summary.json``, checked before ``report`` or ``compare`` use it.

``summary.json`` is written by :func:`lifeline.run`, but a folder may hold anything: an old or
hand-edited file, a truncated one, another program's. Every value ``report`` and ``compare``
read is checked for its type here, so a bad file is one located error instead of a
``TypeError`` deep in the table code.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

from lifeline.errors import InputFileError, excerpt
from lifeline.io.nesting import check_nesting

__all__ = ["check_summary", "read_summary_file"]

_ALLOWED = "the output folder of `lifeline run` (with a summary.json)"

# Per-terminal figures: (kind, may be null). "number" is a finite int or float (not a bool).
_TERMINAL_FIGURES = {
    "availability_pct": ("number", False),
    "rtt_ms_p5": ("number", True),
    "rtt_ms_p50": ("number", True),
    "rtt_ms_p95": ("number", True),
    "handovers": ("number", False),
    "outages": ("number", False),
    "longest_outage_s": ("number", False),
    "throughput_mbps_p5": ("number", True),
    "throughput_mbps_p50": ("number", True),
    "demand_mbps": ("number", True),
    "demand_served_pct": ("number", True),
    "time_to_first_service_s": ("number", True),
    "obstructed_pct": ("number", False),
    "outage_s_by_reason": ("object", False),
}
_RUN_FIELDS = {
    "scenario": ("text", False),
    "start_utc": ("time", False),
    "end_utc": ("time", False),
    "step_s": ("positive", False),
    "n_steps": ("number", False),
    "n_satellites": ("number", False),
    "isl": ("bool", False),
    "events": ("list", True),
}


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _kind_ok(kind: str, v: Any) -> bool:
    if kind == "number":
        return _is_number(v)
    if kind == "positive":
        return _is_number(v) and v > 0
    if kind == "text":
        return isinstance(v, str)
    if kind == "bool":
        return isinstance(v, bool)
    if kind == "list":
        return isinstance(v, list)
    if kind == "object":
        return isinstance(v, dict)
    if kind == "time":
        try:
            datetime.fromisoformat(v)
        except (TypeError, ValueError):
            return False
        return True
    raise ValueError(kind)


_WHAT = {
    "number": "a finite number",
    "positive": "a number > 0",
    "text": "a string",
    "bool": "true or false",
    "list": "a list",
    "object": "an object",
    "time": "an ISO 8601 time",
}


def check_summary(data: Any, path: str) -> dict:
    """``data`` if it has the shape of a lifeline summary; otherwise a located error.

    Only the fields present are checked (older summaries lack some), except ``terminals``.

    Raises
    ------
    InputFileError
        Naming the file, the field (``terminals.Kyiv.rtt_ms_p50``), the value and what it
        should be.
    """
    if not isinstance(data, dict):
        raise InputFileError(
            path, 0, type(data).__name__, f"an object with one; {_ALLOWED}", column="terminals"
        )
    terminals = data.get("terminals")
    if not isinstance(terminals, dict):
        raise InputFileError(path, 0, terminals, _ALLOWED, column="terminals")
    for key, (kind, nullable) in _RUN_FIELDS.items():
        if key in data and not (data[key] is None and nullable) and not _kind_ok(kind, data[key]):
            raise InputFileError(path, 0, data[key], _WHAT[kind], column=key)
    for name, figures in terminals.items():
        where = f"terminals.{excerpt(name, 40)[1:-1]}"
        if not isinstance(figures, dict):
            raise InputFileError(path, 0, figures, "an object of figures", column=where)
        for key, (kind, nullable) in _TERMINAL_FIGURES.items():
            if key not in figures or (figures[key] is None and nullable):
                continue
            if not _kind_ok(kind, figures[key]):
                what = _WHAT[kind] + (" or null" if nullable else "")
                raise InputFileError(path, 0, figures[key], what, column=f"{where}.{key}")
    return data


def read_summary_file(path: str | Path) -> dict:
    """Read and check a ``summary.json`` (see :func:`check_summary`).

    Raises
    ------
    InputFileError
        Missing, unreadable, not JSON (with its line), nested too deep, or not a summary.
    """
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(file, 0, "missing", _ALLOWED) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(file, 0, str(exc), f"a readable UTF-8 JSON file; {_ALLOWED}") from None
    check_nesting(text, file, "json")
    try:
        # NaN and Infinity are not JSON (lifeline writes with allow_nan=False).
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputFileError(file, exc.lineno, exc.msg, f"valid JSON; {_ALLOWED}") from None
    except ValueError as exc:
        raise InputFileError(file, 0, str(exc), f"valid JSON; {_ALLOWED}") from None
    return check_summary(data, file)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
