"""The ``hostile`` surface of ``tools/fuzz_inputs.py``: inputs that attacked lifeline once.

Where the other surfaces mutate a valid scenario at random, each case here is drawn from one
family of attack that has broken lifeline before, with the odd values that broke it:

``outpath``
    ``run --out`` naming a file, a path under a file, a read-only folder, a non-empty folder of
    other files, or a name with odd characters (markup, escapes, newlines, 300 characters).
``events``
    ``[[events]]`` windows and ``[time]`` starts at and past the ends of the time grid
    (year 1, 9999, ±1e308 s, 10^400, NaN, strings).
``shells``
    Walker shells of 0 to 10^400 satellites (planes x sats_per_plane).
``nesting``
    Arrays, inline tables, dotted keys and table headers 1 to 20,000 levels deep in a scenario,
    and a GeoJSON route as deep.
``encodings``
    A scenario, TLE, GeoJSON route or candidate CSV with a UTF-8 byte-order mark, CRLF line
    ends, UTF-16, NUL bytes, Latin-1 or stray bytes.
``names``
    Scenario, terminal, gateway and PoP names holding Rich markup (``[/]``, ``[bold]``) or ANSI
    escapes; printed by ``run`` and ``compare`` they must come out as plain text (no escape
    character reaches the output, no markup error).
``csv``
    Candidate gateway CSVs (``plan --candidates``) with out-of-range, non-numeric, huge and
    missing cells, read by :func:`lifeline.io.sites.read_gateways_csv`.
``runfolder``
    Run folders for ``report`` and ``compare`` with a missing, empty, garbage, truncated,
    re-typed or deep ``summary.json``/``scenario.json`` and a missing, empty or truncated
    ``terminals.parquet``.
``counts``
    ``sweep --seed`` past 63 bits or negative.
``scheduler``
    ``sweep --scheduler`` with malformed addresses and with servers this tool starts on
    127.0.0.1 (one that speaks first like an SSH server, one that never answers, a closed
    port). These run in a subprocess (a hung Dask handshake cannot be interrupted in-process)
    and only ever address 127.0.0.1.

Every case runs under a watchdog: in-process cases get SIGALRM after
:data:`CASE_TIMEOUT_S`, subprocess cases are killed after :data:`SUBPROCESS_TIMEOUT_S`; a case
that exceeds its limit is a hang. The rule is the other surfaces': exit 0, or exit 2 with one
``error:`` line from a :class:`~lifeline.errors.LifelineError` (or a typer usage error for an
option's own range), never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# The watchdog and the per-case seeds are shared with the other surfaces.
from fuzz_inputs import CaseTimeout, case_rng, watchdog  # noqa: E402  (tools/ is on sys.path)
from typer.testing import CliRunner, Result

from lifeline.cli import app
from lifeline.errors import LifelineError

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data"
TINY = (FIXTURES / "tiny.toml").read_text(encoding="utf-8")
TINY_TLE = (FIXTURES / "tiny.tle").read_text(encoding="ascii")

#: Watchdog of an in-process case [s]: a tiny run takes ~0.2 s, so this is a hang.
CASE_TIMEOUT_S = 30.0
#: Watchdog of a subprocess case [s]: start-up (~3 s) plus lifeline's scheduler connect
#: timeout (10 s) with room to spare.
SUBPROCESS_TIMEOUT_S = 25.0
#: Share of cases in each family (relative weights). Runs cost ~0.2 s and validations ~0.02 s,
#: so families that run are lighter; scheduler cases start a Python process each.
FAMILIES = {
    "outpath": 4.0,
    "events": 16.0,
    "shells": 12.0,
    "nesting": 12.0,
    "encodings": 14.0,
    "names": 12.0,
    "csv": 10.0,
    "runfolder": 14.0,
    "counts": 0.8,
    "scheduler": 0.12,
}
#: Chance that a case which validates is also run (runs cost 10x a validation).
RUN_SHARE = 0.15

ESC = "\x1b"
HOSTILE_NAMES = (
    "[/]",
    "[bold]",
    "[bold red]loud[/]",
    "[/bold]",
    "[link=https://127.0.0.1/]x[/link]",
    "[[",
    "]]",
    "\\[escaped]",
    ESC + "[31mred" + ESC + "[0m",
    ESC + "[2J",
    ESC + "]0;title\x07",
    ESC + "[?1049h",
    "a\rb",
    "tab\tname",
    "line\nbreak",
    "\u202eevil",
    "\u200b",
    "emoji \U0001f6f0",
    "ünïcödé",
    ":satellite:",
    "x" * 5000,
    "%s%n",
    "{0}",
    "'\"",
)
ODD_FOLDER_NAMES = (
    "with space",
    "ünï",
    "[bold]out",
    "[/]",
    ESC + "[31mred",
    "new\nline",
    "trailing ",
    "x" * 300,
    "-starts-with-dash",
    "a:b",
    "*",
    "%s",
)


@dataclass
class Hostile:
    """One case: its family, what it does (for the report) and how it went."""

    family: str
    what: str
    kind: str = "failure"  # "ok", "error" (clean exit 2), "skipped", "failure"
    problems: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# Checking a CLI result
# ----------------------------------------------------------------------------------------------


def _lifeline_error(exc: BaseException | None) -> LifelineError | None:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, LifelineError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _usage_error(output: str) -> bool:
    """typer/click refused an option before lifeline ran (its own range check)."""
    return "Usage:" in output and ("Invalid value" in output or "No such option" in output)


def check(case: Hostile, step: str, result: Result) -> None:
    """Record how `result` breaks the rule (nothing when it is a clean success or error)."""
    out = result.output
    case.outputs.append(f"--- {step}: exit {result.exit_code}\n{out[:3000]}")
    exc = result.exception
    if isinstance(exc, CaseTimeout) or _lifeline_error(exc) is None and _is_timeout(exc):
        case.problems.append(f"{step}: hang (over {CASE_TIMEOUT_S:g} s)")
        return
    if exc is not None and not isinstance(exc, SystemExit):
        case.problems.append(f"{step}: raised {type(exc).__name__}: {str(exc)[:300]}")
        if result.exc_info:
            import traceback

            case.outputs.append("".join(traceback.format_exception(*result.exc_info))[-4000:])
    if result.exit_code not in (0, 2):
        case.problems.append(f"{step}: exit code {result.exit_code}")
    if "Traceback" in out:
        case.problems.append(f"{step}: 'Traceback' in the output")
    if ESC in out:
        case.problems.append(f"{step}: an escape character reached the output")
    if result.exit_code == 2 and not _usage_error(out):
        if not out.startswith("error: "):
            case.problems.append(f"{step}: exit 2 without 'error:' first")
        if _lifeline_error(exc) is None:
            case.problems.append(f"{step}: exit 2 not caused by a LifelineError")


def _is_timeout(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, CaseTimeout):
            return True
        exc = exc.__context__
    return False


def settle(case: Hostile, exit_code: int) -> Hostile:
    """The case's kind from its problems and the last exit code."""
    if case.problems:
        case.kind = "hang" if any("hang" in p for p in case.problems) else "failure"
    else:
        case.kind = "ok" if exit_code == 0 else "error"
    return case


# ----------------------------------------------------------------------------------------------
# Context shared by the cases of one run
# ----------------------------------------------------------------------------------------------


class Context:
    """Scratch folder, a finished base run for ``compare``/``report``, and 127.0.0.1 servers."""

    def __init__(self, scratch: Path, runner: CliRunner | None = None) -> None:
        self.scratch = scratch
        self.runner = runner or CliRunner()
        self._base: Path | None = None
        self._servers: dict[str, int] | None = None
        self._sockets: list[socket.socket] = []

    def fresh(self, name: str = "case") -> Path:
        """An empty folder for one case (the previous case's is removed)."""
        folder = self.scratch / name
        if folder.exists():
            _make_writable(folder)
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    def invoke(self, args: list[str]) -> Result:
        with watchdog(CASE_TIMEOUT_S):
            return self.runner.invoke(app, args)

    @property
    def base_run(self) -> Path:
        """A finished run of tiny.toml (made once), never modified by a case."""
        if self._base is None:
            folder = self.scratch / "base"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "tiny.toml").write_text(TINY, encoding="utf-8")
            (folder / "tiny.tle").write_text(TINY_TLE, encoding="ascii")
            out = folder / "out"
            result = self.runner.invoke(
                app, ["run", str(folder / "tiny.toml"), "-q", "--out", str(out), "-w", "1"]
            )
            if result.exit_code != 0:
                raise RuntimeError(f"the base run failed: {result.output}")
            self._base = out
        return self._base

    def servers(self) -> dict[str, int]:
        """Ports on 127.0.0.1: "banner" speaks first (like SSH), "silent" never answers,
        "closed" refuses connections."""
        if self._servers is None:
            self._servers = {
                "banner": self._serve(b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"),
                "silent": self._serve(None),
            }
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            self._servers["closed"] = probe.getsockname()[1]
            probe.close()
        return self._servers

    def _serve(self, banner: bytes | None) -> int:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        self._sockets.append(listener)

        def accept() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                self._sockets.append(conn)
                if banner is not None:
                    with contextlib.suppress(OSError):
                        conn.sendall(banner)

        threading.Thread(target=accept, daemon=True).start()
        return listener.getsockname()[1]

    def close(self) -> None:
        for s in self._sockets:
            with contextlib.suppress(OSError):
                s.close()


def _make_writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                path.chmod(stat.S_IRWXU)


def _scenario(folder: Path, text: str = TINY, name: str = "tiny.toml") -> Path:
    (folder / "tiny.tle").write_text(TINY_TLE, encoding="ascii")
    path = folder / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return path


def _validate_then_maybe_run(
    ctx: Context, case: Hostile, path: Path, rng: random.Random, share: float = RUN_SHARE
) -> Hostile:
    checked = ctx.invoke(["validate", str(path)])
    check(case, "validate", checked)
    if case.problems or checked.exit_code != 0 or rng.random() >= share:
        return settle(case, checked.exit_code)
    ran = ctx.invoke(["run", str(path), "-q", "--out", str(path.parent / "out"), "-w", "1"])
    check(case, "run", ran)
    return settle(case, ran.exit_code)


# ----------------------------------------------------------------------------------------------
# Families
# ----------------------------------------------------------------------------------------------


def case_outpath(rng: random.Random, ctx: Context) -> Hostile:
    folder = ctx.fresh()
    path = _scenario(folder)
    how = rng.choice(["file", "under-file", "read-only", "foreign", "odd-name", "nested-odd"])
    if how == "file":
        out = folder / "results.txt"
        out.write_text("not a folder\n", encoding="utf-8")
    elif how == "under-file":
        (folder / "results.txt").write_text("x", encoding="utf-8")
        out = folder / "results.txt" / "out"
    elif how == "read-only":
        out = folder / "ro"
        out.mkdir()
        if rng.random() < 0.5:
            out = out / "sub"
        (folder / "ro").chmod(stat.S_IRUSR | stat.S_IXUSR)
    elif how == "foreign":
        out = folder / "thesis"
        out.mkdir()
        for i in range(rng.randint(1, 3)):
            (out / f"chapter{i}.tex").write_text("precious\n", encoding="utf-8")
    else:
        name = rng.choice(ODD_FOLDER_NAMES)
        out = folder / name if how == "odd-name" else folder / name / rng.choice(ODD_FOLDER_NAMES)
    case = Hostile("outpath", f"run --out {how}: {str(out)[-80:]!r}")
    result = ctx.invoke(["run", str(path), "-q", "--out", str(out), "-w", "1"])
    check(case, "run", result)
    if how == "foreign" and result.exit_code == 0:
        kept = sorted(p.name for p in out.glob("chapter*.tex"))
        if not kept:
            case.problems.append("run: the foreign folder's files were removed")
    return settle(case, result.exit_code)


_TIMES = (
    "0001-01-01T00:00:00Z",
    "1677-09-21T00:12:43Z",
    "1678-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "2022-08-17T12:00:00Z",
    "2022-08-17T12:01:00+23:59",
    "2022-08-17T12:01:00-23:59",
    "2262-01-01T00:00:00Z",
    "2262-04-11T23:47:16Z",
    "2262-04-12T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-01:00",
    "2022-08-17",
    "12:00:00",
    '"2022-08-17T12:00:00Z"',
    '"99999-01-01T00:00:00Z"',
)
_SECONDS = (
    "0",
    "-0.0",
    "5e-324",
    "30",
    "1e9",
    "9.2e9",
    "9.3e9",
    "1e15",
    "9.2e18",
    "1e19",
    "1e308",
    "1.7976931348623157e308",
    "-1",
    "-1e308",
    "1e400",
    "-1e400",
    "nan",
    "inf",
    "9" * 30,
    "1" + "0" * 400,
    '"60"',
    "true",
    "[30, 60]",
)


def case_events(rng: random.Random, ctx: Context) -> Hostile:
    folder = ctx.fresh()
    lines = []
    for _ in range(rng.choice([1, 1, 2])):
        kind, target = rng.choice(
            [
                ("gateway_outage", 'gateways = ["Muallim"]'),
                ("pop_outage", 'pops = ["Frankfurt"]'),
                ("power_loss", 'terminals = ["Mariupol"]'),
                ("satellite_failure", "fraction = 0.5\nseed = 1"),
                ("isl_failure", "fraction = 0.5\nseed = 1"),
                (
                    "ground_loss",
                    "center_lat_deg = 47.1\ncenter_lon_deg = 37.5\nradius_km = 50.0",
                ),
            ]
        )
        window = []
        for key in rng.sample(["start_utc", "end_utc", "start_s", "end_s"], rng.randint(0, 2)):
            values = _TIMES if key.endswith("utc") else _SECONDS
            window.append(f"{key} = {rng.choice(values + _TIMES[:2] + _SECONDS[:2])}")
        lines.append(f'[[events]]\nkind = "{kind}"\n{target}\n' + "\n".join(window))
    text = TINY
    if rng.random() < 0.2:
        text = text.replace("start_utc = 2022-08-17T12:00:00Z", f"start_utc = {rng.choice(_TIMES)}")
    text += "\n" + "\n".join(lines) + "\n"
    case = Hostile("events", " | ".join(line.replace("\n", "; ") for line in lines)[:300])
    return _validate_then_maybe_run(ctx, case, _scenario(folder, text), rng, share=0.15)


_COUNTS = (
    "0",
    "-1",
    "1",
    "2",
    "3",
    "22",
    "72",
    "1000",
    "113333",
    "339999",
    "340000",
    "1000000",
    "10000000000",
    "9223372036854775807",
    "9223372036854775808",
    "1" + "0" * 400,
    "1.5",
    "1e6",
    '"72"',
    "true",
    "nan",
)


def case_shells(rng: random.Random, ctx: Context) -> Hostile:
    folder = ctx.fresh()
    shells = []
    small = True
    for i in range(rng.choice([1, 1, 2])):
        planes = rng.choice(_COUNTS)
        sats = rng.choice(_COUNTS)
        phasing = rng.choice(["0", "1", planes, "-1", "1" + "0" * 30])
        try:
            small = small and int(planes) * int(sats) <= 30
        except ValueError:
            small = False
        shells.append(
            f'[[constellation.shells]]\nname = "s{i}"\naltitude_km = 550.0\n'
            f"inclination_deg = 53.0\nplanes = {planes}\nsats_per_plane = {sats}\n"
            f"phasing = {phasing}\n"
        )
    text = TINY.replace('[constellation]\ntle_file = "tiny.tle"\n', "\n".join(shells))
    case = Hostile("shells", " | ".join(s.replace("\n", "; ") for s in shells)[:300])
    # Only small shells are run: building 339,999 satellites is a size problem, not a crash.
    return _validate_then_maybe_run(
        ctx, case, _scenario(folder, text), rng, share=0.5 if small else 0.0
    )


def _depth(rng: random.Random) -> int:
    return int(10 ** rng.uniform(0, 4.3))  # 1 .. 20,000, log-uniform


def case_nesting(rng: random.Random, ctx: Context) -> Hostile:
    folder = ctx.fresh()
    n = _depth(rng)
    how = rng.choice(["array", "inline", "dotted", "header", "aot", "value", "geojson"])
    text = TINY
    if how == "array":
        text += "\nx = " + "[" * n + "1" + "]" * n + "\n"
    elif how == "inline":
        text += "\nx = " + "{a = " * n + "1" + "}" * n + "\n"
    elif how == "dotted":
        text += "\n" + ".".join(["a"] * n) + " = 1\n"
    elif how == "header":
        text += "\n[" + ".".join(["t"] * n) + "]\nk = 1\n"
    elif how == "aot":
        text += "\n[[" + ".".join(["t"] * n) + "]]\nk = 1\n"
    elif how == "value":
        text = text.replace("step_s = 10.0", "step_s = " + "[" * n + "10.0" + "]" * n)
    else:
        route = rng.choice(
            [
                "[" * n + "]" * n,
                '{"type": "LineString", "coordinates": ' + "[" * n + "]" * n + "}",
                '{"a": ' * n + "1" + "}" * n,
            ]
        )
        (folder / "route.geojson").write_text(route, encoding="utf-8")
        text += '\n[terminals.path]\ngeojson = "route.geojson"\nspeed_kmh = 5.0\n'
    case = Hostile("nesting", f"{how} nested {n} deep")
    return _validate_then_maybe_run(ctx, case, _scenario(folder, text), rng, share=0.0)


_ROUTE = '{"type": "LineString", "coordinates": [[37.55, 47.1], [37.6, 47.2]]}\n'
_CANDIDATES = "name,lat_deg,lon_deg,alt_m,min_elevation_deg,max_satellites\nNear,47.2,37.6,0,25,8\n"


def _encode(rng: random.Random, text: str) -> tuple[bytes, str]:
    how = rng.choice(
        ["bom", "crlf", "bom+crlf", "utf-16", "utf-16-le", "utf-16-be", "nul", "latin-1", "ff",
         "cr", "bom-twice", "bom-mid"]
    )  # fmt: skip
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode(), how
    if how == "crlf":
        return text.replace("\n", "\r\n").encode(), how
    if how == "bom+crlf":
        return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(), how
    if how in ("utf-16", "utf-16-le", "utf-16-be"):
        return text.encode(how), how
    if how == "nul":
        i = rng.randrange(len(text) + 1)
        return (text[:i] + "\x00" * rng.randint(1, 3) + text[i:]).encode(), f"NUL at {i}"
    if how == "latin-1":
        return text.replace("Mariupol", "Mariupöl").encode("latin-1"), how
    if how == "ff":
        i = rng.randrange(len(text) + 1)
        return text[:i].encode() + b"\xff\xfe" + text[i:].encode(), f"bytes ff fe at {i}"
    if how == "cr":
        return text.replace("\n", "\r").encode(), "CR only"
    if how == "bom-twice":
        return b"\xef\xbb\xbf\xef\xbb\xbf" + text.encode(), how
    i = text.find("\n", rng.randrange(len(text))) + 1
    return text[:i].encode() + b"\xef\xbb\xbf" + text[i:].encode(), f"BOM at {i}"


def case_encodings(rng: random.Random, ctx: Context) -> Hostile:
    folder = ctx.fresh()
    target = rng.choice(["scenario", "scenario", "tle", "tle", "geojson", "csv"])
    text = TINY
    if target == "geojson":
        text += '\n[terminals.path]\ngeojson = "route.geojson"\nspeed_kmh = 5.0\n'
    path = _scenario(folder, text)
    source = {"scenario": text, "tle": TINY_TLE, "geojson": _ROUTE, "csv": _CANDIDATES}[target]
    data, how = _encode(rng, source)
    file = {"scenario": path, "tle": folder / "tiny.tle", "geojson": folder / "route.geojson",
            "csv": folder / "cand.csv"}[target]  # fmt: skip
    file.write_bytes(data)
    case = Hostile("encodings", f"{target}: {how}")
    if target == "csv":
        return _read_csv(case, file)
    return _validate_then_maybe_run(ctx, case, path, rng)


def case_names(rng: random.Random, ctx: Context) -> Hostile:
    folder = ctx.fresh()
    name = rng.choice(HOSTILE_NAMES)
    if rng.random() < 0.3:
        name = rng.choice(HOSTILE_NAMES) + rng.choice(HOSTILE_NAMES)
    where = rng.choice(["scenario", "terminal", "terminal", "gateway", "pop"])
    quoted = json.dumps(name)  # a TOML basic string (JSON escapes are valid TOML escapes)
    old = {
        "scenario": 'name = "tiny"',
        "terminal": 'name = "Mariupol"',
        "gateway": 'name = "Muallim"',
        "pop": 'name = "Frankfurt"',
    }[where]
    text = TINY.replace(old, f"name = {quoted}")
    case = Hostile("names", f"{where} name {name[:60]!r}")
    path = _scenario(folder, text)
    checked = ctx.invoke(["validate", str(path)])
    check(case, "validate", checked)
    if case.problems or checked.exit_code != 0 or rng.random() >= 0.2:
        return settle(case, checked.exit_code)
    out = folder / "out"
    ran = ctx.invoke(["run", str(path), "--out", str(out), "-w", "1"])  # not quiet: it prints
    check(case, "run", ran)
    if case.problems or ran.exit_code != 0:
        return settle(case, ran.exit_code)
    compared = ctx.invoke(["compare", str(ctx.base_run), str(out)])
    check(case, "compare", compared)
    short_plain = len(name) < 20 and name.isprintable() and where in ("terminal", "scenario")
    if compared.exit_code == 0 and short_plain and name not in compared.output:
        case.problems.append(f"compare: the name {name!r} is not printed as it is")
    return settle(case, compared.exit_code)


_CELLS = (
    "",
    " ",
    "0",
    "-0",
    "200",
    "-1",
    "90",
    "90.0000001",
    "1e400",
    "nan",
    "inf",
    "-inf",
    "9" * 5000,
    "1_000",
    "0x10",
    "true",
    "x",
    '"25"',
    "25,26",
    "\x00",
    ESC + "[31m",
    "[bold]",
)


def _read_csv(case: Hostile, path: Path) -> Hostile:
    from lifeline.io.sites import read_gateways_csv

    try:
        with watchdog(CASE_TIMEOUT_S):
            read_gateways_csv(path)
    except LifelineError as exc:
        if path.name not in str(exc):
            case.problems.append(f"read_gateways_csv: the message names no file: {exc}")
        if ESC in str(exc):
            case.problems.append("read_gateways_csv: an escape character in the message")
        return settle(case, 2)
    except CaseTimeout:
        case.problems.append(f"read_gateways_csv: hang (over {CASE_TIMEOUT_S:g} s)")
    except Exception as exc:  # noqa: BLE001 - anything else is what the fuzz looks for
        import traceback

        case.problems.append(f"read_gateways_csv raised {type(exc).__name__}: {exc}"[:300])
        case.outputs.append("".join(traceback.format_exception(exc))[-4000:])
    return settle(case, 0)


def case_csv(rng: random.Random, ctx: Context) -> Hostile:
    folder = ctx.fresh()
    header = ["name", "lat_deg", "lon_deg", "alt_m", "min_elevation_deg", "max_satellites"]
    row = ["Near", "47.2", "37.6", "0", "25", "8"]
    for _ in range(rng.randint(1, 3)):
        row[rng.randrange(len(row))] = rng.choice(_CELLS)
    if rng.random() < 0.1:
        header.pop(rng.randrange(len(header)))
    if rng.random() < 0.1:
        row.append("extra")
    text = ",".join(header) + "\n" + ",".join(row) + "\n"
    path = folder / "cand.csv"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return _read_csv(Hostile("csv", f"{','.join(header)} / {','.join(row)[:120]!r}"), path)


def _retype(rng: random.Random, data: dict) -> str:
    """Replace one field (top level or one terminal's figure) with a value of another type."""
    junk = rng.choice([None, "x", -1, 0, 1e308, [], {}, [1, 2], True, {"a": 1}, "2022-13-45"])
    if rng.random() < 0.5 or not isinstance(data.get("terminals"), dict) or not data["terminals"]:
        key = rng.choice(sorted(data))
        data[key] = junk
        return f"summary {key} = {junk!r}"
    name = rng.choice(sorted(data["terminals"]))
    figures = data["terminals"][name]
    key = rng.choice(sorted(figures))
    figures[key] = junk
    return f"summary terminals.{name}.{key} = {junk!r}"


def case_runfolder(rng: random.Random, ctx: Context) -> Hostile:
    base = ctx.base_run
    folder = ctx.fresh() / "run"
    folder.mkdir()
    for name in ("terminals.parquet", "summary.json", "scenario.json"):
        shutil.copy(base / name, folder / name)
    file = rng.choice(["summary.json"] * 3 + ["scenario.json", "terminals.parquet"])
    path = folder / file
    original = path.read_bytes()
    how = rng.choice(["missing", "empty", "garbage", "truncated", "retype", "deep", "nan", "bom"])
    if how == "missing":
        path.unlink()
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randint(1, 200))))
    elif how == "truncated":
        path.write_bytes(original[: rng.randrange(len(original))])
    elif how == "retype" and file != "terminals.parquet":
        data = json.loads(original)
        how = _retype(rng, data) if file == "summary.json" else "scenario " + _retype(rng, data)
        path.write_text(json.dumps(data), encoding="utf-8")
    elif how == "deep" and file != "terminals.parquet":
        n = _depth(rng)
        path.write_text('{"terminals": ' + "[" * n + "]" * n + "}", encoding="utf-8")
        how = f"deep {n}"
    elif how == "nan" and file != "terminals.parquet":
        path.write_text(original.decode().replace(": 0", ": NaN", 1), encoding="utf-8")
    elif how == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + original)
    else:
        path.write_bytes(original[: len(original) // 2])
        how = "truncated half"
    command = rng.choice(["report", "compare", "compare"])
    case = Hostile("runfolder", f"{file}: {how}; {command}")
    if command == "report":
        result = ctx.invoke(["report", str(folder), "-q"])
    else:
        pair = [str(base), str(folder)] if rng.random() < 0.5 else [str(folder), str(base)]
        result = ctx.invoke(["compare", *pair])
    check(case, command, result)
    return settle(case, result.exit_code)


_SWEEP = '\n[sweep]\n[sweep.grid]\n"radio.margin_db" = [0.0]\n'


def case_counts(rng: random.Random, ctx: Context) -> Hostile:
    folder = ctx.fresh()
    path = _scenario(folder, TINY + _SWEEP)
    seed = rng.choice([2**63, 2**64, 2**70, 10**30, -1, -(2**70), 2**63 - 1, 0])
    case = Hostile("counts", f"sweep --seed {seed}")
    args = ["sweep", str(path), "--seed", str(seed), "-n", "1", "-w", "1", "-q"]
    result = ctx.invoke([*args, "--out", str(folder / "sweep")])
    check(case, "sweep", result)
    return settle(case, result.exit_code)


def _addresses(servers: dict[str, int]) -> tuple[str, ...]:
    """Scheduler addresses to try: malformed ones and 127.0.0.1 servers only."""
    return (
        "",
        " ",
        "tcp://",
        "tcp://:8786",
        "tcp://127.0.0.1",
        "tcp://127.0.0.1:",
        "tcp://127.0.0.1:notaport",
        "tcp://127.0.0.1:99999",
        "tcp://127.0.0.1:-1",
        "tcp://127.0.0.1:0",
        "tcp://[::1",
        "tcp://127.0.0.1:8786/path",
        "http://127.0.0.1:8786",
        "inproc://x",
        "127.0.0.1::8786",
        "\x00",
        ESC + "[31m",
        "[bold]",
        f"tcp://127.0.0.1:{servers['banner']}",
        f"127.0.0.1:{servers['banner']}",
        f"tcp://127.0.0.1:{servers['silent']}",
        f"tcp://127.0.0.1:{servers['closed']}",
    )


def case_scheduler(rng: random.Random, ctx: Context) -> Hostile:
    folder = ctx.fresh()
    path = _scenario(folder, TINY + _SWEEP)
    address = rng.choice(_addresses(ctx.servers()))
    case = Hostile("scheduler", f"sweep --scheduler {address!r}")
    code = "import sys; from lifeline.cli import app; sys.argv[0] = 'lifeline'; app()"
    args = [sys.executable, "-c", code, "sweep", str(path), "--scheduler", address, "-n", "1",
            "-q", "--out", str(folder / "sweep")]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S, env=env,
            errors="replace",
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        case.problems.append(f"sweep: hang (over {SUBPROCESS_TIMEOUT_S:g} s)")
        return settle(case, -1)
    out = done.stdout + done.stderr
    case.outputs.append(
        f"--- sweep: exit {done.returncode} in {time.perf_counter() - started:.1f} s\n{out[-3000:]}"
    )
    if done.returncode not in (0, 2):
        case.problems.append(f"sweep: exit code {done.returncode}")
    if "Traceback" in out:
        case.problems.append("sweep: 'Traceback' in the output")
    if ESC in out:
        case.problems.append("sweep: an escape character reached the output")
    if done.returncode == 2 and not _usage_error(out) and not out.startswith("error: "):
        case.problems.append("sweep: exit 2 without 'error:' first")
    return settle(case, done.returncode)


CASES: dict[str, Callable[[random.Random, Context], Hostile]] = {
    "outpath": case_outpath,
    "events": case_events,
    "shells": case_shells,
    "nesting": case_nesting,
    "encodings": case_encodings,
    "names": case_names,
    "csv": case_csv,
    "runfolder": case_runfolder,
    "counts": case_counts,
    "scheduler": case_scheduler,
}


def hostile_case(rng: random.Random, ctx: Context, family: str | None = None) -> Hostile:
    """Draw a family (by :data:`FAMILIES` weights, unless given) and run one case of it."""
    family = family or rng.choices(list(FAMILIES), weights=list(FAMILIES.values()))[0]
    try:
        return CASES[family](rng, ctx)
    except CaseTimeout:
        return Hostile(family, "(set-up)", "hang", [f"hang (over {CASE_TIMEOUT_S:g} s)"])


def run_hostile(cases: int, seed: int, only: int | None, save: Path, keep: int) -> int:
    """The ``--surface hostile`` command: run the cases, print a tally; 1 if any failed."""
    import tempfile
    from collections import Counter


    tally: Counter[tuple[str, str]] = Counter()
    bad: list[tuple[int, Hostile]] = []
    indices = [only] if only is not None else range(cases)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lifeline-hostile-") as tmp:
        ctx = Context(Path(tmp))
        try:
            for n, i in enumerate(indices, start=1):
                case = hostile_case(case_rng(seed, i), ctx)
                tally[case.family, case.kind] += 1
                if case.kind in ("failure", "hang"):
                    bad.append((i, case))
                    if len(bad) <= keep:
                        save.mkdir(parents=True, exist_ok=True)
                        report = save / f"hostile-seed{seed}-case{i}.txt"
                        report.write_text(describe(case), encoding="utf-8")
                        print(
                            f"{case.kind.upper()} case {i} ({case.family}: {case.what[:80]!r}): "
                            f"{case.problems[0][:200]} (saved to {report})",
                            flush=True,
                        )
                if only is not None:
                    print(describe(case))
                if n % 500 == 0:
                    print(f"{n:>7,} cases {time.perf_counter() - started:7.1f} s: "
                          f"{sum(v for (f, k), v in tally.items() if k == 'failure')} failures, "
                          f"{sum(v for (f, k), v in tally.items() if k == 'hang')} hangs",
                          flush=True)  # fmt: skip
        finally:
            ctx.close()
            _make_writable(Path(tmp))
    elapsed = time.perf_counter() - started
    total = sum(tally.values())
    print(f"\n{total:,} hostile cases (seed {seed}) in {elapsed:.1f} s "
          f"({elapsed / max(total, 1) * 1e3:.1f} ms each)")  # fmt: skip
    print(f"  {'family':<10} {'cases':>7} {'ok':>7} {'errors':>7} {'failures':>9} {'hangs':>6}")
    for family in FAMILIES:
        row = [tally[family, k] for k in ("ok", "error", "failure", "hang")]
        print(f"  {family:<10} {sum(row):>7,} {row[0]:>7,} {row[1]:>7,} {row[2]:>9,} {row[3]:>6,}")
    failures = sum(1 for _, c in bad if c.kind == "failure")
    hangs = len(bad) - failures
    print(f"  tracebacks/failures: {failures:,}; hangs: {hangs:,}")
    if bad:
        print(f"  cases {', '.join(str(i) for i, _ in bad[:20])}{' ...' if len(bad) > 20 else ''}")
        print(f"  re-run one: python tools/fuzz_inputs.py --surface hostile --seed {seed} --case N")
    return 1 if bad else 0


def describe(case: Hostile) -> str:
    """A report of one case: family, what it did, problems and outputs."""
    parts = [f"family: {case.family}", f"case: {case.what!r}", f"outcome: {case.kind}"]
    parts += [f"problem: {p}" for p in case.problems]
    parts += case.outputs
    return "\n".join(parts) + "\n"
