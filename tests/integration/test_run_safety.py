"""`lifeline run` never loses or mixes finished work and fails in one line on a bad --out.

Cases (each once broke: a traceback, a silent overwrite or a silent loss): --out is a file, is
read-only, is on a full disk (a real 64 KiB tmpfs when the tests run as root), is someone
else's folder, is being written by another run; finished chunks of an interrupted run without
--resume (kept and refused) or with --fresh (discarded, said so); --resume of a finished run
(nothing recomputed); a 0-byte chunk file after a power loss (computed again, same result); a
corrupt manifest (named as such); the temporary files a kill leaves (removed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import lifeline
from lifeline.cli import app
from lifeline.outdir import LOCK_FILE
from lifeline.results import PARTS_DIR
from tests.helpers import ROOT, TINY

pytestmark = pytest.mark.slow

# tiny.toml over 20 minutes at 10-s steps: 2 chunks of 10 minutes.
TWO_CHUNKS = f"""
extends = "{TINY.as_posix()}"
name = "tiny-two-chunks"

[time]
duration_s = 1200
"""


@pytest.fixture
def scenario(tmp_path) -> Path:
    path = tmp_path / "two.toml"
    path.write_text(TWO_CHUNKS)
    return path


def _run(*args: str):
    return CliRunner().invoke(app, ["run", *args, "-q", "-w", "1"])


def _one_line_error(result, *fragments: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def _interrupted(scenario: Path, out: Path) -> list[Path]:
    """The run stopped after its first chunk, as a kill leaves it (chunk files, no outputs)."""
    whole = out.parent / "whole-for-parts"
    lifeline.run(scenario, whole, workers=1, report=False)
    # Re-create what an interruption after chunk 1 leaves: chunks are written by the engine in
    # RunCheckpoint; a resumed run must read them back.
    from lifeline.api import run_fingerprint
    from lifeline.config import load_scenario
    from lifeline.results import RunCheckpoint

    sc = load_scenario(scenario)
    cp = RunCheckpoint(out, run_fingerprint(sc), resume=False)
    table = pq.read_table(whole / "terminals.parquet")
    first = table.slice(0, 60)  # 60 steps x 1 terminal: the first chunk
    cp.save(0, 60, first, {"sgp4_error_samples": 0, "out_of_band_samples": 0})
    return sorted((out / PARTS_DIR).glob("steps-*.parquet"))


def test_out_is_a_file(tmp_path, scenario):
    out = tmp_path / "results.txt"
    out.write_text("mine")
    _one_line_error(_run(str(scenario), "--out", str(out)), "is a file, not a folder")
    assert out.read_text() == "mine"


def test_out_is_read_only(tmp_path, scenario):
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)], capture_output=True
    ).returncode == 0
    if not mounted:
        if os.geteuid() == 0:
            pytest.skip("root ignores permissions and cannot mount here")
        folder.chmod(0o555)
    try:
        line = _one_line_error(_run(str(scenario), "--out", str(folder / "out")))
        assert "read-only" in line or "permission denied" in line
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)])


def test_out_on_a_full_disk(tmp_path, scenario):
    folder = tmp_path / "small"
    folder.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True
    ).returncode:
        pytest.skip("cannot mount a small tmpfs (needs root)")
    try:
        line = _one_line_error(_run(str(scenario), "--out", str(folder / "out")))
        assert "the disk is full" in line
        assert not list((folder / "out").glob(".*.partial"))  # nothing half-written left
    finally:
        subprocess.run(["umount", "-l", str(folder)])


def test_someone_elses_folder_needs_force(tmp_path, scenario):
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tex").write_text("mine")
    _one_line_error(
        _run(str(scenario), "--out", str(home)), "holds 1 files that are not lifeline output"
    )
    assert sorted(p.name for p in home.iterdir()) == ["thesis.tex"]
    assert _run(str(scenario), "--out", str(home), "--force").exit_code == 0
    assert (home / "thesis.tex").read_text() == "mine" and (home / "summary.json").is_file()


def test_finished_chunks_are_never_dropped_silently(tmp_path, scenario):
    out = tmp_path / "out"
    kept = _interrupted(scenario, out)
    assert len(kept) == 1
    _one_line_error(
        _run(str(scenario), "--out", str(out)),
        "holds 1 finished chunks of an interrupted run",
        "add --resume to finish that run, or --fresh",
    )
    assert kept[0].is_file()
    fresh = subprocess.run(
        [sys.executable, "-c", "from lifeline.cli import app; app()", "run", str(scenario),
         "--out", str(out), "-q", "-w", "1", "--fresh"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert fresh.returncode == 0, fresh.stderr
    assert "discarding 1 finished chunks of an earlier run (--fresh)" in fresh.stderr


def test_resume_reads_kept_chunks_and_recomputes_an_empty_one(tmp_path, scenario):
    whole = tmp_path / "whole"
    lifeline.run(scenario, whole, workers=1, report=False)
    out = tmp_path / "out"
    kept = _interrupted(scenario, out)
    assert _run(str(scenario), "--out", str(out), "--resume").exit_code == 0
    got, want = pq.read_table(out / "terminals.parquet"), pq.read_table(whole / "terminals.parquet")
    pd.testing.assert_frame_equal(got.to_pandas(), want.to_pandas())

    # A power loss can leave a 0-byte chunk (the rename reached the disk, the data did not):
    # it is computed again, with a warning, and the result is the same.
    out2 = tmp_path / "out2"
    kept = _interrupted(scenario, out2)
    kept[0].write_bytes(b"")
    result = _run(str(scenario), "--out", str(out2), "--resume")
    assert result.exit_code == 0, result.output
    got = pq.read_table(out2 / "terminals.parquet")
    pd.testing.assert_frame_equal(got.to_pandas(), want.to_pandas())


def test_corrupt_manifest_is_named(tmp_path, scenario):
    out = tmp_path / "out"
    _interrupted(scenario, out)
    (out / PARTS_DIR / "manifest.json").write_text("{not json")
    _one_line_error(
        _run(str(scenario), "--out", str(out), "--resume"),
        "manifest.json: is corrupt (JSONDecodeError), so the chunks cannot be matched to a run",
        "run with --fresh to start over",
    )


def test_resume_of_a_finished_run_computes_nothing(tmp_path, scenario):
    out = tmp_path / "out"
    assert _run(str(scenario), "--out", str(out)).exit_code == 0
    before = (out / "terminals.parquet").stat().st_mtime_ns
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), "--resume"])
    assert result.exit_code == 0
    assert "this run is already finished (summary.json); nothing was recomputed" in result.output
    assert (out / "terminals.parquet").stat().st_mtime_ns == before
    # Another scenario's finished run is not this one.
    other = tmp_path / "other.toml"
    other.write_text(TWO_CHUNKS.replace("1200", "600"))
    _one_line_error(
        _run(str(other), "--out", str(out), "--resume"),
        "holds a finished run of another scenario, TLE file or lifeline version",
    )


def test_partial_files_of_a_killed_run_are_removed(tmp_path, scenario):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("{}")  # a lifeline folder
    leftovers = [out / ".terminals.parquet.k3j2.partial", out / ".summary.json.x1.partial"]
    for path in leftovers:
        path.write_bytes(b"PAR1 half")
    assert _run(str(scenario), "--out", str(out)).exit_code == 0
    assert not any(p.exists() for p in leftovers)


def test_second_writer_is_refused_naming_the_first(tmp_path, scenario):
    long = tmp_path / "long.toml"
    long.write_text(TWO_CHUNKS.replace("1200", "21600"))
    out = tmp_path / "out"
    first = subprocess.Popen(
        [sys.executable, "-c", "from lifeline.cli import app; app()", "run", str(long),
         "--out", str(out), "-q", "-w", "1"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (out / LOCK_FILE).is_file() and time.monotonic() < deadline:
            time.sleep(0.05)
        holder = json.loads((out / LOCK_FILE).read_text())
        assert holder["pid"] == first.pid
        line = _one_line_error(
            _run(str(scenario), "--out", str(out)),
            "another lifeline command is writing this folder",
            f"PID {first.pid} on",
            "wait for it to finish, or choose another --out",
        )
        assert f"`lifeline run {long}`" in line
    finally:
        first.terminate()
        first.wait(30)
