"""Errors lifeline raises for bad input.

Every error names where the problem is (file, field path or line), the bad value and what
is allowed, and carries those as attributes so callers (the CLI, tests) need not parse text.
"""

from __future__ import annotations

#: Longest quotation of a data file's text in an error message [characters]: enough to
#: recognise a line, too little to echo a file named by mistake (a key, a password file; an
#: assumption).
EXCERPT_CHARS = 40
#: Longest quotation of a scenario value (the user's own TOML: paths, names) [characters] (an
#: assumption: a long path fits).
VALUE_CHARS = 200


def printable(text: object, limit: int | None = None) -> str:
    """``text`` with every non-printable character (ANSI escapes, other controls, bidi
    overrides) shown as its ``\\x..``/``\\u....`` escape, optionally cut to ``limit``
    characters with "…": safe to print to a terminal, unlike the raw string."""
    text = str(text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """A short, printable quotation of ``value`` for an error message.

    ``repr`` (so control and escape characters show as ``\\x1b`` and never reach the terminal
    raw), cut to ``limit`` characters with "…". Text holding a NUL is a binary file (or
    ``/proc/self/environ``): it is described, never quoted.
    """
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, str) and "\x00" in value:
        return f"<{len(value)} characters of binary data (NUL at column {value.index(chr(0)) + 1})>"
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "…"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


class LifelineError(Exception):
    """Base class of every error caused by user input (exit code 2 in the CLI)."""


class ScenarioError(LifelineError):
    """A scenario file (or preset) is invalid.

    Attributes
    ----------
    file : str
        The scenario file or preset name.
    field : str
        Dotted field path, e.g. ``terminals[2].lat_deg`` ("" for the whole file).
    value : object
        The offending value (``None`` when missing).
    allowed : str
        What would have been accepted.
    """

    def __init__(self, file: str, field: str, value: object, allowed: str) -> None:
        self.file = file
        self.field = field
        self.value = value
        self.allowed = allowed
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where} = {excerpt(value, VALUE_CHARS)}: {allowed}")


class TLEError(LifelineError):
    """A TLE/3LE file is malformed.

    Attributes
    ----------
    file : str
    line : int
        1-based line number of the offending line (0 when the whole file is at fault).
    reason : str
    """

    def __init__(self, file: str, line: int, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {reason}")


class InputFileError(LifelineError):
    """A line of a data file (site CSV, Hypatia network file) is malformed.

    Attributes
    ----------
    file : str
    line : int
        1-based line number (0 when the whole file is at fault).
    value : object
        The offending text or value.
    allowed : str
        What would have been accepted.
    column : str
        The column or field at fault ("" when it is the whole line).
    """

    def __init__(
        self, file: str, line: int, value: object, allowed: str, *, column: str = ""
    ) -> None:
        self.file = file
        self.line = line
        self.value = value
        self.allowed = allowed
        self.column = column
        where = f"{file}:{line}" if line else file
        what = f"{column} = {excerpt(value)}" if column else excerpt(value)
        super().__init__(f"{where}: {what}: {allowed}")
