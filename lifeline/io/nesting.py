"""Refuse deeply nested TOML and JSON before parsing: Python's parsers recurse per level, so
``[[[[...]]]]`` thousands deep ended in a RecursionError traceback (and a few hundred levels
that parse still break code that walks the result)."""

from __future__ import annotations

import re

from lifeline.errors import InputFileError

__all__ = ["MAX_NESTING", "check_nesting"]

#: Most levels of nested arrays and tables a scenario, sweep or GeoJSON file may use (an
#: assumption: lifeline's own files use at most 4; GeoJSON coordinates of a MultiPolygon 4).
MAX_NESTING = 64

# Strings and comments are skipped whole (brackets inside them do not nest); what is left that
# matters is an opening or closing bracket, and newlines for line numbers.
_JSON_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"?|[\[\]{}]|\n')
_TOML_TOKENS = re.compile(
    r'"""[\s\S]*?(?:"""|$)|\'\'\'[\s\S]*?(?:\'\'\'|$)|"(?:[^"\\\n]|\\.)*"?|\'[^\'\n]*\'?'
    r"|#[^\n]*|[\[\]{}]|\n"
)


def check_nesting(text: str, file: str, kind: str = "json", limit: int = MAX_NESTING) -> None:
    """Raise :class:`InputFileError` (file, line) if brackets nest deeper than ``limit``.

    Parameters
    ----------
    text : the file's text; file : its name for the message.
    kind : ``"json"`` or ``"toml"`` (which strings and comments to skip).
    """
    pattern = _TOML_TOKENS if kind == "toml" else _JSON_TOKENS
    depth = 0
    line = 1
    for match in pattern.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                raise InputFileError(
                    file,
                    line,
                    f"more than {limit} levels",
                    f"at most {limit} levels of nested arrays and tables",
                    column="nesting",
                )
        elif token in "]}":
            depth = max(0, depth - 1)
        else:
            line += token.count("\n")
