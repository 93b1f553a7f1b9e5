"""How deeply a TOML or JSON document nests, checked without recursion.

Python's ``tomllib`` and ``json`` parse nested arrays and tables recursively, so a file of a few
kilobytes (``x = [[[[...]]]]`` a thousand deep) ends in a ``RecursionError``; a few hundred
levels parse but break code that walks the result (validation, messages, merging). And
``tomllib`` keeps every prefix of a dotted key, so ``a.a.a...`` with 20,000 parts takes 1.5 GB
and 16 s. The readers catch the first, and refuse the others with these checks.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lifeline.errors import InputFileError

__all__ = [
    "MAX_DEPTH",
    "MAX_KEY_PARTS",
    "deep_path",
    "describe_path",
    "first_deep_line",
    "long_dotted_key",
    "parse_json",
]

#: Most levels of arrays and tables (objects) a scenario, sweep, GeoJSON or summary file may
#: nest (an assumption: lifeline's own files nest at most 5, a GeoJSON MultiPolygon 5).
MAX_DEPTH = 64
#: Most parts of one dotted key (``a.b.c`` has 3; an assumption, like :data:`MAX_DEPTH`).
MAX_KEY_PARTS = 64

# One part of a TOML key: bare, "basic" or 'literal' (TOML 1.0, "Keys").
_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_LONG_KEY = re.compile(rf"(?:{_PART}[ \t]*\.[ \t]*){{{MAX_KEY_PARTS}}}")


def deep_path(data: Any, limit: int = MAX_DEPTH) -> tuple[str | int, ...] | None:
    """The path (keys and indices) to the first value nested deeper than `limit`, or None.

    The top-level table or array is level 1. Walks with an explicit stack, so any depth the
    parser produced is safe to check.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            children: Any = value.items()
        elif isinstance(value, list | tuple):
            children = enumerate(value)
        else:
            continue
        if len(path) >= limit:
            return path
        stack.extend((child, (*path, key)) for key, child in children)
    return None


def long_dotted_key(text: str, limit: int = MAX_KEY_PARTS) -> int | None:
    """1-based line of the first dotted key with more than `limit` parts, or None.

    A run of dotted parts inside a string counts too (a string of 64 dotted words is as unlikely
    in a scenario as such a key).
    """
    if limit != MAX_KEY_PARTS:
        pattern = re.compile(rf"(?:{_PART}[ \t]*\.[ \t]*){{{limit}}}")
    else:
        pattern = _LONG_KEY
    match = pattern.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def first_deep_line(text: str, limit: int = MAX_DEPTH) -> int:
    """1-based line where brackets (``[``/``{`` less ``]``/``}``) first nest deeper than `limit`.

    Only to point at the spot once a parser has failed on the depth: brackets inside strings
    count too, which a parser would not do. 0 if no line is that deep.
    """
    depth = 0
    for number, line in enumerate(text.split("\n"), start=1):
        for char in line:
            if char in "[{":
                depth += 1
                if depth > limit:
                    return number
            elif char in "]}":
                depth -= 1
    return 0


def describe_path(path: tuple[str | int, ...], shown: int = 4) -> str:
    """``x[0][0]…`` for the first `shown` parts of a path (the rest is cut)."""
    out = ""
    for part in path[:shown]:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out + ("…" if len(path) > shown else "")


def parse_json(text: str, file: str, what: str = "valid JSON") -> Any:
    """``json.loads(text)``, with a located :class:`InputFileError` for bad or too deep JSON.

    Parameters
    ----------
    text : the file's text; file : its name for messages.
    what : what the file should be (ends the message of a syntax error).

    Raises
    ------
    InputFileError
        Not JSON (with its line), or arrays/objects nested deeper than :data:`MAX_DEPTH`.
    """
    too_deep = f"at most {MAX_DEPTH} levels of nested arrays and objects"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputFileError(file, err.lineno, err.msg, what) from None
    except RecursionError:  # the decoder recurses per level
        raise InputFileError(
            file,
            first_deep_line(text),
            "arrays or objects nested hundreds of levels deep",
            too_deep,
            column="nesting",
        ) from None
    path = deep_path(data)
    if path is not None:
        raise InputFileError(
            file,
            0,
            f"nested more than {MAX_DEPTH} levels deep",
            too_deep,
            column=describe_path(path) or "nesting",
        )
    return data
