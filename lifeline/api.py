"""The Python API: ``load_scenario`` and ``run``, mirroring ``lifeline run``."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lifeline.config import Scenario, load_scenario
from lifeline.engine import ProgressCallback, RunInfo, SharedInputs, simulate
from lifeline.report import build_report, scenario_json
from lifeline.results import (
    RunCheckpoint,
    TerminalAccumulator,
    TerminalsWriter,
    build_summary,
    write_json,
)

__all__ = ["RunResult", "load_scenario", "run"]


@dataclass
class RunResult:
    """What a run produced.

    Attributes
    ----------
    summary : the content of ``summary.json`` (per-terminal figures under ``"terminals"``).
    out_dir : where the files were written, or None for an in-memory run.
    info : counts about the run (satellites, ISLs, propagation warnings).
    """

    summary: dict
    out_dir: Path | None
    info: RunInfo
    _table: pa.Table | None = None

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


def run(
    scenario: Scenario | str | Path,
    out_dir: str | Path | None = None,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    shared: SharedInputs | None = None,
    resume: bool = False,
    report: bool = True,
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

    With ``out_dir`` every finished time chunk is also kept under ``out_dir/.terminals.parts``
    (:class:`lifeline.results.RunCheckpoint`) until the run completes; ``resume=True`` after an
    interruption recomputes only the missing chunks and gives the uninterrupted result.

    Raises
    ------
    ValueError
        Pair mode (the scenario names ``pairs``) without ``out_dir``: its table is streamed to
        ``pairs.parquet``, so it needs a folder.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if scenario.pair_ids and out_dir is None:
        raise ValueError(
            f"{scenario.source}: pair mode (`pairs` is set) writes pairs.parquet; give out_dir"
        )
    started = time.perf_counter()
    acc = TerminalAccumulator(len(scenario.terminals))
    writer = checkpoint = None
    tables: list[pa.Table] = []
    if out_dir is not None:
        out_dir = Path(out_dir)
        checkpoint = RunCheckpoint(out_dir, run_fingerprint(scenario), resume)
        writer = TerminalsWriter(out_dir / "terminals.parquet")
    ok = False
    try:
        info = simulate(
            scenario,
            writer.write if writer else tables.append,
            acc,
            progress,
            workers,
            shared,
            checkpoint,
        )
        ok = True
    finally:
        if writer is not None:
            writer.close(ok)
    summary = build_summary(scenario, info, acc, time.perf_counter() - started)
    if out_dir is None:
        return RunResult(summary, None, info, pa.concat_tables(tables))
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
