"""A long single run interrupted midway (SIGKILL, Ctrl-C) keeps its finished chunks, and
``lifeline run --resume`` finishes only the missing ones with the uninterrupted result.

The expected result is the same scenario run without interruption (exact comparison: chunks
are independent and deterministic, docs/architecture.md).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import lifeline
from lifeline.results import PARTS_DIR
from tests.helpers import DATA

# End-to-end runs (seconds each): outside the quick loop `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

# tiny.toml over 6 hours at 10-s steps: 36 chunks of 10 minutes, long enough to be killed midway.
LONG = f"""
extends = "{(DATA / "tiny.toml").as_posix()}"
name = "tiny-long"

[time]
duration_s = 21600
"""


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from lifeline.cli import app; app()", *args]


def _summary(out: Path) -> dict:
    summary = json.loads((out / "summary.json").read_text())
    summary.pop("elapsed_s")
    return summary


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> tuple[Path, Path]:
    """(scenario file, folder of its uninterrupted run)."""
    folder = tmp_path_factory.mktemp("long")
    scenario = folder / "long.toml"
    scenario.write_text(LONG)
    lifeline.run(scenario, folder / "whole", workers=1)
    return scenario, folder / "whole"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_run_resumes_to_the_uninterrupted_result(tmp_path, sig, whole):
    scenario, whole = whole

    out = tmp_path / "killed"
    parts = out / PARTS_DIR
    proc = subprocess.Popen(
        _cli("run", str(scenario), "-o", str(out), "-q", "-w", "1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if parts.is_dir() and len(list(parts.glob("*.parquet"))) >= 3:
            break
        time.sleep(0.005)
    os.kill(proc.pid, sig)
    _, stderr = proc.communicate(timeout=60)
    done = sorted(parts.glob("*.parquet"))
    assert 3 <= len(done) < 36, "the run finished before it was killed"
    assert not (out / "terminals.parquet").exists()  # nothing that looks complete
    assert not (out / "summary.json").exists()
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and b"--resume" in stderr

    # A run of another scenario may not take these chunks over.
    other = tmp_path / "other.toml"
    other.write_text(LONG.replace("21600", "20400"))
    refused = subprocess.run(
        _cli("run", str(other), "-o", str(out), "-q", "--resume"), capture_output=True
    )
    assert refused.returncode == 2 and b"another scenario" in refused.stderr

    before = {p.name: p.stat().st_mtime_ns for p in done}
    subprocess.run(
        _cli("run", str(scenario), "-o", str(out), "-q", "-w", "1", "--resume"), check=True
    )
    assert not parts.exists()  # merged and removed
    # Chunks kept from the killed run were read back, not recomputed: same files, untouched.
    assert set(before) <= {p.name for p in done}
    got, want = pq.read_table(out / "terminals.parquet"), pq.read_table(whole / "terminals.parquet")
    assert got.schema.equals(want.schema, check_metadata=True)
    pd.testing.assert_frame_equal(got.to_pandas(), want.to_pandas())  # NaN == NaN here
    assert _summary(out) == _summary(whole)
