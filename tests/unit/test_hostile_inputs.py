"""Hostile inputs get one located line through the CLI, never a traceback.

Each case was found by attacking lifeline as a user might by mistake: a Walker shell of 10^10
satellites, TOML or GeoJSON nested thousands deep, a candidate gateway CSV with an impossible
elevation, a broken ``summary.json`` given to ``report`` or ``compare``, event times at the
ends of the time grid, a sweep seed past 64 bits. Every message must name the file, the field
(or line), the value and what is allowed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lifeline.api
from lifeline.cli import app
from lifeline.constants import MAX_CATALOG_NUMBER
from lifeline.io.depth import MAX_DEPTH, deep_path, first_deep_line, long_dotted_key
from tests.helpers import TINY, TINY_TLE, write_text

runner = CliRunner()


def _tiny_with(tmp_path: Path, replace: dict[str, str] | None = None, extra: str = "") -> Path:
    """tiny.toml (and its TLE) copied into `tmp_path`, with text replaced and lines appended."""
    text = TINY.read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    shutil.copy(TINY_TLE, tmp_path / TINY_TLE.name)
    return write_text(tmp_path / "scenario.toml", text + extra)


def _fails(args: list[str]) -> str:
    """The output of a CLI call that must end in a clean error (exit 2, one 'error:' line)."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("error: ")
    assert result.output.count("\n") == 1, result.output  # one line
    return result.output


# ----------------------------------------------------------------------------------------------
# Walker shells
# ----------------------------------------------------------------------------------------------


def _shell(planes: int, sats_per_plane: int) -> dict[str, str]:
    shell = (
        '[[constellation.shells]]\nname = "big"\naltitude_km = 550.0\ninclination_deg = 53.0\n'
        f"planes = {planes}\nsats_per_plane = {sats_per_plane}\nphasing = 0\n"
    )
    return {'[constellation]\ntle_file = "tiny.tle"\n': shell}


@pytest.mark.parametrize(
    ("planes", "sats_per_plane", "field", "most"),
    [
        (1000, 1000, "sats_per_plane", 339),  # 10^6 satellites: 339,999 // 1000 = 339 a plane
        (100_000, 100_000, "sats_per_plane", 3),  # 10^10
        (10**10, 1, "planes", MAX_CATALOG_NUMBER),  # 10^10 planes
    ],
)
def test_walker_shell_too_big(
    tmp_path: Path, planes: int, sats_per_plane: int, field: str, most: int
) -> None:
    # Before: ValueError "first_satnum = 1: satellites 1..10000000000 must lie in 1..339999"
    # from walker_delta, with a traceback, once the run started.
    path = _tiny_with(tmp_path, _shell(planes, sats_per_plane))
    out = _fails(["validate", str(path)])
    value = planes if field == "planes" else sats_per_plane
    assert f"scenario.toml: constellation.shells[0].{field} = {value}:" in out
    assert f"1..{most:,}" in out or f"1..{most}" in out
    assert "339,999 satellites" in out and "catalog number" in out


def test_walker_shell_at_the_limit_is_valid(tmp_path: Path) -> None:
    # 339,999 = 3 x 113,333 is the largest shell: it validates (it is not built here).
    path = _tiny_with(tmp_path, _shell(3, 113_333))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output


# ----------------------------------------------------------------------------------------------
# Nesting
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 500, 5000])
def test_deep_toml(tmp_path: Path, levels: int) -> None:
    # Before: RecursionError from tomllib (from ~400 levels) with a traceback; 65..400 levels
    # parsed and reached validation.
    path = _tiny_with(tmp_path, extra="\nx = " + "[" * levels + "]" * levels + "\n")
    out = _fails(["validate", str(path)])
    assert "scenario.toml" in out
    assert f"at most {MAX_DEPTH} levels of nested arrays and tables" in out
    line = TINY.read_text(encoding="utf-8").count("\n") + 2  # after tiny.toml and a blank line
    assert f"scenario.toml: line {line}" in out or "scenario.toml: pops[0].x[0]" in out


def test_deep_inline_tables(tmp_path: Path) -> None:
    path = _tiny_with(tmp_path, extra="\nx = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n")
    out = _fails(["validate", str(path)])
    assert "scenario.toml" in out and "nested" in out


def test_long_dotted_key(tmp_path: Path) -> None:
    # Before: tomllib keeps every prefix of a dotted key: 20,000 parts took 1.5 GB and 16 s.
    path = _tiny_with(tmp_path, extra="\n" + ".".join(["a"] * 20_000) + " = 1\n")
    out = _fails(["validate", str(path)])
    line = TINY.read_text(encoding="utf-8").count("\n") + 2  # after tiny.toml and a blank line
    assert f"scenario.toml: line {line} = " in out
    assert "keys of at most 64 parts" in out


def test_deep_geojson(tmp_path: Path) -> None:
    # Before: RecursionError from json (from ~1000 levels) with a traceback.
    write_text(tmp_path / "route.geojson", "[" * 5000 + "]" * 5000)
    extra = '\n[terminals.path]\ngeojson = "route.geojson"\nspeed_kmh = 5.0\n'
    path = _tiny_with(tmp_path, extra=extra)
    out = _fails(["validate", str(path)])
    assert "route.geojson" in out and f"at most {MAX_DEPTH} levels" in out


def test_depth_checks() -> None:
    # deep_path: the top level is level 1, so MAX_DEPTH nested lists pass and one more fails.
    ok: list = []
    for _ in range(MAX_DEPTH - 1):
        ok = [ok]
    assert deep_path(ok) is None
    assert deep_path([ok]) == (0,) * MAX_DEPTH
    assert deep_path({"a": {"b": 1}}, limit=1) == ("a",)
    assert first_deep_line("[]\n" + "[" * MAX_DEPTH + "\n[" + "]" * 66) == 3
    assert first_deep_line("[" * MAX_DEPTH + "]" * MAX_DEPTH) == 0
    assert long_dotted_key("x = 1\n" + ".".join(["k"] * 65) + " = 2\n") == 2
    assert long_dotted_key(".".join(["k"] * 64) + " = 2\n") is None


# ----------------------------------------------------------------------------------------------
# Candidate gateways for `plan`
# ----------------------------------------------------------------------------------------------


def _plan(tmp_path: Path, row: str) -> list[str]:
    path = _tiny_with(tmp_path)
    csv = write_text(
        tmp_path / "cand.csv", "name,lat_deg,lon_deg,alt_m,min_elevation_deg,max_satellites\n" + row
    )
    # --availability 100: Mariupol is short (tiny.toml has 11 of 12 steps), so candidates run.
    return [
        "plan", str(path), "--candidates", str(csv), "--availability", "100",
        "--out", str(tmp_path / "plan"), "--workers", "1",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "column", "value", "allowed"),
    [
        ("Near,47.2,37.6,0,200,8\n", "min_elevation_deg", "200.0", "a number in 0..90"),
        ("Near,47.2,37.6,0,-1,8\n", "min_elevation_deg", "-1.0", "a number in 0..90"),
        ("Near,47.2,37.6,20000,25,8\n", "alt_m", "20000.0", "a number in -500..9000"),
        ("Near,47.2,37.6,0,25,0\n", "max_satellites", "0", "an integer >= 1"),
    ],
)
def test_candidates_out_of_range(
    tmp_path: Path, row: str, column: str, value: str, allowed: str
) -> None:
    # Before: min_elevation_deg = 200 reached the planner and ended in a raw pydantic
    # ValidationError; alt_m and max_satellites were never read.
    out = _fails(_plan(tmp_path, row))
    assert f"cand.csv:2: {column} = {value}: {allowed}" in out


def _gateways_added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row: str) -> list:
    """Plan with one candidate `row` and return the gateways named "Near" the planner ran."""
    added = []
    real_run = lifeline.api.run

    def spy(scenario, **kwargs):
        added.extend(g for g in scenario.gateways if g.name == "Near")
        return real_run(scenario, **kwargs)

    monkeypatch.setattr(lifeline.api, "run", spy)
    result = runner.invoke(app, _plan(tmp_path, row))
    assert result.exit_code == 0, result.output
    return added


def test_candidate_columns_are_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: min_elevation_deg = 0 became 25 (`or 25.0`) and alt_m, max_satellites were
    # dropped. The gateway the planner adds must carry the row's values.
    added = _gateways_added(tmp_path, monkeypatch, "Near,47.2,37.6,120,0,3\n")
    assert len(added) == 1
    assert (added[0].alt_m, added[0].min_elevation_deg, added[0].max_satellites) == (120.0, 0, 3)


def test_candidate_empty_cells_take_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    added = _gateways_added(tmp_path, monkeypatch, "Near,47.2,37.6,,,\n")
    # [[gateways]] defaults (lifeline.config.sites.Gateway): 0 m, 25 deg, 8 satellites.
    assert (added[0].alt_m, added[0].min_elevation_deg, added[0].max_satellites) == (0.0, 25.0, 8)


# ----------------------------------------------------------------------------------------------
# summary.json for report and compare
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run of tiny.toml (its folder is copied, never changed)."""
    out = tmp_path_factory.mktemp("run") / "out"
    result = runner.invoke(app, ["run", str(TINY), "--quiet", "--out", str(out), "-w", "1"])
    assert result.exit_code == 0, result.output
    return out


def _broken(tmp_path: Path, run_folder: Path, summary: str) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(run_folder, folder)
    (folder / "summary.json").write_text(summary, encoding="utf-8")
    return folder


def _edit(run_folder: Path, edit) -> str:
    data = json.loads((run_folder / "summary.json").read_text(encoding="utf-8"))
    edit(data)
    return json.dumps(data)


BROKEN_SUMMARIES = {
    # name: (summary text or an edit of the real one, text the message must hold)
    "empty": (lambda rf: "", "summary.json:1: 'Expecting value': valid JSON"),
    "truncated": (
        lambda rf: (rf / "summary.json").read_text()[:50],
        "summary.json",
    ),
    "a list": (
        lambda rf: "[1, 2]",
        "summary.json: terminals = 'a JSON list': an object of terminals",
    ),
    "terminals not an object": (
        lambda rf: _edit(rf, lambda d: d.update(terminals=["Mariupol"])),
        "summary.json: terminals = ['Mariupol']: an object of terminals",
    ),
    "terminal not an object": (
        lambda rf: _edit(rf, lambda d: d["terminals"].update(Mariupol=3)),
        "summary.json: terminals['Mariupol'] = 3: an object of figures",
    ),
    "figure a string": (
        lambda rf: _edit(rf, lambda d: d["terminals"]["Mariupol"].update(rtt_ms_p50="fast")),
        "summary.json: terminals['Mariupol'].rtt_ms_p50 = 'fast': a finite number or null",
    ),
    "figure NaN": (
        lambda rf: (rf / "summary.json")
        .read_text()
        .replace('"availability_pct": ', '"availability_pct": NaN, "x": '),
        "terminals['Mariupol'].availability_pct = nan: a finite number or null",
    ),
    "step_s zero": (
        lambda rf: _edit(rf, lambda d: d.update(step_s=0)),
        "summary.json: step_s = 0: a finite number > 0",
    ),
    "start_utc not a time": (
        lambda rf: _edit(rf, lambda d: d.update(start_utc="noon")),
        "summary.json: start_utc = 'noon': an ISO 8601 date-time string",
    ),
    "deep": (
        lambda rf: '{"terminals": ' + "[" * 5000 + "]" * 5000 + "}",
        f"at most {MAX_DEPTH} levels of nested arrays and objects",
    ),
}


@pytest.mark.parametrize("command", ["report", "compare"])
@pytest.mark.parametrize("case", sorted(BROKEN_SUMMARIES))
def test_broken_summary(tmp_path: Path, run_folder: Path, command: str, case: str) -> None:
    # Before: a summary that is JSON but not a lifeline summary crashed `compare` (TypeError,
    # KeyError) and `report` (ValueError, TypeError deep in the page code), with a traceback.
    make, expected = BROKEN_SUMMARIES[case]
    folder = _broken(tmp_path, run_folder, make(run_folder))
    args = ["report", str(folder), "--quiet"] if command == "report" else [
        "compare", str(run_folder), str(folder)
    ]  # fmt: skip
    out = _fails(args)
    assert str(folder / "summary.json") in out
    assert expected in out


def test_compare_needs_the_terminals(tmp_path: Path, run_folder: Path) -> None:
    # The report takes the terminals from terminals.parquet; compare has only the summaries.
    folder = _broken(tmp_path, run_folder, _edit(run_folder, lambda d: d.pop("terminals")))
    out = _fails(["compare", str(run_folder), str(folder)])
    assert f"{folder / 'summary.json'}: terminals = None: an object of terminals" in out
    assert runner.invoke(app, ["report", str(folder), "-q"]).exit_code == 0


def test_missing_summary(tmp_path: Path, run_folder: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(run_folder, folder)
    (folder / "summary.json").unlink()
    out = _fails(["compare", str(run_folder), str(folder)])
    assert f"{folder / 'summary.json'} = 'missing'" in out or "missing" in out


# ----------------------------------------------------------------------------------------------
# Event times and sweep seeds
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (
            "start_utc = 9999-12-31T23:59:59-01:00",
            "events[0].start_utc = '9999-12-31T23:59:59-01:00': a date-time in "
            "1678-01-01..2262-01-01",
        ),
        (
            "start_utc = 0001-01-01T00:00:00Z",
            "events[0].start_utc = '0001-01-01T00:00:00+00:00': a date-time in "
            "1678-01-01..2262-01-01",
        ),
        ("start_s = -1.0", "events[0].start_s = -1.0: a number >= 0"),
        ("start_s = 1e400", "events[0].start_s = inf: a number >= 0"),
    ],
)
def test_event_time_outside_the_grid(tmp_path: Path, window: str, message: str) -> None:
    # Before (as reported): an [[events]] time far outside the datetime range ended in an
    # OverflowError; the config layer now bounds every date-time to the nanosecond grid.
    event = f'\n[[events]]\nkind = "gateway_outage"\ngateways = ["Muallim"]\n{window}\n'
    out = _fails(["validate", str(_tiny_with(tmp_path, extra=event))])
    assert f"scenario.toml: {message}" in out


@pytest.mark.parametrize("window", ["start_s = 1e308", "end_s = 1e308", "start_s = 9e18"])
def test_event_far_after_the_run_is_harmless(tmp_path: Path, window: str) -> None:
    # A window that starts after the run (or ends at 1e308 s) is valid: it runs, no overflow.
    event = f'\n[[events]]\nkind = "gateway_outage"\ngateways = ["Muallim"]\n{window}\n'
    path = _tiny_with(tmp_path, extra=event)
    result = runner.invoke(app, ["run", str(path), "-q", "--out", str(tmp_path / "o"), "-w", "1"])
    assert result.exit_code == 0, result.output


def test_sweep_seed_past_64_bits(tmp_path: Path) -> None:
    # Before: OverflowError "Python int too large to convert to C long" from pyarrow when the
    # first sample was written, with a traceback.
    path = _tiny_with(tmp_path, extra='\n[sweep]\n[sweep.grid]\n"radio.margin_db" = [0.0]\n')
    seed = str(2**70)
    args = ["sweep", str(path), "--seed", seed, "-n", "1", "-w", "1", "-q"]
    out = _fails([*args, "--out", str(tmp_path / "s")])
    assert f"--seed = {seed}" in out and "0..9223372036854775807" in out
