"""User strings on the terminal: always text, never Rich markup or raw escape codes.

Names come from scenario files, CSVs and folders: a site called ``[/]`` would crash Rich's
markup parser and one holding ``\\x1b[2J`` would clear the screen. Every table cell, title and
message built from them goes through :func:`cell` (or :func:`say` for a line).
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from lifeline.errors import printable


def cell(value: object, style: str = "") -> Text:
    """``value`` as a Rich ``Text``: printed as it is (never parsed as markup), with control
    characters shown as escapes."""
    return Text(printable(value), style=style)


def say(console: Console, *parts: object, style: str = "") -> None:
    """Print the parts as one line of plain text (no markup, no highlighting, no wrapping)."""
    console.print(
        cell("".join(str(p) for p in parts), style=style), highlight=False, soft_wrap=True
    )
