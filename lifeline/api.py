"""The Python API: ``load_scenario`` and ``run``, mirroring ``lifeline run``."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lifeline.config import Scenario, load_scenario
from lifeline.engine import ProgressCallback, SharedInputs, simulate
from lifeline.outdir import output_errors, output_lock, prepare_output_dir
from lifeline.report import build_report, scenario_json
from lifeline.results import (
    PARTS_DIR,
    ResumeError,
    RunCheckpoint,
    RunInfo,
    TerminalsWriter,
    build_summary,
    read_summary,
    remove_partials,
    write_json,
)
from lifeline.runsize import check_memory
from lifeline.streams import DiskStreams, MemoryStreams

__all__ = ["RunResult", "load_scenario", "run"]


@dataclass
class RunResult:
    """What a run produced.

    Attributes
    ----------
    summary : the content of ``summary.json`` (per-terminal figures under ``"terminals"``).
    out_dir : where the files were written, or None for an in-memory run.
    info : counts about the run (satellites, ISLs, propagation warnings).
    already_finished : ``resume`` found the run finished in ``out_dir``: nothing was computed.
    """

    summary: dict
    out_dir: Path | None
    info: RunInfo
    _table: pa.Table | None = None
    already_finished: bool = False

    @property
    def terminals(self) -> pd.DataFrame:
        """One row per terminal per step (the ``terminals.parquet`` table) as a DataFrame."""
        if self._table is None:
            assert self.out_dir is not None
            self._table = pq.read_table(self.out_dir / "terminals.parquet")
        return self._table.to_pandas()

    @property
    def summary_frame(self) -> pd.DataFrame:
        """The per-terminal summary as a DataFrame indexed by terminal."""
        return pd.DataFrame.from_dict(self.summary["terminals"], orient="index")


def run_fingerprint(scenario: Scenario) -> str:
    """SHA-1 of what a run's rows depend on: the resolved scenario, its TLE file (path, size,
    modification time) and the lifeline version."""
    tle = scenario.constellation.tle_path
    stat = tle.stat() if tle is not None else None
    text = json.dumps(
        {
            "scenario": scenario.model_dump(mode="json", by_alias=True, warnings=False),
            "tle": None if stat is None else [str(tle), stat.st_size, stat.st_mtime_ns],
            "version": version("lifeline"),
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha1(text.encode()).hexdigest()


#: Folder of a run's per-terminal summary streams while it runs (lifeline.streams.DiskStreams).
STREAMS_DIR = ".terminals.streams"


def _finished(out_dir: Path, fingerprint: str) -> RunResult | None:
    """The finished run in ``out_dir`` if it is this run (same fingerprint), else None."""
    if not ((out_dir / "summary.json").is_file() and (out_dir / "terminals.parquet").is_file()):
        return None
    summary = read_summary(out_dir)
    if summary.get("run_fingerprint") != fingerprint:
        raise ResumeError(
            out_dir,
            "holds a finished run of another scenario, TLE file or lifeline version",
            "--fresh to replace it with this run, or choose another --out",
        )
    warnings = summary.get("propagation_warnings") or {}
    info = RunInfo(
        n_satellites=summary.get("n_satellites", 0),
        n_isl_links=summary.get("n_isl_links", 0),
        n_steps=summary.get("n_steps", 0),
        sgp4_error_samples=warnings.get("sgp4_error_samples", 0),
        out_of_band_samples=warnings.get("out_of_band_samples", 0),
        events=summary.get("events") or [],
        power={},
    )
    return RunResult(summary, out_dir, info, already_finished=True)


def run(
    scenario: Scenario | str | Path,
    out_dir: str | Path | None = None,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    shared: SharedInputs | None = None,
    resume: bool = False,
    report: bool = True,
    *,
    fresh: bool = False,
    force: bool = False,
    command: str = "lifeline.run",
) -> RunResult:
    """Run a scenario (an object, a TOML path or a preset name): what ``lifeline run`` does.

    With ``out_dir`` every output is written there, each atomically: ``terminals.parquet``
    (streamed), ``summary.json``, ``scenario.json`` (the resolved scenario, so a reader knows
    what was assumed even when the TOML file changes or was an ``extends`` chain),
    ``report.html`` (unless ``report=False``) and, when the scenario names ``pairs``,
    ``pairs.parquet``. Without it the table is kept in memory (fine for small runs) and nothing
    is written. ``workers`` processes share the time chunks (None: one per CPU core); the
    result does not depend on it. ``shared``: inputs kept from earlier runs of the same
    constellation, window and gateways (:class:`lifeline.engine.SharedInputs`; what a sweep's
    samples reuse); the result does not depend on it either.

    A run whose estimated memory is above what the machine has free is refused
    (:class:`lifeline.runsize.RunTooLargeError`) unless ``force``, which also allows an output
    folder of other files. The output folder must be new, empty or a lifeline output, and is
    locked while the run writes it (:mod:`lifeline.outdir`): a second writer is
    refused with a message naming the first. Every finished time chunk is kept under
    ``out_dir/.terminals.parts`` (:class:`lifeline.results.RunCheckpoint`) until the run
    completes: ``resume=True`` after an interruption recomputes only the missing chunks and
    gives the uninterrupted result (on a finished run it computes nothing:
    ``RunResult.already_finished``); ``fresh=True`` discards them and starts over; without
    either, finished chunks in the folder are an error, never silently dropped. The
    per-terminal streams of the summary go to disk beside them, so the parent's memory is
    bounded by a chunk, not by the run's length.

    Raises
    ------
    ValueError
        Pair mode (the scenario names ``pairs``) without ``out_dir``: its table is streamed to
        ``pairs.parquet``, so it needs a folder.
    lifeline.outdir.OutputDirError
        The folder cannot be used or written (a file, someone else's folder, read-only, a full
        disk, another writer), or its chunks cannot be resumed as asked.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if scenario.pair_ids and out_dir is None:
        raise ValueError(
            f"{scenario.source}: pair mode (`pairs` is set) writes pairs.parquet; give out_dir"
        )
    if resume and fresh:
        raise ResumeError(
            out_dir or "--resume", "--resume and --fresh contradict each other", "give one"
        )
    if out_dir is None:
        return _run(scenario, None, progress, workers, shared, resume, fresh, report, force)
    out_dir = prepare_output_dir(out_dir, force=force)
    with output_lock(out_dir, command), output_errors(out_dir):
        return _run(scenario, out_dir, progress, workers, shared, resume, fresh, report, force)


def _run(
    scenario: Scenario,
    out_dir: Path | None,
    progress: ProgressCallback | None,
    workers: int | None,
    shared: SharedInputs | None,
    resume: bool,
    fresh: bool,
    report: bool,
    force: bool,
) -> RunResult:
    started = time.perf_counter()
    writer = checkpoint = None
    tables: list[pa.Table] = []
    acc: MemoryStreams
    fingerprint = run_fingerprint(scenario)
    if out_dir is None:
        acc = MemoryStreams(len(scenario.terminals))
    else:
        remove_partials(out_dir)  # a killed run's temporary files (we hold the lock)
        has_parts = (out_dir / PARTS_DIR).is_dir()
        if resume and not has_parts and (done := _finished(out_dir, fingerprint)) is not None:
            return done
        checkpoint = RunCheckpoint(out_dir, fingerprint, resume, fresh)
        shutil.rmtree(out_dir / STREAMS_DIR, ignore_errors=True)
        acc = DiskStreams(out_dir / STREAMS_DIR, len(scenario.terminals), scenario.time.n_steps)
        writer = TerminalsWriter(out_dir / "terminals.parquet")
    ok = False
    try:
        try:
            info = simulate(
                scenario,
                writer.write if writer else tables.append,
                acc,
                progress,
                workers,
                shared,
                checkpoint,
                None if force else lambda size: check_memory(scenario.source, size),
            )
            ok = True
        finally:
            if writer is not None:
                writer.close(ok)
        summary = build_summary(scenario, info, acc, time.perf_counter() - started)
    finally:
        acc.close()
    if out_dir is None:
        return RunResult(summary, None, info, pa.concat_tables(tables))
    summary["run_fingerprint"] = fingerprint  # what --resume compares
    if scenario.pair_ids:
        # Pair mode: shortest paths between the terminals named in `pairs`.
        from lifeline.pairmode import run_scenario_pairs

        pairs = run_scenario_pairs(scenario, out_dir)
        summary["pairs"] = {"file": pairs.path.name, "n_pairs": pairs.n_pairs}
    write_json(out_dir / "summary.json", summary)
    assert checkpoint is not None
    checkpoint.remove()
    write_json(out_dir / "scenario.json", scenario_json(scenario))
    if report:
        build_report(out_dir)
    return RunResult(summary, out_dir, info)
