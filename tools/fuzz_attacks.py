"""Fuzz what a hostile or careless user does around the inputs, not only inside them.

Families of cases (each a few CLI commands run in-process, every one under a watchdog):

- ``out_path``: ``run --out`` at a file, below a file, at a folder of other files, at a folder
  another writer holds, at a read-only place, at a 300-character name, with markup or escape
  codes in the name; ``--resume``/``--fresh``/``--force`` mixed in.
- ``event_time``: ``[[events]]`` windows at extreme seconds and at the edges of the calendar
  with time-zone offsets.
- ``shell_size``: Walker shells of 0 to 10^10 satellites.
- ``nesting``: arrays and tables nested 1 to 100,000 deep in the scenario, and in a GeoJSON route.
- ``encoding``: the scenario and the TLE file with a byte-order mark, CRLF or CR line ends,
  UTF-16, Latin-1 bytes or NUL bytes.
- ``names``: terminal, gateway and PoP names with Rich markup, ANSI escapes, control and bidi
  characters, printed by ``run`` (the table) and ``compare``.
- ``scheduler``: ``sweep --scheduler`` with malformed addresses, and with addresses of servers
  this tool starts on 127.0.0.1 (one that speaks another protocol, a silent one, one that hangs
  up at once, an HTTP one); never any other host.
- ``run_folder``: ``report`` and ``compare`` on folders whose ``summary.json``,
  ``terminals.parquet`` or ``scenario.json`` are missing, empty, truncated, of the wrong types
  or not UTF-8.

The rule (as in ``fuzz_inputs.py``): exit 0, or exit 2 from a ``LifelineError`` with "error:"
and no "Traceback"; anything else, or a case over its time limit, is a failure.

Usage::

    python tools/fuzz_attacks.py                  # 10,000 cases, seed 0
    python tools/fuzz_attacks.py --cases 200 --family names
    python tools/fuzz_attacks.py --seed 3 --case 17
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner, Result

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_inputs import _watchdog, lifeline_error  # noqa: E402

from lifeline import daskutil  # noqa: E402
from lifeline.cli import app  # noqa: E402
from lifeline.outdir import output_lock  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data"
TOML = (FIXTURES / "tiny.toml").read_text(encoding="utf-8")
TLE = (FIXTURES / "tiny.tle").read_text(encoding="ascii")
SWEEP = TOML + "\n[sweep]\n[sweep.gateways]\nprobability = 0.2\n"
#: A case over this is a hang. The slowest legitimate case is a silent scheduler: the connect
#: timeout is set to SCHEDULER_TIMEOUT_S below (the default 10 s would make 10,000 cases slow).
CASE_TIMEOUT_S = 30.0
SCHEDULER_TIMEOUT_S = 1.0

# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------


@dataclass
class Case:
    """Files to write (name → bytes), commands to run (argument lists with ``{dir}`` for the
    case's folder) and what a clean error must mention (any of ``names``)."""

    family: str
    files: dict[str, bytes]
    commands: list[list[str]]
    names: tuple[str, ...]
    note: str
    setup: Callable[[Path], object] | None = None


def _text_case(family, note, scenario=TOML, tle=TLE, extra=None, commands=None, names=()):
    files = {"s.toml": scenario.encode("utf-8", "surrogateescape"), "tiny.tle": tle.encode()}
    files.update(extra or {})
    commands = commands or [["validate", "{dir}/s.toml"], ["run", "{dir}/s.toml", "-q", "-w", "1",
                                                          "--out", "{dir}/out"]]  # fmt: skip
    return Case(family, files, commands, names or ("s.toml", "tiny.tle"), note)


def _weird_name(rng: random.Random) -> str:
    parts = ["[/]", "[bold red]", "[/bold red]", "\x1b[2J", "\x1b[31m", "\x07", "\r", "\t",
             "\u202e", "\u200b", "é", "名字", "\\", "'", '"', "[link=http://x]", ":smile:",
             "%s", "{0}", "$(x)", "`", "--", "..", "/"]  # fmt: skip
    return "".join(rng.choice(parts) for _ in range(rng.randint(1, 6))) + str(rng.randint(0, 99))


def _toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid TOML basic string


def out_path(rng: random.Random) -> Case:
    kind = rng.choice(["file", "below-file", "foreign", "locked", "read-only", "long", "weird",
                       "finished", "parts"])  # fmt: skip
    flags = rng.sample(["--resume", "--fresh", "--force"], rng.randint(0, 2))
    out = "{dir}/out"
    setup = None
    files = {}
    if kind == "file":
        files["out"] = b"not a folder"
    elif kind == "below-file":
        files["f"] = b"x"
        out = "{dir}/f/out"
    elif kind == "foreign":
        files["out/thesis.tex"] = b"mine"
        files["out/report.html"] = b"my report"
    elif kind == "read-only":
        out = "/proc/self/lifeline-out"
    elif kind == "long":
        out = "{dir}/" + "x" * rng.choice([255, 256, 300, 5000])
    elif kind == "weird":
        out = "{dir}/" + _weird_name(rng).replace("/", "_").replace("\x00", "")
    elif kind == "locked":
        setup = _hold_lock
    elif kind == "finished":
        files["out/summary.json"] = b'{"terminals": {}}'
    elif kind == "parts":
        files["out/.terminals.parts/manifest.json"] = rng.choice(
            [b'{"fingerprint": "x"}', b"", b"{not json", b"[]"]
        )
        files["out/.terminals.parts/steps-0000000000-0000000006.parquet"] = rng.choice(
            [b"", b"PAR1", b"garbage"]
        )
    case = _text_case("out_path", f"{kind} {' '.join(flags)}", extra=files)
    case.commands = [["run", "{dir}/s.toml", "-q", "-w", "1", "--out", out, *flags]]
    case.names = ("out", "s.toml", "--out", "lifeline-out", "x" * 20, "--resume", "--fresh")
    case.setup = setup
    return case


class _Held:
    """A lock another writer holds on the case's output folder while the case runs."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._cm = output_lock(folder, "lifeline run other.toml")
        self._cm.__enter__()

    def close(self) -> None:
        self._cm.__exit__(None, None, None)


def _hold_lock(folder: Path) -> _Held:
    return _Held(folder / "out")


def event_time(rng: random.Random) -> Case:
    seconds = ["0", "1e300", "-1e300", "1e18", "1e19", "9.3e18", "inf", "nan", "-0.0",
               str(2**63), str(2**64), "1e-300", "120", "119.999999"]  # fmt: skip
    stamps = ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59Z",
              "9999-12-31T23:59:59-01:00", "1677-09-21T00:12:43Z", "2262-04-11T23:47:16Z",
              "2022-08-17T12:00:00Z", "2022-08-17T12:01:00+23:59"]  # fmt: skip
    lines = []
    for key in rng.sample(["start_s", "end_s", "start_utc", "end_utc"], rng.randint(1, 3)):
        value = rng.choice(stamps) if key.endswith("utc") else rng.choice(seconds)
        lines.append(f"{key} = {value}")
    kind = rng.choice(
        ['kind = "gateway_outage"\ngateways = ["Muallim"]',
         'kind = "pop_outage"\npops = ["Frankfurt"]',
         'kind = "power_loss"\nterminals = ["Mariupol"]',
         'kind = "satellite_failure"\nfraction = 0.5\nseed = 1']
    )  # fmt: skip
    text = TOML + "\n[[events]]\n" + kind + "\n" + "\n".join(lines) + "\n"
    return _text_case("event_time", "; ".join(lines), scenario=text)


def shell_size(rng: random.Random) -> Case:
    sizes = [0, 1, 3, 10, 100, 1000, 10**5, 10**6, 10**10, 2**63, -1]
    planes, per_plane = rng.choice(sizes), rng.choice(sizes)
    shells = []
    for i in range(rng.randint(1, 3)):
        p = planes if i == 0 else rng.choice(sizes)
        shells.append(
            f'[[constellation.shells]]\nname = "s{i}"\naltitude_km = 550\ninclination_deg = 53\n'
            f"planes = {p}\nsats_per_plane = {per_plane}\nphasing = {rng.choice([0, 1])}\n"
        )
    text = TOML.replace('[constellation]\ntle_file = "tiny.tle"\n', "".join(shells))
    commands = [["validate", "{dir}/s.toml"]]  # a valid shell of thousands would run for long
    return _text_case("shell_size", f"{planes} x {per_plane}", scenario=text, commands=commands)


def nesting(rng: random.Random) -> Case:
    depth = rng.choice([1, 2, 10, 63, 64, 65, 100, 1000, 10_000, 100_000])
    opener, closer = rng.choice([("[", "]"), ("{a = ", "}")])
    if rng.random() < 0.5:
        value = opener * depth + "1" + closer * depth
        if opener == "{a = ":
            value = "{a = " * depth + "1" + "}" * depth
        text = TOML.replace("[network]", f"x = {value}\n\n[network]")
        return _text_case("nesting", f"toml {opener!r} x {depth}", scenario=text)
    route = '{"type": "LineString", "coordinates": ' + "[" * depth + "]" * depth + "}"
    text = TOML.replace(
        "lat_deg = 47.0958\nlon_deg = 37.5494",
        'lat_deg = 47.0958\nlon_deg = 37.5494\n[terminals.path]\ngeojson = "r.geojson"\n'
        "speed_kmh = 40",
    )
    case = _text_case("nesting", f"geojson [ x {depth}", scenario=text,
                      extra={"r.geojson": route.encode()})  # fmt: skip
    case.names += ("r.geojson",)
    return case


def encoding(rng: random.Random) -> Case:
    def encode(text: str) -> bytes:
        how = rng.choice(["bom", "crlf", "cr", "utf16", "latin1", "nul", "bom+crlf", "plain"])
        if how == "bom":
            return b"\xef\xbb\xbf" + text.encode()
        if how == "crlf":
            return text.replace("\n", "\r\n").encode()
        if how == "cr":
            return text.replace("\n", "\r").encode()
        if how == "utf16":
            return text.encode("utf-16")
        if how == "latin1":
            return text.replace("Mariupol", "Mariupöl").encode("latin-1")
        if how == "nul":
            at = rng.randrange(len(text))
            return (text[:at] + "\x00" + text[at:]).encode()
        if how == "bom+crlf":
            return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
        return text.encode()

    case = _text_case("encoding", "")
    case.files["s.toml"] = encode(TOML) if rng.random() < 0.6 else TOML.encode()
    case.files["tiny.tle"] = encode(TLE) if rng.random() < 0.6 else TLE.encode()
    return case


def names(rng: random.Random) -> Case:
    text = TOML
    for old in ('name = "Mariupol"', 'name = "Muallim"', 'name = "Frankfurt"'):
        if rng.random() < 0.7:
            text = text.replace(old, f"name = {_toml_string(_weird_name(rng))}")
    if rng.random() < 0.3:
        text = text.replace('name = "tiny"', f"name = {_toml_string(_weird_name(rng))}")
    case = _text_case("names", "", scenario=text)
    case.commands = [
        ["run", "{dir}/s.toml", "-w", "1", "--out", "{dir}/a"],
        ["compare", "{dir}/a", "{dir}/a"],
        ["report", "{dir}/a"],
    ]
    case.names = ("s.toml", "name")
    return case


_SERVERS: dict[str, int] = {}


def _serve(kind: str) -> int:
    """The port of this tool's own 127.0.0.1 server of ``kind`` (started once)."""
    if kind in _SERVERS:
        return _SERVERS[kind]
    sock = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def loop() -> None:
        while True:
            conn, _ = sock.accept()
            if kind == "ssh":
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
                held.append(conn)
            elif kind == "http":
                conn.recv(1024)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                conn.close()
            elif kind == "hangup":
                conn.close()
            else:  # silent
                held.append(conn)

    threading.Thread(target=loop, daemon=True).start()
    _SERVERS[kind] = sock.getsockname()[1]
    return _SERVERS[kind]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scheduler(rng: random.Random) -> Case:
    kind = rng.choice(["ssh", "silent", "hangup", "http", "closed", "typo", "typo", "typo"])
    if kind == "closed":
        address = f"tcp://127.0.0.1:{_free_port()}"
    elif kind == "typo":
        address = rng.choice(
            ["tcp//127.0.0.1:8786", "tcp://127.0.0.1", "127.0.0.1:", ":8786", "tcp://:", "",
             "tcp://127.0.0.1:-1", "tcp://127.0.0.1:65536", "tcp://127.0.0.1:8786/x",
             "udp://127.0.0.1:8786", "tcp://[::1:8786", "tcp://1.2.3.4.5:8786",
             "tcp://" + "a" * 300 + ":8786", "tcp://127.0.0.1:８７８６", _weird_name(rng),
             "tcp://127.0.0.1:8786\x00", " tcp://127.0.0.1:99999 ", "inproc://x"]
        )  # fmt: skip
    else:
        address = f"tcp://127.0.0.1:{_serve(kind)}"
    case = _text_case("scheduler", f"{kind} {address!r}", scenario=SWEEP)
    case.commands = [["sweep", "{dir}/s.toml", "-n", "1", "--scheduler", address, "-q",
                      "--out", "{dir}/sw"]]  # fmt: skip
    case.names = ("--scheduler",)
    return case


def run_folder(rng: random.Random) -> Case:
    good = {"scenario": "tiny", "terminals": {"Mariupol": {
        "availability_pct": 50.0, "rtt_ms_p50": 40.0, "rtt_ms_p95": 60.0, "handovers": 1,
        "outages": 1, "longest_outage_s": 10.0}}}  # fmt: skip
    summaries = [
        b"", b"{", b"[]", b"null", b'"x"', b"\xff\xfe\x00", b'{"terminals": 5}',
        b'{"terminals": {"a": 5}}', b'{"terminals": {"a": {"availability_pct": "x"}}}',
        b'{"terminals": {"a": {"availability_pct": NaN}}}',
        b'{"terminals": {"a": {"availability_pct": 1e999}}}',
        json.dumps(good).encode(), b'{"terminals": {"a": {"rtt_ms_p50": [1, 2]}}}',
        b"[" * 100_000, json.dumps({**good, "scenario": {"x": 1}}).encode(),
    ]  # fmt: skip
    files = {}
    for side in ("a", "b"):
        if rng.random() < 0.9:
            files[f"{side}/summary.json"] = rng.choice(summaries)
        if rng.random() < 0.5:
            files[f"{side}/terminals.parquet"] = rng.choice([b"", b"PAR1", b"PAR1" * 10])
        if rng.random() < 0.3:
            files[f"{side}/scenario.json"] = rng.choice([b"", b"{}", b"[", b'{"name": 5}'])
    case = Case(
        "run_folder",
        files,
        [["compare", "{dir}/a", "{dir}/b"], ["report", "{dir}/a"], ["report", "{dir}/b", "--png"]],
        ("summary.json", "terminals.parquet", "scenario.json", "/a", "/b"),
        ", ".join(sorted(files)),
    )
    return case


FAMILIES: dict[str, Callable[[random.Random], Case]] = {
    "out_path": out_path,
    "event_time": event_time,
    "shell_size": shell_size,
    "nesting": nesting,
    "encoding": encoding,
    "names": names,
    "scheduler": scheduler,
    "run_folder": run_folder,
}

# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    results: list[tuple[list[str], Result]] = field(default_factory=list)
    exits: list[int] = field(default_factory=list)


def _check(result: Result, step: str, names: tuple[str, ...]) -> list[str]:
    problems = []
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        problems.append(f"{step}: raised {type(exc).__name__}: {str(exc)[:200]}")
    if result.exit_code not in (0, 2):
        problems.append(f"{step}: exit code {result.exit_code}")
    if "Traceback" in result.output:
        problems.append(f"{step}: 'Traceback' in the output")
    if result.exit_code == 2:
        if "error:" not in result.output:
            problems.append(f"{step}: exit 2 without 'error:'")
        elif lifeline_error(result) is None and "Usage:" not in result.output:
            problems.append(f"{step}: exit 2 not caused by a LifelineError")
        elif not any(n in result.output for n in names) and "Usage:" not in result.output:
            problems.append(f"{step}: the message names none of {names}")
    if "\x1b" in result.output:
        problems.append(f"{step}: a raw escape code reached the terminal")
    return problems


def run_case(case: Case, folder: Path, runner: CliRunner) -> Outcome:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, data in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    outcome = Outcome()
    held = case.setup(folder) if case.setup else None
    try:
        for command in case.commands:
            args = [a.replace("{dir}", str(folder)) for a in command]
            step = " ".join(args[:1])
            try:
                with _watchdog(CASE_TIMEOUT_S):
                    result = runner.invoke(app, args)
            except Exception as exc:  # noqa: BLE001 - the watchdog firing outside invoke
                outcome.problems.append(f"{step}: {type(exc).__name__}: {exc}")
                break
            outcome.results.append((args, result))
            outcome.exits.append(result.exit_code)
            outcome.problems += _check(result, step, case.names)
    finally:
        if held is not None:
            held.close()
    return outcome


def describe(case: Case, outcome: Outcome) -> str:
    parts = [f"family: {case.family}", f"note: {case.note!r}", "problems:"]
    parts += [f"  {p}" for p in outcome.problems]
    for args, result in outcome.results:
        parts.append(f"--- {args}: exit {result.exit_code}")
        parts.append(result.output.rstrip()[:2000])
        if result.exc_info and not isinstance(result.exception, SystemExit):
            parts.append("".join(traceback.format_exception(*result.exc_info))[-3000:])
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="number of cases (10,000)")
    parser.add_argument("--seed", type=int, default=0, help="run seed (0)")
    parser.add_argument("--family", choices=sorted(FAMILIES), help="only this family")
    parser.add_argument("--case", type=int, help="re-run only this case index and show it")
    parser.add_argument("--save", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args(argv)
    daskutil.CONNECT_TIMEOUT_S = SCHEDULER_TIMEOUT_S
    families = [args.family] if args.family else sorted(FAMILIES)
    runner = CliRunner()
    tally: Counter[str] = Counter()
    exits: Counter[tuple[str, int]] = Counter()
    failures: list[int] = []
    started = time.perf_counter()
    indices = [args.case] if args.case is not None else range(args.cases)
    with tempfile.TemporaryDirectory(prefix="lifeline-attack-") as tmp:
        for n, i in enumerate(indices, start=1):
            rng = random.Random(f"lifeline-attack:{args.seed}:{i}")
            family = families[i % len(families)]
            case = FAMILIES[family](rng)
            outcome = run_case(case, Path(tmp) / "case", runner)
            tally[family] += 1
            for code in outcome.exits:
                exits[(family, code)] += 1
            if outcome.problems:
                failures.append(i)
                if len(failures) <= 10:
                    where = args.save / f"attack-seed{args.seed}-case{i}.txt"
                    where.parent.mkdir(parents=True, exist_ok=True)
                    where.write_text(describe(case, outcome), encoding="utf-8")
                    print(f"FAILURE case {i} ({family}, {case.note!r}): {outcome.problems[0]}")
            if args.case is not None:
                print(describe(case, outcome))
            if n % 500 == 0:
                print(f"{n:>6,} cases {time.perf_counter() - started:7.1f} s, "
                      f"{len(failures)} failures", flush=True)  # fmt: skip
    elapsed = time.perf_counter() - started
    total = sum(tally.values())
    print(f"\n{total:,} cases (seed {args.seed}) in {elapsed:.0f} s")
    for family in families:
        codes = ", ".join(f"exit {c}: {exits[(family, c)]:,}" for c in (0, 2) if exits[(family, c)])
        print(f"  {family:<11} {tally[family]:>6,} cases ({codes})")
    print(f"  failures (tracebacks, hangs, unclear errors): {len(failures):,}")
    if failures:
        print(f"      cases {', '.join(map(str, failures[:20]))}; re-run one with --case N")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
