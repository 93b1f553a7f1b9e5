"""The ``lifeline`` command line (entry point ``lifeline.cli:app``).

Importing the command modules registers their commands on the one typer ``app``.
"""

from lifeline.cli import compare, data, new, pairs, plan, report, run, sweep
from lifeline.cli.app import DEFAULT_PRESET, app

__all__ = [
    "DEFAULT_PRESET",
    "app",
    "compare",
    "data",
    "new",
    "pairs",
    "plan",
    "report",
    "run",
    "sweep",
]
