"""The ``lifeline`` command, in-process through typer's CliRunner (lifeline/cli/).

The rule: bad input gets one clear message naming the file, the field or line,
the value and what is allowed, with exit code 2, and never a traceback. Runs use the tiny
fixture ``tests/data/tiny.toml`` (5 satellites from the shipped 2022-08-17 snapshot, 12 steps),
never the 24 h default preset.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lifeline.cli import DEFAULT_PRESET, app
from lifeline.presets import preset_names
from tests.helpers import ROOT, TINY, TINY_TLE, count_launched_by

# In this process: a worker pool would cost more than the run.
ONE_WORKER = ["--workers", "1"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A copy of the fixture scenario and its TLE file, free to edit."""
    shutil.copy(TINY, tmp_path / TINY.name)
    shutil.copy(TINY_TLE, tmp_path / TINY_TLE.name)
    return tmp_path / TINY.name


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _line_no(path: Path, fragment: str) -> int:
    """1-based number of the only line of `path` containing `fragment`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i for i, line in enumerate(lines, start=1) if fragment in line]
    assert len(hits) == 1, fragment
    return hits[0]


def _assert_clean_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    message = result.output
    assert message.startswith("error: "), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


# ----------------------------------------------------------------------------------------------
# presets, validate, run
# ----------------------------------------------------------------------------------------------


def test_presets_lists_each_preset_once_with_its_kind(runner):
    result = runner.invoke(app, ["presets"])
    assert result.exit_code == 0
    heads = [line for line in result.output.splitlines() if line and not line.startswith(" ")]
    # One head line per scenario preset and per sweep preset; the whole description follows
    # indented (tests/unit/test_cli_quiet.py checks it is whole).
    assert len(heads) == len(preset_names()) + 1
    assert "mariupol-2022  (scenario: lifeline run NAME)" in heads
    assert "mariupol-2022-sweep  (sweep: lifeline sweep NAME)" in heads


def test_validate_preset_prints_counts(runner):
    result = runner.invoke(app, ["validate", "mariupol-2022-lasers"])
    assert result.exit_code == 0, result.output
    # Counts from lifeline/presets/mariupol-2022.toml: 5 [[terminals]], "18 gateways, 3 PoPs"
    # (its generated block), 86400 s at 1 s steps.
    assert re.search(
        r"^mariupol-2022-lasers: ok \(\d+ satellites, \d+ laser links, 5 terminals, "
        r"18 gateways, 3 PoPs, 86400 steps\)$",
        result.output.splitlines()[0],
    ), result.output
    # Then what loading assumed: the preset says why its elements may be 98 days old.
    assert "accepted because: no public Starlink snapshot from May 2022" in result.output
    n_sats = int(re.search(r"(\d+) satellites", result.output).group(1))
    # The preset keeps the 2022-08-17 snapshot's satellites launched up to 2022-049.
    raw = (ROOT / "lifeline" / "data" / "starlink-2022-08-17.tle").read_text()
    assert n_sats == count_launched_by(raw, 2022, 49)
    # Lasers on the 710 satellites launched with them (references.md#laser-history); +Grid
    # gives each at most four links at a time, re-formed hourly over the day, so a few times
    # 2 x 710 links in all.
    links = int(re.search(r"(\d+) laser links", result.output).group(1))
    assert 2 * 710 * 0.5 < links <= 2 * 710 * 24
    # The default is bent pipe (no public record of lasers carrying users' traffic in 2022).
    default = runner.invoke(app, ["validate", "mariupol-2022"])
    assert ", 0 laser links," in default.output


def test_validate_fixture_prints_counts(runner):
    result = runner.invoke(app, ["validate", str(TINY)])
    assert result.exit_code == 0, result.output
    # tests/data: 5 records in tiny.toml's TLE file, bent pipe (isl = false), one site of each
    # kind, 120 s / 10 s.
    assert result.output == (
        f"{TINY}: ok (5 satellites, 0 laser links, 1 terminals, 1 gateways, 1 PoPs, 12 steps)\n"
    )


def test_run_json_writes_both_files_and_prints_the_summary(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(TINY), "--out", str(out), "--json", *ONE_WORKER])
    assert result.exit_code == 0, result.output
    assert (out / "terminals.parquet").is_file()
    printed = json.loads(result.stdout)
    written = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert printed["terminals"] == written["terminals"]
    assert printed["n_steps"] == 12
    assert set(printed["terminals"]) == {"Mariupol"}
    # Availability is the share of the written table's steps that are connected.
    connected = pd.read_parquet(out / "terminals.parquet")["connected"]
    assert printed["terminals"]["Mariupol"]["availability_pct"] == 100.0 * connected.mean()


def test_run_quiet_prints_nothing_on_stdout(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(TINY), "--out", str(out), "--quiet", *ONE_WORKER])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert (out / "summary.json").is_file() and (out / "terminals.parquet").is_file()


def test_run_help_shows_the_default_preset(runner):
    # `lifeline run` with no argument runs the 24 h default: too slow for a test, so only the
    # help is checked.
    assert DEFAULT_PRESET == "mariupol-2022"
    result = runner.invoke(app, ["run", "--help"])
    assert result.exit_code == 0
    assert "[default: mariupol-2022]" in result.output


# ----------------------------------------------------------------------------------------------
# Bad input: exit 2, one message naming file, field or line, value and what is allowed
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "run"])
def test_missing_file(runner, tmp_path, command):
    path = tmp_path / "nope.toml"
    result = runner.invoke(app, [command, str(path)])
    _assert_clean_error(
        result, f"{path} = '{path}'", "an existing scenario .toml file (not found)", "mariupol-2022"
    )


@pytest.mark.parametrize("command", ["validate", "run"])
def test_unknown_preset(runner, command):
    result = runner.invoke(app, [command, "mariupol-2023"])
    _assert_clean_error(
        result,
        "preset:mariupol-2023: preset = 'mariupol-2023'",
        "unknown preset; did you mean 'mariupol-2022'?",
        "presets: mariupol-2022, mariupol-2022-bentpipe",
    )


@pytest.mark.parametrize("command", ["validate", "run"])
def test_toml_syntax_error(runner, tiny, command):
    line = _line_no(tiny, "lat_deg = 47.0958")
    _edit(tiny, "lat_deg = 47.0958", "lat_deg = 47.09.58")
    result = runner.invoke(app, [command, str(tiny)])
    _assert_clean_error(
        result, f"{tiny}: line {line}, column ", "= 'lat_deg = 47.09.58'", "valid TOML ("
    )


@pytest.mark.parametrize("command", ["validate", "run"])
def test_latitude_out_of_range(runner, tiny, command):
    _edit(tiny, "lat_deg = 47.0958", "lat_deg = 123")
    result = runner.invoke(app, [command, str(tiny)])
    _assert_clean_error(result, f"{tiny}: terminals[0].lat_deg = 123: a number in -90..90")


@pytest.mark.parametrize("command", ["validate", "run"])
def test_unknown_key(runner, tiny, command):
    _edit(tiny, "isl = false", "isl = false\nisl_range_km = 100")
    result = runner.invoke(app, [command, str(tiny)])
    _assert_clean_error(
        result,
        f"{tiny}: network.isl_range_km = 100: unknown key 'isl_range_km'",
        "did you mean 'isl_max_range_km'?",
    )


@pytest.mark.parametrize("command", ["validate", "run"])
def test_tle_checksum_corrupted(runner, tiny, command):
    tle = tiny.parent / TINY_TLE.name
    lines = tle.read_text(encoding="ascii").splitlines()
    # Line 2 is the first record's line 1; CelesTrak's checksum rule: column 69 = sum mod 10.
    good = lines[1][68]
    bad = str((int(good) + 1) % 10)
    lines[1] = lines[1][:68] + bad
    tle.write_text("\n".join(lines) + "\n", encoding="ascii")
    result = runner.invoke(app, [command, str(tiny)])
    _assert_clean_error(
        result, f"{tle}:2: checksum mismatch: column 69 says {bad}, columns 1-68 give {good}"
    )


@pytest.mark.parametrize("command", ["validate", "run"])
def test_tle_line_truncated(runner, tiny, command):
    tle = tiny.parent / TINY_TLE.name
    lines = tle.read_text(encoding="ascii").splitlines()
    lines[2] = lines[2][:50]
    tle.write_text("\n".join(lines) + "\n", encoding="ascii")
    result = runner.invoke(app, [command, str(tiny)])
    _assert_clean_error(result, f"{tle}:3: TLE line 2 has 50 characters; expected 69")
