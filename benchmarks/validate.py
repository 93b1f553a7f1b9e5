"""lifeline against measurements: runs the validation scenarios and writes docs/validation.md.

    python benchmarks/validate.py                      # every topic, rewrites docs/validation.md
    python benchmarks/validate.py --topic rtt --out -  # one topic, Markdown to stdout

Each topic is a module in ``benchmarks/validation/`` (listed in :data:`TOPICS`) with a function
``rows(runs: Runs) -> list[Row]``, a ``TITLE``, an ``INTRO`` and optional ``NOTES`` (Markdown
under its table); its scenarios are TOML files in the same folder, run once
each through :class:`Runs` (shared between topics). A topic adds rows by adding a module to
the list. Every row gives the measured value, lifeline's, the difference, a check where the
source publishes a range or a bound (``pass`` / ``FAIL``; ``info`` where it only informs), why
they differ, and the measurement's source (an anchor of docs/references.md). The command exits
with status 1 if any check fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "validation"
sys.path.insert(0, str(ROOT))

#: Topic modules in benchmarks/validation/, in the order their tables appear.
TOPICS = ["rtt", "throughput"]


@dataclass
class Row:
    """One comparison with a measurement.

    ``check``: ``"pass"`` or ``"FAIL"`` where the measurement gives a range or bound lifeline
    must meet, ``"calibration"`` where lifeline's parameter was fitted to this very number
    (so it is not evidence), ``"info"`` otherwise.
    """

    case: str
    quantity: str
    measured: str
    lifeline: str
    difference: str
    check: str
    why: str
    source: str


class Runs:
    """Runs each validation scenario once (in memory) and keeps the result."""

    def __init__(self) -> None:
        self._runs: dict[str, object] = {}
        self.wall_s: dict[str, float] = {}

    def get(self, scenario: str):
        """The :class:`lifeline.api.RunResult` of ``benchmarks/validation/<scenario>.toml``
        (or of a preset name)."""
        if scenario not in self._runs:
            from lifeline.api import run
            from lifeline.config import load_scenario

            path = HERE / f"{scenario}.toml"
            spec = path if path.exists() else scenario
            t0 = time.perf_counter()
            self._runs[scenario] = run(load_scenario(spec))
            self.wall_s[scenario] = time.perf_counter() - t0
        return self._runs[scenario]


def load_topic(name: str) -> ModuleType:
    """The topic module ``benchmarks/validation/<name>.py``."""
    spec = importlib.util.spec_from_file_location(f"validation_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def markdown(tables: dict[str, tuple[str, list[Row], str]], runs: Runs) -> str:
    """docs/validation.md: one table per topic, then the run times."""
    out = [
        "# Validation against measurements",
        "",
        "Written by `python benchmarks/validate.py` (do not edit by hand). Each row compares a",
        "published measurement with what lifeline computes for the same place, time and end",
        "point; the scenarios are in `benchmarks/validation/`. `check`: **pass**/**FAIL** where",
        "the source gives a range or bound lifeline must meet, *calibration* where a lifeline",
        "default was fitted to that number (so it is not evidence), *info* otherwise.",
        "",
    ]
    for title, (intro, rows, notes) in tables.items():
        out += [f"## {title}", "", intro, ""]
        out += [
            "| case | quantity | measured | lifeline | difference | check | why | source |",
            "|---|---|---|---|---|---|---|---|",
        ]
        out += [
            f"| {r.case} | {r.quantity} | {r.measured} | {r.lifeline} | {r.difference} | "
            f"{'**' + r.check + '**' if r.check in ('pass', 'FAIL') else '*' + r.check + '*'} "
            f"| {r.why} | {r.source} |"
            for r in rows
        ]
        out += ["", notes, ""] if notes else [""]
    out += ["## Runs", "", "| scenario | wall time [s] |", "|---|---|"]
    out += [f"| {name} | {wall:.1f} |" for name, wall in runs.wall_s.items()]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topic", action="append", choices=TOPICS, help="default: all")
    parser.add_argument("--out", default=str(ROOT / "docs" / "validation.md"), help="- = stdout")
    args = parser.parse_args(argv)
    runs = Runs()
    tables = {}
    for name in args.topic or TOPICS:
        module = load_topic(name)
        tables[module.TITLE] = (module.INTRO, module.rows(runs), getattr(module, "NOTES", ""))
    text = markdown(tables, runs)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    failed = [r for _, rows, _ in tables.values() for r in rows if r.check == "FAIL"]
    for r in failed:
        print(f"FAIL: {r.case}: {r.quantity}: measured {r.measured}, lifeline {r.lifeline}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
