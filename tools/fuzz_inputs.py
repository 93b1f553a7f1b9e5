"""Fuzz lifeline's input handling: mutate a tiny valid scenario and TLE file, run the CLI.

The rule being checked: bad input gets one clear error naming the file, the
field or line, the value and what is allowed, with exit code 2; a crash or a traceback for
user input is a bug. Each case starts from ``tests/data/tiny.toml`` and ``tests/data/tiny.tle``
(5 satellites, 12 steps: a whole run takes ~0.05 s), applies 1-3 random mutations (delete,
duplicate or swap lines; replace a value by another type, NaN, inf, a negative or huge number;
flip a character; truncate; insert unknown keys; change TLE digits with or without fixing the
checksum; empty files), then runs ``lifeline validate`` and, when that passes, ``lifeline run
--quiet --out DIR`` in-process with typer's ``CliRunner``.

Every result must be exit 0 or exit 2 (2 only from a ``LifelineError``, with "error:", the
file's name and no "Traceback" in the output); a run that exits 0 must leave a parseable
``summary.json`` and print nothing on stdout with ``--quiet``. Anything else is a failure; the
first few are saved with their inputs, the output and the traceback for reproduction.

A second surface, ``--surface schema``, covers the whole scenario schema: it mutates
``tests/data/tiny-schema.toml`` (which extends tiny.toml and sets every ``[[events]]`` kind,
``[radio]``, ``[[rain]]``, ``[[jammers]]``, moving and powered terminals and a ``[sweep]`` table)
with the same scenario mutators, loads it with :func:`lifeline.config.load_sweep` (which
validates the scenario, the ``[sweep]`` table and every grid point) and draws two samples
(:func:`lifeline.sweep.plan_samples`, which validates each variant). Anything but a loaded sweep
or a :class:`~lifeline.errors.LifelineError` is a failure. It runs no engine, so it is fast.

A third surface, ``--surface hostile`` (:mod:`fuzz_hostile`), replays the attacks that broke
lifeline once: output paths, event times, shell sizes, nesting depth, encodings, names with
markup and escapes, candidate CSVs, malformed run folders, sweep seeds and scheduler addresses
(only servers it starts on 127.0.0.1), each case under a watchdog.

The mutation engine (:func:`mutate`) and the checks (:func:`run_case`, :func:`run_schema_case`)
are shared with ``tests/integration/test_fuzz.py``, which drives them from hypothesis.

Usage::

    python tools/fuzz_inputs.py                     # 10,000 cases, seed 0
    python tools/fuzz_inputs.py --cases 500 --seed 7
    python tools/fuzz_inputs.py --seed 7 --case 123 # re-run one case and show it
    python tools/fuzz_inputs.py --surface schema    # 10,000 schema cases (events, radio, sweep)
    python tools/fuzz_inputs.py --surface hostile   # 10,000 attacks (see tools/fuzz_hostile.py)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner, Result

from lifeline.cli import app
from lifeline.errors import LifelineError

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data"
SCENARIO_NAME = "tiny.toml"
TLE_NAME = "tiny.tle"
SCHEMA_NAME = "tiny-schema.toml"

#: Runs bigger than this are skipped (a mutated value can ask for years at 1 s); validation
#: still runs on them.
MAX_STEPS = 720
MAX_PROPAGATION_SAMPLES = 720
MAX_SITES = 100
#: Extra ``lifeline run`` options: one worker keeps the run in this process.
RUN_OPTIONS = ("--workers", "1")
#: A case taking longer than this is a failure (a hang), not a slow success.
CASE_TIMEOUT_S = 60.0

# Files are handled as str; a raw non-UTF-8 byte is a lone surrogate (surrogateescape).
_ENCODING = {"encoding": "utf-8", "errors": "surrogateescape"}
RAW_BYTE = b"\xff".decode("utf-8", "surrogateescape")


# ----------------------------------------------------------------------------------------------
# Cases and mutators
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A scenario file and the TLE file it names, and how they were made."""

    scenario: str
    tle: str
    mutations: tuple[str, ...] = ()

    def write(self, folder: Path) -> Path:
        """Write both files into `folder` (fixture names); return the scenario's path."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / SCENARIO_NAME).write_bytes(self.scenario.encode(**_ENCODING))
        (folder / TLE_NAME).write_bytes(self.tle.encode(**_ENCODING))
        return folder / SCENARIO_NAME


def base_case() -> Case:
    """The valid fixture, unchanged."""
    return Case(
        (FIXTURES / SCENARIO_NAME).read_text(encoding="utf-8"),
        (FIXTURES / TLE_NAME).read_text(encoding="ascii"),
    )


def schema_case() -> Case:
    """The valid schema fixture (``tiny-schema.toml``; the TLE is the one tiny.toml names)."""
    return Case(
        (FIXTURES / SCHEMA_NAME).read_text(encoding="utf-8"),
        (FIXTURES / TLE_NAME).read_text(encoding="ascii"),
    )


Mutator = Callable[[random.Random, str], tuple[str, str]]

#: Replacement values for ``key = value`` lines: other types, non-finite, negative, huge, tiny,
#: dates that are out of range or lack a timezone, and strings that name odd files.
VALUES = (
    "nan",
    "+nan",
    "inf",
    "-inf",
    "1e400",
    "-1",
    "-1e9",
    "0",
    "0.0",
    "-0.0",
    "5e-324",
    "1e-9",
    "1e308",
    "-1e308",
    "123",
    "-123",
    "1e9",
    "9" * 20,
    "9" * 400,
    "true",
    "false",
    '"text"',
    '""',
    '" "',
    '"nan"',
    '"12"',
    "[1, 2]",
    "[]",
    "[150.0, 2000.0]",
    "[2000, 150]",
    "[nan, inf]",
    "{a = 1}",
    "{}",
    "2022-08-17T12:00:00Z",
    "2022-08-17T12:00:00",
    "2022-08-17",
    "12:00:00",
    "2022-08-17T12:02:00+03:00",
    "1900-01-01T00:00:00Z",
    "1000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:59:59Z",
    "2262-04-12T00:00:00Z",
    "2057-01-01T00:00:00Z",
    '"99999-01-01T00:00:00Z"',
    '"9999-12-31T23:59:59-01:00"',
    "1" + "0" * 400,
    "-" + "1" + "0" * 400,
    "[1" + "0" * 400 + ", 2]",
    "[0.0, 1e400]",
    "[1, 2, 3]",
    "[[1, 2], [3, 4]]",
    '["Muallim", "Muallim"]',
    '["nope"]',
    "[44235, -1]",
    '"builtin:nope"',
    '"builtin:starlink-2021-11-17"',
    '"missing.tle"',
    '"."',
    '"/"',
    '"tiny.toml"',
    '"2022-049"',
    '"1950-001"',
    '"2022-000"',
    '"max_elevation"',
    '"starlink-gen1"',
    '"Frankfurt"',
    '"\\u0000"',
    '"\\u00e9\\u4e2d"',
)

#: Lines to insert anywhere: unknown keys and tables, duplicate keys, and known keys that are
#: legal only in some tables or conflict with others.
INSERTS = (
    "bogus = 1",
    "Lat_deg = 1.0",
    "[bogus]",
    "[[bogus]]",
    "[time.bogus]",
    "lat_deg = 1.0",
    'name = "dup"',
    "[[terminals]]",
    "[[gateways]]",
    "[[pops]]",
    "[network]",
    "[time]",
    "[[constellation.shells]]",
    "isl = true",
    "isl_max_range_km = 500.0",
    "processing_delay_ms = 1e6",
    "max_satellites = 1",
    "live = false",
    'pop = "Frankfurt"',
    'pop = "Frankfrt"',
    'launched_by = "2022-049"',
    'launched_by = "2020-001"',
    "end_utc = 2022-08-17T12:02:00Z",
    "epoch_utc = 2022-08-17T12:00:00Z",
    'preset = "starlink-gen1"',
    "shells = []",
    "altitude_band_km = [500.0, 510.0]",
    'serving_policy = "nearest"',
    "min_elevation_deg = 90",
    'extends = "mariupol-2022"',
    'extends = "tiny.toml"',
    'extends = "nope"',
    "extends = 3",
    "description = 3",
    '"quoted key" = 1',
    "a.b.c = 1",
    "x = [",
    'x = "unterminated',
    "=",
    "[",
    "\t",
    RAW_BYTE,
    # Schema surface (tiny-schema.toml): tables and keys of events, radio, rain, jammers, sweep.
    "[[events]]",
    'kind = "ground_loss"',
    'kind = "satellite_failure"',
    'kind = "meteor"',
    "radius_km = " + "1" + "0" * 400,
    "fraction = 0.5",
    "seed = 1",
    "start_s = 1e308",
    "end_utc = 9999-12-31T23:59:59Z",
    "[radio]",
    'antenna_pattern = "S.580"',
    "enabled = false",
    "[[rain]]",
    "[[jammers]]",
    "[[jammers.windows]]",
    'target = "uplink"',
    "[sweep]",
    "[sweep.grid]",
    '"time.step_s" = [1e400]',
    '"terminals[9].alt_m" = [1.0]',
    '"nope..x" = [1]',
    "[[sweep.regions]]",
    "probability = 2",
    "lost = [3, 1]",
    "count = 0",
    "[terminals.path]",
    'geojson = "missing.geojson"',
    "[[terminals.waypoints]]",
    "[terminals.power]",
    'pairs = "all"',
    "[[pairs]]",
    "src = 0",
    "dst = " + "9" * 30,
)

_FLIP_CHARS = " -+.0123456789eE:\"'[]{}=#\t\n\r\x00\x7fZ\u00e9\u200b" + RAW_BYTE
_KEY_VALUE = re.compile(r"^(\s*[A-Za-z0-9_.\"-]+\s*=\s*)(.+?)(\s*(#.*)?)$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$")


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _pick_line(rng: random.Random, lines: list[str]) -> int:
    return rng.randrange(len(lines)) if lines else 0


def delete_line(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    i = _pick_line(rng, lines)
    gone = lines.pop(i) if lines else ""
    return "\n".join(lines), f"delete line {i + 1} ({gone!r})"


def duplicate_line(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    i = _pick_line(rng, lines)
    lines.insert(i, lines[i])
    return "\n".join(lines), f"duplicate line {i + 1} ({lines[i]!r})"


def swap_lines(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    i, j = _pick_line(rng, lines), _pick_line(rng, lines)
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines), f"swap lines {i + 1} and {j + 1}"


def flip_char(rng: random.Random, text: str) -> tuple[str, str]:
    if not text:
        return text, "flip nothing (empty)"
    i = rng.randrange(len(text))
    c = rng.choice(_FLIP_CHARS)
    return text[:i] + c + text[i + 1 :], f"character {i} {text[i]!r} -> {c!r}"


def delete_char(rng: random.Random, text: str) -> tuple[str, str]:
    if not text:
        return text, "delete nothing (empty)"
    i = rng.randrange(len(text))
    return text[:i] + text[i + 1 :], f"delete character {i} ({text[i]!r})"


def truncate_file(rng: random.Random, text: str) -> tuple[str, str]:
    n = rng.randrange(len(text) + 1)
    return text[:n], f"truncate to {n} characters"


def empty_file(rng: random.Random, text: str) -> tuple[str, str]:
    return rng.choice(["", "\n", "   \n\n", "\x00"]), "empty file"


def crlf(rng: random.Random, text: str) -> tuple[str, str]:
    return text.replace("\n", "\r\n"), "CRLF line ends"


def replace_value(rng: random.Random, text: str) -> tuple[str, str]:
    """``key = value`` -> ``key = <something from VALUES>``."""
    lines = _lines(text)
    candidates = [i for i, line in enumerate(lines) if _KEY_VALUE.match(line)]
    if not candidates:
        return flip_char(rng, text)
    i = rng.choice(candidates)
    match = _KEY_VALUE.match(lines[i])
    assert match is not None
    new = rng.choice(VALUES)
    lines[i] = match.group(1) + new
    return "\n".join(lines), f"line {i + 1}: {match.group(1).strip()} {new}"


def perturb_number(rng: random.Random, text: str) -> tuple[str, str]:
    """Scale or shift a number in a plausible way (reaches code past validation)."""
    lines = _lines(text)
    numeric = []
    for i, line in enumerate(lines):
        match = _KEY_VALUE.match(line)
        if match and _NUMBER.match(match.group(2)):
            numeric.append((i, match))
    if not numeric:
        return replace_value(rng, text)
    i, match = rng.choice(numeric)
    old = float(match.group(2))
    op = rng.choice(["scale", "shift", "negate", "integer", "round"])
    if op == "scale":
        new = old * rng.choice([0.1, 0.5, 1.5, 2.0, 3.0, 10.0])
    elif op == "shift":
        new = old + rng.choice([-100.0, -10.0, -1.0, -0.5, 0.5, 1.0, 7.0, 10.0, 90.0])
    elif op == "negate":
        new = -old
    elif op == "integer":
        new = float(rng.randrange(-200, 200))
    else:
        new = float(round(old))
    shown = repr(new) if math.isfinite(new) else "nan"
    lines[i] = match.group(1) + shown
    return "\n".join(lines), f"line {i + 1}: {match.group(1).strip()} {shown}"


def insert_line(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    i = rng.randrange(len(lines) + 1)
    new = rng.choice(INSERTS)
    lines.insert(i, new)
    return "\n".join(lines), f"insert at line {i + 1}: {new!r}"


# TLE lines are fixed-column (CelesTrak, "FAQs: Two-Line Element Set Format"): 1-based
# inclusive columns of fields, and same-width values that are legal in form but extreme.
_TLE_FIELDS = {
    "1": (
        ((3, 7), ["00000", "99999", "A0000", "Z9999", "    1"]),
        ((19, 20), ["57", "56", "00", "99"]),
        ((21, 32), ["000.00000000", "366.99999999", "999.99999999", "001.00000000"]),
        ((34, 43), [" .99999999", "-.99999999", " .00000000"]),
        ((45, 52), [" 99999+9", "-99999-9", " 00000-0"]),
        ((54, 61), [" 99999+9", "-99999+9", " 00000-0", " 99999-1"]),
    ),
    "2": (
        ((3, 7), ["00000", "99999", "A0000"]),
        ((9, 16), ["180.0000", "999.9999", "  0.0000", "-53.0000"]),
        ((18, 25), ["360.0000", "999.9999"]),
        ((27, 33), ["9999999", "0000000", "5000000"]),
        ((35, 42), ["999.9999", "  0.0000"]),
        ((44, 51), ["999.9999", "-10.0000"]),
        ((53, 63), ["00.00000000", " 0.00000001", "99.99999999", " 1.00000000", "16.50000000"]),
    ),
}


def tle_checksum(line: str) -> int:
    """Modulo-10 checksum of columns 1-68: digits count their value, '-' counts 1."""
    return (sum(int(c) for c in line[:68] if c.isdigit()) + line[:68].count("-")) % 10


def fix_checksum(line: str) -> str:
    return line[:68] + str(tle_checksum(line)) if len(line) >= 69 else line


def _tle_line(rng: random.Random, lines: list[str]) -> int | None:
    candidates = [i for i, line in enumerate(lines) if line[:2] in ("1 ", "2 ")]
    return rng.choice(candidates) if candidates else None


def change_digit(rng: random.Random, text: str, fix: bool = False) -> tuple[str, str]:
    lines = _lines(text)
    i = _tle_line(rng, lines)
    if i is None:
        return flip_char(rng, text)
    digits = [k for k, c in enumerate(lines[i]) if c.isdigit()]
    k = rng.choice(digits)
    new = rng.choice([d for d in "0123456789" if d != lines[i][k]])
    lines[i] = lines[i][:k] + new + lines[i][k + 1 :]
    if fix and k != 68:
        lines[i] = fix_checksum(lines[i])
    how = "checksum fixed" if fix else "checksum left"
    return "\n".join(lines), f"TLE line {i + 1} column {k + 1} -> {new} ({how})"


def change_digit_fixed(rng: random.Random, text: str) -> tuple[str, str]:
    return change_digit(rng, text, fix=True)


def extreme_field(rng: random.Random, text: str) -> tuple[str, str]:
    """A TLE field set to a legal-looking extreme value, checksum fixed."""
    lines = _lines(text)
    i = _tle_line(rng, lines)
    if i is None:
        return flip_char(rng, text)
    line = lines[i].ljust(69)
    (first, last), values = rng.choice(_TLE_FIELDS[line[0]])
    value = rng.choice(values)
    lines[i] = fix_checksum(line[: first - 1] + value + line[last:])
    return "\n".join(lines), f"TLE line {i + 1} columns {first}-{last} = {value!r}"


def truncate_line(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    i = _pick_line(rng, lines)
    n = rng.randrange(len(lines[i]) + 1) if lines[i] else 0
    lines[i] = lines[i][:n]
    return "\n".join(lines), f"line {i + 1} cut to {n} characters"


def pad_line(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    i = _pick_line(rng, lines)
    pad = rng.choice([" ", "  x", "\t", "0", " \r"])
    lines[i] = lines[i] + pad
    return "\n".join(lines), f"line {i + 1} + {pad!r}"


def drop_names(rng: random.Random, text: str) -> tuple[str, str]:
    kept = [line for line in _lines(text) if line[:2] in ("1 ", "2 ") or not line.strip()]
    return "\n".join(kept), "2-line form (name lines dropped)"


def duplicate_record(rng: random.Random, text: str) -> tuple[str, str]:
    lines = [line for line in _lines(text) if line]
    if len(lines) < 3:
        return duplicate_line(rng, text)
    k = rng.randrange(len(lines) // 3) * 3
    return "\n".join(lines + lines[k : k + 3]) + "\n", f"record at line {k + 1} repeated at end"


SCENARIO_MUTATORS: tuple[Mutator, ...] = (
    delete_line,
    duplicate_line,
    swap_lines,
    flip_char,
    delete_char,
    truncate_file,
    empty_file,
    crlf,
    replace_value,
    replace_value,
    replace_value,
    perturb_number,
    perturb_number,
    insert_line,
    insert_line,
)

TLE_MUTATORS: tuple[Mutator, ...] = (
    delete_line,
    duplicate_line,
    swap_lines,
    flip_char,
    truncate_file,
    empty_file,
    crlf,
    change_digit,
    change_digit_fixed,
    change_digit_fixed,
    extreme_field,
    extreme_field,
    truncate_line,
    pad_line,
    drop_names,
    duplicate_record,
)


def mutate(rng: random.Random, case: Case | None = None, tle_share: float = 0.4) -> Case:
    """1-3 mutations (mostly 1) of the scenario and/or the TLE text, chosen with `rng`.

    Parameters
    ----------
    rng : random.Random
        Every choice comes from it: a seeded ``random.Random`` in the tool, hypothesis'
        ``st.randoms()`` in the test (so hypothesis can shrink a failing case).
    case : Case, optional
        Starting point; the valid fixture when omitted.
    tle_share : float
        Chance that a mutation hits the TLE text rather than the scenario.
    """
    case = case or base_case()
    scenario, tle, log = case.scenario, case.tle, list(case.mutations)
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        if rng.random() < 1.0 - tle_share:
            scenario, what = rng.choice(SCENARIO_MUTATORS)(rng, scenario)
            log.append(f"scenario: {what}")
        else:
            tle, what = rng.choice(TLE_MUTATORS)(rng, tle)
            log.append(f"tle: {what}")
    return Case(scenario, tle, tuple(log))


# ----------------------------------------------------------------------------------------------
# Running a case and checking the rule
# ----------------------------------------------------------------------------------------------


class CaseTimeout(Exception):
    """Raised inside a case that ran longer than ``CASE_TIMEOUT_S``."""


@contextlib.contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """SIGALRM after `seconds` raises :class:`CaseTimeout` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise CaseTimeout(f"case ran longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def lifeline_error(result: Result) -> LifelineError | None:
    """The LifelineError behind an exit (the CLI raises ``Exit(2)`` while handling it)."""
    seen: set[int] = set()
    exc: BaseException | None = result.exception
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, LifelineError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def violations(result: Result, step: str, names: tuple[str, ...]) -> list[str]:
    """How `result` breaks the rule (empty when it is a clean success or a clean error).

    `names` are the input files' names; a clean error must mention one of them.
    """
    problems = []
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        problems.append(f"{step}: raised {type(result.exception).__name__}: {result.exception}")
    if result.exit_code not in (0, 2):
        problems.append(f"{step}: exit code {result.exit_code}")
    if "Traceback" in result.output:
        problems.append(f"{step}: 'Traceback' in the output")
    if result.exit_code == 2:
        if "error:" not in result.output:
            problems.append(f"{step}: exit 2 without 'error:' in the output")
        if lifeline_error(result) is None:
            problems.append(f"{step}: exit 2 not caused by a LifelineError")
        if not any(name in result.output for name in names):
            problems.append(f"{step}: the message names none of the files {names}")
    return problems


@dataclass
class Outcome:
    """What one case did.

    ``kind`` is "error" (clean exit 2), "ran" (validated and ran), "skipped" (validated, over
    the run budget), "late-error" (validated, then the run failed cleanly) or "failure".
    """

    kind: str
    detail: str
    problems: list[str] = field(default_factory=list)
    results: dict[str, Result] = field(default_factory=dict)


def _over_budget(path: Path) -> str | None:
    from lifeline.config import load_scenario

    sc = load_scenario(path)
    samples = sc.time.duration_s / sc.time.propagation_step_s
    sites = len(sc.terminals) + len(sc.gateways) + len(sc.pops)
    if sc.time.n_steps > MAX_STEPS or samples > MAX_PROPAGATION_SAMPLES or sites > MAX_SITES:
        return f"{sc.time.n_steps} steps, {samples:.0f} propagation samples, {sites} sites"
    return None


def run_case(case: Case, folder: Path, runner: CliRunner | None = None) -> Outcome:
    """Write the case into `folder`, run ``validate`` then (if it passed) ``run``, and check.

    Parameters
    ----------
    case : Case
    folder : pathlib.Path
        Scratch folder (reused between cases: its ``out`` subfolder is cleared first).
    runner : CliRunner, optional
    """
    runner = runner or CliRunner()
    out = folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    path = case.write(folder)
    names = (SCENARIO_NAME, TLE_NAME, "preset:")
    outcome = Outcome("failure", "")
    with watchdog(CASE_TIMEOUT_S):
        checked = runner.invoke(app, ["validate", str(path)])
        outcome.results["validate"] = checked
        outcome.problems += violations(checked, "validate", names)
        if outcome.problems:
            return outcome
        if checked.exit_code == 2:
            err = lifeline_error(checked)
            outcome.kind, outcome.detail = "error", type(err).__name__
            return outcome
        try:
            too_big = _over_budget(path)
        except LifelineError as exc:  # validate passed, so it must load
            outcome.problems.append(f"validate passed but load_scenario raised {exc!r}")
            return outcome
        if too_big:
            outcome.kind, outcome.detail = "skipped", too_big
            return outcome
        # One worker: in this process (a pool per case would cost more than the case).
        ran = runner.invoke(app, ["run", str(path), "--quiet", "--out", str(out), *RUN_OPTIONS])
    outcome.results["run"] = ran
    outcome.problems += violations(ran, "run", names)
    if ran.exit_code == 0:
        if ran.stdout:
            outcome.problems.append(f"run --quiet printed on stdout: {ran.stdout[:200]!r}")
        try:
            summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
            assert isinstance(summary["terminals"], dict)
        except (OSError, ValueError, KeyError, AssertionError) as exc:
            outcome.problems.append(f"run exited 0 but summary.json is missing or bad: {exc!r}")
        if not (out / "terminals.parquet").is_file():
            outcome.problems.append("run exited 0 but wrote no terminals.parquet")
    if not outcome.problems:
        if ran.exit_code == 0:
            outcome.kind, outcome.detail = "ran", ""
        else:
            outcome.kind, outcome.detail = "late-error", type(lifeline_error(ran)).__name__
    return outcome


def run_schema_case(case: Case, folder: Path) -> Outcome:
    """Write the schema case into `folder`, load it as a sweep file, draw two samples, check.

    The outcome is "loaded" (the sweep loads and its samples are drawn), "error" (a
    :class:`~lifeline.errors.LifelineError`, whose message must name a file) or "failure"
    (any other exception: the traceback a user would see).
    """
    from lifeline.config import load_sweep
    from lifeline.sweep import plan_samples

    folder.mkdir(parents=True, exist_ok=True)
    (folder / SCENARIO_NAME).write_text(base_case().scenario, encoding="utf-8")
    (folder / TLE_NAME).write_bytes(case.tle.encode(**_ENCODING))
    path = folder / SCHEMA_NAME
    path.write_bytes(case.scenario.encode(**_ENCODING))
    outcome = Outcome("failure", "")
    try:
        with watchdog(CASE_TIMEOUT_S):
            plan_samples(load_sweep(path), samples=2, seed=0)
    except LifelineError as exc:
        outcome.kind, outcome.detail = "error", type(exc).__name__
        if not any(name in str(exc) for name in (SCHEMA_NAME, SCENARIO_NAME, TLE_NAME)):
            outcome.kind = "failure"
            outcome.problems.append(f"the message names none of the files: {exc}")
    except Exception as exc:  # noqa: BLE001 - any other exception is what the fuzz looks for
        outcome.problems.append(f"load_sweep raised {type(exc).__name__}: {exc}")
        outcome.detail = "".join(traceback.format_exception(exc))
    else:
        outcome.kind = "loaded"
    return outcome


def describe(case: Case, outcome: Outcome) -> str:
    """A report of one case: mutations, problems, outputs and tracebacks."""
    parts = ["mutations:", *(f"  {m}" for m in case.mutations), "problems:"]
    parts += [f"  {p}" for p in outcome.problems]
    for step, result in outcome.results.items():
        parts.append(f"--- {step}: exit {result.exit_code}, output:")
        parts.append(result.output.rstrip())
        exc = result.exception
        if exc is not None and not isinstance(exc, SystemExit) and result.exc_info:
            parts.append(f"--- {step}: traceback:")
            parts.append("".join(traceback.format_exception(*result.exc_info)).rstrip())
    if outcome.kind == "failure" and not outcome.results and outcome.detail:
        parts += ["--- traceback:", outcome.detail.rstrip()]
    return "\n".join(parts) + "\n"


def save_failure(case: Case, outcome: Outcome, folder: Path) -> None:
    """The inputs (under their fixture names) and ``report.txt``, for reproduction."""
    case.write(folder)
    (folder / "report.txt").write_text(describe(case, outcome), encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# The command
# ----------------------------------------------------------------------------------------------


def case_rng(seed: int, index: int) -> random.Random:
    """Case `index` of run `seed`: reproducible on its own (``--case``)."""
    return random.Random(f"lifeline-fuzz:{seed}:{index}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="number of cases (10,000)")
    parser.add_argument("--seed", type=int, default=0, help="run seed (0)")
    parser.add_argument("--case", type=int, help="re-run only this case index and show it")
    parser.add_argument(
        "--save", type=Path, default=Path("fuzz-failures"), help="where failing inputs go"
    )
    parser.add_argument("--keep", type=int, default=5, help="failures to save (5)")
    parser.add_argument(
        "--surface",
        choices=("run", "schema", "hostile"),
        default="run",
        help="run: tiny.toml + TLE through validate and run; schema: tiny-schema.toml as a "
        "sweep; hostile: the attacks of tools/fuzz_hostile.py (paths, times, sizes, nesting, "
        "encodings, names, run folders, seeds, schedulers)",
    )
    args = parser.parse_args(argv)
    if args.surface == "hostile":
        from fuzz_hostile import run_hostile

        return run_hostile(args.cases, args.seed, args.case, args.save, args.keep)
    schema = args.surface == "schema"

    runner = CliRunner()
    tally: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    late: Counter[str] = Counter()
    failures: list[int] = []
    skipped: list[int] = []
    indices = [args.case] if args.case is not None else range(args.cases)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lifeline-fuzz-") as tmp:
        for n, i in enumerate(indices, start=1):
            if schema:
                case = mutate(case_rng(args.seed, i), schema_case(), tle_share=0.1)
                outcome = run_schema_case(case, Path(tmp))
            else:
                case = mutate(case_rng(args.seed, i))
                outcome = run_case(case, Path(tmp), runner)
            tally[outcome.kind] += 1
            if outcome.kind == "error":
                errors[outcome.detail] += 1
            elif outcome.kind == "late-error":
                late[outcome.detail] += 1
            elif outcome.kind == "skipped":
                skipped.append(i)
            elif outcome.kind == "failure":
                failures.append(i)
                if len(failures) <= args.keep:
                    where = args.save / f"seed{args.seed}-case{i}"
                    save_failure(case, outcome, where)
                    print(f"FAILURE case {i} (saved to {where}): {outcome.problems[0]}")
            if args.case is not None:
                print(describe(case, outcome))
            if n % 500 == 0:
                print(
                    f"{n:>7,} cases {time.perf_counter() - started:7.1f} s: "
                    f"{tally['error']} errors, {tally['ran'] + tally['loaded']} runs/loads, "
                    f"{tally['late-error']} run errors, {tally['skipped']} skipped, "
                    f"{tally['failure']} failures",
                    flush=True,
                )
    elapsed = time.perf_counter() - started
    total = sum(tally.values())
    each_ms = elapsed / max(total, 1) * 1e3
    print(
        f"\n{total:,} {args.surface} cases (seed {args.seed}) in {elapsed:.1f} s "
        f"({each_ms:.1f} ms each)"
    )
    print(f"  clean errors (LifelineError):        {tally['error']:,}")
    for name, count in errors.most_common():
        print(f"      {name}: {count:,}")
    print(f"  clean runs (exit 0):                 {tally['ran']:,}")
    print(f"  schema: loaded and sampled:          {tally['loaded']:,}")
    print(f"  validated, then run exit 2:          {tally['late-error']:,}")
    for name, count in late.most_common():
        print(f"      {name}: {count:,}")
    print(f"  validated, run skipped (too big):    {tally['skipped']:,}")
    if skipped:
        print(
            f"      cases {', '.join(str(i) for i in skipped[:20])}{' ...' * (len(skipped) > 20)}"
        )
    print(f"  failures:                            {tally['failure']:,}")
    if failures:
        shown = ", ".join(str(i) for i in failures[:20])
        print(f"      cases {shown}{' ...' if len(failures) > 20 else ''}")
        print(f"      re-run one: python tools/fuzz_inputs.py --seed {args.seed} --case N")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
