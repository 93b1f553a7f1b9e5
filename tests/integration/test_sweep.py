"""Sweeps (lifeline/sweep.py, lifeline sweep): samples equal standalone runs, determinism,
resume after a kill, a separately started Dask scheduler, and errors in the [sweep] table.

Every expected figure here is the engine's own result for the same scenario variant
(``lifeline.run``), which tests/integration/test_engine.py checks against brute force; a sweep must
reproduce it exactly, so comparisons are exact.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import lifeline
import lifeline.sweep as sweep_runner
from lifeline.cli import app
from lifeline.config import load_sweep
from lifeline.engine import SharedInputsCache
from lifeline.engine import shared as engine_shared
from lifeline.errors import ScenarioError
from lifeline.geo import great_circle_km
from lifeline.sweep import (
    FIGURES,
    plan_samples,
    run_sample,
    run_sweep,
    sample_seed,
)
from tests.helpers import DATA, ROOT, write_text

# End-to-end runs (seconds each): outside the quick loop `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

# tiny.toml has one terminal and one gateway; a second terminal (Azovstal, references.md#sites) and
# a
# power-loss event on it let a terminal-count draw give an invalid variant (a failing sample).
TINY_SWEEP = f"""
extends = "{(DATA / "tiny.toml").as_posix()}"
name = "tiny-sweep"

[[terminals]]
name = "Mariupol"
lat_deg = 47.0958
lon_deg = 37.5494

[[terminals]]
name = "Azovstal"
lat_deg = 47.098
lon_deg = 37.610

[sweep.gateways]
probability = 0.3

[sweep.satellite_failure]
fraction = [0.0, 0.6]

[sweep.grid]
"network.min_elevation_deg" = [25.0, 40.0]
"""


def _write(tmp_path: Path, text: str, name: str = "sweep.toml") -> Path:
    return write_text(tmp_path / name, text)


@pytest.fixture
def tiny_sweep(tmp_path):
    return _write(tmp_path, TINY_SWEEP)


def _results(out: Path) -> pd.DataFrame:
    # elapsed_s is wall time, the one column that may differ between identical runs.
    return pd.read_parquet(out / "sweep.parquet").drop(columns="elapsed_s")


def test_each_sample_equals_a_standalone_run_of_its_variant(tiny_sweep, caplog):
    caplog.set_level(logging.ERROR)
    sw = load_sweep(tiny_sweep)
    specs = plan_samples(sw, 4, seed=11)
    assert len(specs) == 8  # 4 draws x 2 grid points
    built = []
    real_build = engine_shared.build_constellation
    with pytest.MonkeyPatch.context() as mp:
        # Nothing kept from earlier tests.
        mp.setattr(sweep_runner, "SAMPLE_INPUTS", SharedInputsCache())
        mp.setattr(engine_shared, "build_constellation", lambda s: built.append(1) or real_build(s))
        level = logging.getLogger("lifeline").level
        frames = [run_sample(spec).set_index("terminal") for spec in specs]
    # A sample quiets lifeline's log only while it runs (an in-process sweep once left it at
    # ERROR for the rest of the session).
    assert logging.getLogger("lifeline").level == level
    # Samples share the satellites, ephemerides and geometry: one constellation for all eight
    # (both grid points change only the terminals' mask, which is not a shared input).
    assert len(built) == 1
    for spec, frame in zip(specs, frames, strict=True):
        alone = lifeline.run(spec.scenario, workers=1).summary["terminals"]
        for name, figures in alone.items():
            for f in FIGURES:
                got, want = frame.loc[name, f], figures[f]
                assert (pd.isna(got) and want is None) or got == want, (spec.sample, name, f)


def test_draws_are_fixed_by_the_seed_whatever_the_sample_count_or_grid_point(tiny_sweep):
    sw = load_sweep(tiny_sweep)
    few, more = plan_samples(sw, 3, seed=5), plan_samples(sw, 6, seed=5)
    assert [s.values for s in few[:3]] == [s.values for s in more[:3]]
    # Grid point 1 repeats grid point 0's draws (common random numbers).
    unknowns = [{k: v for k, v in s.values.items() if not k.startswith("grid:")} for s in more]
    assert unknowns[:6] == unknowns[6:]
    assert [s.sample_seed for s in more[:6]] == [sample_seed(5, d) for d in range(6)]
    other = plan_samples(sw, 3, seed=6)
    assert [s.values for s in other] != [s.values for s in few]


def test_same_seed_same_table_and_seeds_are_recorded(tiny_sweep, tmp_path):
    sw = load_sweep(tiny_sweep)
    a = run_sweep(sw, tmp_path / "a", 5, seed=3, workers=1)
    run_sweep(sw, tmp_path / "b", 5, seed=3, workers=1)
    pd.testing.assert_frame_equal(_results(tmp_path / "a"), _results(tmp_path / "b"))
    table = a.table
    assert set(table["seed"]) == {3}
    assert table.groupby("sample")["sample_seed"].nunique().eq(1).all()
    assert json.loads((tmp_path / "a" / "sweep.json").read_text())["seed"] == 3
    assert a.summary["samples"] == 10


def test_a_failing_sample_is_reported_with_its_values_and_the_sweep_goes_on(tmp_path):
    text = TINY_SWEEP + (
        '\n[[events]]\nkind = "power_loss"\nterminals = ["Azovstal"]\n'
        "\n[sweep.terminals]\ncount = [1, 2]\n"
    )
    sw = load_sweep(_write(tmp_path, text))
    seen = []
    result = run_sweep(
        sw, tmp_path / "out", 6, seed=1, workers=1, on_failure=lambda s, e: seen.append((s, e))
    )
    failed = result.table[result.table["status"] == "failed"]
    ok = result.table[result.table["status"] == "ok"]
    # A variant keeping only Mariupol leaves the power-loss event naming Azovstal: invalid.
    assert set(failed["terminals_count"]) == {1}
    assert set(ok["terminals_count"]) == {2}
    assert len(seen) == failed["sample"].nunique() > 0
    spec, error = seen[0]
    assert spec.values["terminals_count"] == 1 and "Azovstal" in error
    assert result.summary["failed"] == len(seen)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from lifeline.cli import app; app()", *args]


def _kill_midway(cmd: list[str], samples_dir: Path, sig: int) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if samples_dir.is_dir() and len(list(samples_dir.glob("*.parquet"))) >= 5:
            break
        time.sleep(0.01)
    os.kill(proc.pid, sig)
    _, proc.stderr_text = proc.communicate(timeout=30)
    return proc


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_resume_after_a_kill_gives_the_uninterrupted_result(tiny_sweep, tmp_path, sig):
    out = tmp_path / "killed"
    n = 30  # x 2 grid points, ~20 ms each: longer than the wait for the first 5 files
    cmd = _cli("sweep", str(tiny_sweep), "-n", str(n), "--seed", "9", "-w", "1", "-q")
    proc = _kill_midway([*cmd, "--out", str(out)], out / "samples", sig)
    assert not (out / "sweep.parquet").exists(), "the sweep finished before it was killed"
    done = sorted((out / "samples").glob("*.parquet"))
    assert 5 <= len(done) < 2 * n
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert b"--resume" in proc.stderr_text
    # A leftover temporary file and a garbage file under a sample's name are not results.
    (out / "samples" / ".g0001-d000149.parquet.x.partial").write_bytes(b"PAR1 half")
    (out / "samples" / "g0001-d000028.parquet").write_bytes(b"not parquet")

    sw = load_sweep(tiny_sweep)
    resumed = run_sweep(sw, out, n, seed=9, workers=1, resume=True)
    assert resumed.reused == len(done) and resumed.ran == 2 * n - len(done)
    run_sweep(sw, tmp_path / "whole", n, seed=9, workers=1)
    pd.testing.assert_frame_equal(_results(out), _results(tmp_path / "whole"))


def test_resume_refuses_another_seed_and_a_rerun_needs_resume(tiny_sweep, tmp_path):
    sw = load_sweep(tiny_sweep)
    run_sweep(sw, tmp_path / "o", 2, seed=1, workers=1)
    with pytest.raises(ScenarioError) as err:
        run_sweep(sw, tmp_path / "o", 2, seed=2, workers=1, resume=True)
    assert err.value.field == "seed" and "--resume only finishes" in err.value.allowed
    with pytest.raises(ScenarioError) as err:
        run_sweep(sw, tmp_path / "o", 2, seed=1, workers=1)
    assert "--resume" in err.value.allowed


@pytest.fixture
def dask_scheduler(tmp_path):
    """A Dask scheduler and one worker started as separate processes on localhost."""
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
    assert dask is not None
    file = tmp_path / "scheduler.json"
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
            + ["--scheduler-file", str(file)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not file.is_file() and time.monotonic() < deadline:
            time.sleep(0.05)
        address = json.loads(file.read_text())["address"]
        procs.append(
            subprocess.Popen(
                [dask, "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=30)


def test_sweep_on_a_separately_started_dask_scheduler(tiny_sweep, tmp_path, dask_scheduler):
    sw = load_sweep(tiny_sweep)
    run_sweep(sw, tmp_path / "dask", 3, seed=4, scheduler=dask_scheduler)
    run_sweep(sw, tmp_path / "local", 3, seed=4, workers=1)
    pd.testing.assert_frame_equal(_results(tmp_path / "dask"), _results(tmp_path / "local"))


def test_cli_prints_distributions_and_what_matters(tiny_sweep, tmp_path):
    res = CliRunner().invoke(
        app, ["sweep", str(tiny_sweep), "-n", "4", "-w", "1", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 0, res.output
    assert "availability [%], RTT p50 [ms], throughput p50 down / up [Mbit/s]" in res.output
    # 8 samples a terminal (4 draws x 2 grid points): fewer than a correlation needs
    # (lifeline.stats.MIN_CORRELATION_SAMPLES), so the table says so instead of a rho.
    assert "Spearman" in res.output and "only 8 samples; correlations need 10" in res.output
    assert (tmp_path / "o" / "sweep-report.html").is_file()
    table = pd.read_parquet(tmp_path / "o" / "sweep.parquet")
    assert len(table) == 4 * 2 * 2  # draws x grid points x terminals


def test_sweep_preset_is_a_one_hour_default_scenario():
    # Loaded by path: the installed lookup (sweep_preset_names) needs the package-data entry.
    sw = load_sweep(ROOT / "lifeline" / "presets" / "sweeps" / "mariupol-2022-sweep.toml")
    assert sw.base.time.duration_s == 3600.0
    assert len(sw.base.gateways) == len(lifeline.load_scenario("mariupol-2022").gateways)
    spec = plan_samples(sw, 1, seed=0)[0]
    assert spec.scenario is not None and spec.error is None
    # The sweep preset's four unknowns: gateway losses, satellite failures, rain and jammer EIRP.
    for key in ("gateways_lost", "satellite_failure_fraction", "rain_mm_h", "jammer_eirp_dbw"):
        assert key in spec.values


def test_rain_and_jammer_draws_reach_the_runs(tmp_path):
    """A jammer drawn within 5 km of the terminal (40 dBW over the user channel: the jammed
    preset's 30 dBW estimate + 10 dB) cuts it off with reason jammed when present, and does
    nothing when absent; rain is drawn within its range and lands in the variant's [[rain]]."""
    text = f"""
extends = "{(DATA / "tiny.toml").as_posix()}"
name = "rain-jam"

# The highest satellite, so an outage is the jammer's where there is one: the default
# min-RTT choice may take a lower satellite that 100-200 mm/h of rain alone cuts off.
[network]
serving_policy = "max_elevation"

[sweep.rain]
lat_deg = 47.0958
lon_deg = 37.5494
radius_km = 20
rate_mm_h = [100, 200]
probability = 0.5

[sweep.jammer]
lat_deg = 47.0958
lon_deg = 37.5494
radius_km = 5
eirp_dbw = 40
bandwidth_mhz = 240
probability = 0.5
"""
    sw = load_sweep(_write(tmp_path, text))
    specs = plan_samples(sw, 12, seed=4)
    jammed = clear = 0
    for spec in specs:
        v, sc = spec.values, spec.scenario
        assert sc is not None
        if v["rain_mm_h"] > 0:
            assert 100 <= v["rain_mm_h"] <= 200 and sc.rain[-1].rate_mm_h == v["rain_mm_h"]
        else:
            assert not sc.rain
        if not v["jammer_present"]:
            assert not sc.jammers
            continue
        j = sc.jammers[-1]
        offset = great_circle_km(47.0958, 37.5494, j.lat_deg, j.lon_deg)
        assert offset == pytest.approx(v["jammer_offset_km"], abs=1e-6) and offset <= 5.0
        summary = lifeline.run(sc, workers=1).summary["terminals"]["Mariupol"]
        assert summary["availability_pct"] == 0.0
        # 100-200 mm/h of rain alone closes no MODCOD on the uplink (14.25 GHz), so with rain the
        # terminal is already out for low SINR before the jammer counts.
        reasons = summary["outage_s_by_reason"]
        assert "jammed" in reasons or (v["rain_mm_h"] > 0 and "low_sinr" in reasons)
        jammed += "jammed" in reasons
    for spec in specs:
        if not spec.values["jammer_present"] and spec.values["rain_mm_h"] == 0:
            assert (
                lifeline.run(spec.scenario, workers=1).summary["terminals"]["Mariupol"][
                    "availability_pct"
                ]
                > 0
            )
            clear += 1
    assert jammed >= 1 and clear >= 1  # both cases exercised with this seed


@pytest.mark.parametrize(
    ("table", "field", "allowed"),
    [
        ("[sweep.gatways]\nprobability = 0.1", "sweep.gatways", "unknown key 'gatways'"),
        (
            "[sweep.rain]\nlat_deg = 47.1\nlon_deg = 37.5\nradius_km = 10\nrate_mm_h = [0, 300]",
            "sweep.rain.rate_mm_h",
            "0.001..250",
        ),
        (
            "[sweep.jammer]\nlat_deg = 47.1\nlon_deg = 37.5\neirp_dbw = 30",
            "sweep.jammer.bandwidth_mhz",
            "required",
        ),
        ("[sweep.gateways]\nprobability = 1.5", "sweep.gateways.probability", "0..1"),
        ("[sweep.gateways]\nlost = 1\nprobability = 0.1", "sweep.gateways", "exactly one"),
        ('[sweep.gateways]\namong = ["Nowhere"]\nlost = 1', "sweep.gateways.among[0]", "Muallim"),
        ("[sweep.gateways]\nlost = 2", "sweep.gateways.lost", "1 gateways"),
        (
            "[sweep.satellite_failure]\nfraction = [0.5, 0.1]",
            "sweep.satellite_failure.fraction",
            "min <= max",
        ),
        (
            '[[sweep.regions]]\nname = "r"\nprobability = 0.5\ncenter_lat_deg = 47.0',
            "sweep.regions[0]",
            "exactly one region",
        ),
        ('[sweep.grid]\n"network.isll" = [true]', 'sweep.grid."network.isll"', "isll"),
        (
            '[sweep.grid]\n"terminals[3].alt_m" = [1.0]',
            'sweep.grid."terminals[3].alt_m"',
            "no entry 3",
        ),
        (
            '[sweep.grid]\n"network.min_elevation_deg" = [95.0]',
            'sweep.grid."network.min_elevation_deg"',
            "0..90",
        ),
        ("", "sweep", "a [sweep] table"),
    ],
)
def test_bad_sweep_table_names_the_field(tmp_path, table, field, allowed):
    base = f'extends = "{(DATA / "tiny.toml").as_posix()}"\nname = "bad"\n'
    path = _write(tmp_path, base + table + "\n")
    with pytest.raises(ScenarioError) as err:
        load_sweep(path)
    assert err.value.file == str(path)
    assert err.value.field == field
    assert allowed in err.value.allowed, err.value.allowed


def test_cli_error_is_one_line_and_exit_2(tmp_path):
    path = _write(tmp_path, f'extends = "{(DATA / "tiny.toml").as_posix()}"\nname = "x"\n')
    res = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "sweep" in res.output and "Traceback" not in res.output
