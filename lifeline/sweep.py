"""Sweeps: many plausible futures of one scenario, run on Dask, resumable.

A sweep file is a scenario file with a ``[sweep]`` table naming what nobody knows and how it is
distributed (the models are :mod:`lifeline.config.sweep`; loading and checking a sweep file is
:func:`lifeline.config.load_sweep`); every sample is an ordinary scenario variant whose unknowns
became ``[[events]]`` (:mod:`lifeline.config.events`), so a sample's figures equal those of
``lifeline run`` on that variant. This module draws the samples and runs them.

The ``[sweep]`` keys are listed in :mod:`lifeline.config.sweep`.

One module although over 600 lines: drawing a sample, running it and writing its row are one
pipeline whose pieces share the sample record and the resume manifest; the schema already
lives apart in :mod:`lifeline.config.sweep`.

Determinism: draw ``d`` of a sweep with seed ``S`` uses ``numpy.random.default_rng(s)`` with
``s = SeedSequence([S, d]).generate_state(1)[0]``, recorded as ``sample_seed``; the same seed gives
the same samples and results, whatever the number of workers or the order they finish in.

Each sample is run by the engine's public entry point (:func:`lifeline.api.run`), so its figures
are those of ``lifeline run`` on its variant by construction. What the unknowns cannot change
(satellites, laser links, propagated chunks, each instant's geometry and the terminals' view)
is built once per worker process and shared by its samples
(:class:`lifeline.engine.SharedInputs`, kept in :data:`SAMPLE_INPUTS`). The radio layer's
ITU-R tables are not shared: each sample builds its own, for its terminals and rain.

Resuming: every finished sample is written atomically to ``OUT/samples/`` (one Parquet file per
sample, named by grid point and draw, with that name in its metadata), beside a manifest
``OUT/sweep.json``; a file is either complete or absent, and ``resume=True`` runs only the
samples without a complete file of status ``ok``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lifeline.api import run as api_run
from lifeline.config import Scenario, Sweep, config_json, grid_variant, scenario_from_dict
from lifeline.config.sweep import FailureFraction, SiteLoss
from lifeline.daskutil import (
    CONNECT_TIMEOUT_S,
    SchedulerError,
    check_scheduler,
    check_sweep_counts,
    completed,
)
from lifeline.engine import SharedInputsCache
from lifeline.errors import ScenarioError
from lifeline.geo import destination_deg
from lifeline.outdir import output_errors, output_lock, prepare_output_dir
from lifeline.results import atomic_path, remove_partials, write_json

__all__ = [
    "SampleSpec",
    "SweepResult",
    "plan_samples",
    "run_sample",
    "run_sweep",
    "summarize_sweep",
]

log = logging.getLogger(__name__)

SWEEP_SCHEMA_VERSION = "1"
#: Columns of the sample tables that describe the run, not an unknown (never rank-correlated).
META_COLUMNS = (
    "sample",
    "grid_point",
    "draw",
    "seed",
    "sample_seed",
    "status",
    "error",
    "elapsed_s",
    "satellite_failure_seed",
    "isl_failure_seed",
)
#: Per-terminal figures of each sample (from :func:`lifeline.results.summarize`).
FIGURES = (
    "availability_pct",
    "rtt_ms_p5",
    "rtt_ms_p50",
    "rtt_ms_p95",
    "handovers",
    "outages",
    "longest_outage_s",
    "time_to_first_service_s",
    "throughput_down_mbps_p5",
    "throughput_down_mbps_p50",
    "demand_down_served_pct",
    "throughput_up_mbps_p5",
    "throughput_up_mbps_p50",
    "demand_up_served_pct",
)


# --------------------------------------------------------------------------------------------
# Drawing samples
# --------------------------------------------------------------------------------------------


def sample_seed(seed: int, draw: int) -> int:
    """The seed of draw ``draw`` of a sweep seeded with ``seed`` (independent streams)."""
    return int(np.random.SeedSequence([seed, draw]).generate_state(1)[0])


@dataclass(frozen=True)
class SampleSpec:
    """One sample: where it sits in the sweep, what was drawn and the scenario it gives.

    ``scenario`` is None when the drawn values give no valid scenario (``error`` says why).
    """

    sample: int
    grid_point: int
    draw: int
    seed: int
    sample_seed: int
    values: dict[str, Any]
    scenario: Scenario | None
    error: str | None = None

    @property
    def key(self) -> str:
        """File stem of the sample in ``OUT/samples/``."""
        return f"g{self.grid_point:04d}-d{self.draw:06d}"


def _draw_sites(
    rng: np.random.Generator, loss: SiteLoss, known: list[str]
) -> tuple[list[str], list[str]]:
    among = list(loss.among) if loss.among is not None else known
    if loss.lost is not None:
        k = int(rng.integers(loss.lost[0], loss.lost[1] + 1))
        picked = np.zeros(len(among), dtype=bool)
        picked[rng.choice(len(among), size=k, replace=False)] = True
    else:
        picked = rng.random(len(among)) < loss.probability
    return among, [n for n, p in zip(among, picked, strict=True) if p]


def draw_variant(
    sweep: Sweep, point: dict[str, Any], seed: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(recorded values, scenario dict) of one draw at one grid point.

    The random stream is consumed in a fixed order (gateways, pops, regions, satellite failure,
    ISL failure, terminals), whatever is configured, so a draw is the same at every grid point.
    """
    cfg = sweep.config
    rng = np.random.default_rng(seed)
    data = grid_variant(sweep, point)
    values: dict[str, Any] = {f"grid:{k}": v for k, v in point.items()}
    events = list(data.get("events", []))
    for key, kind in (("gateways", "gateway_outage"), ("pops", "pop_outage")):
        loss: SiteLoss | None = getattr(cfg, key)
        if loss is None:
            continue
        known = [s["name"] for s in data[key]]
        among, lost = _draw_sites(rng, loss, known)
        values[f"{key}_lost"] = len(lost)
        values.update({f"{key[:-1]}_lost:{name}": name in lost for name in among})
        if lost:
            events.append({"kind": kind, key: lost})
    for region in cfg.regions:
        lost = bool(rng.random() < region.probability)
        values[f"region_lost:{region.name}"] = lost
        if lost:
            events.append(region.event())
    for key in ("satellite_failure", "isl_failure"):
        fail: FailureFraction | None = getattr(cfg, key)
        if fail is None:
            continue
        fraction = float(rng.uniform(*fail.fraction))
        event_seed = int(rng.integers(2**31))
        values[f"{key}_fraction"] = fraction
        values[f"{key}_seed"] = event_seed
        if fraction > 0:
            events.append({"kind": key, "fraction": fraction, "seed": event_seed})
    if cfg.terminals is not None:
        n = int(rng.integers(cfg.terminals.count[0], cfg.terminals.count[1] + 1))
        values["terminals_count"] = n
        data["terminals"] = data["terminals"][:n]
    if cfg.rain is not None:
        rain = cfg.rain
        raining = bool(rng.random() < rain.probability)
        rate = float(rng.uniform(*rain.rate_mm_h))
        values["rain_mm_h"] = rate if raining else 0.0
        if raining:
            where = {"lat_deg": rain.lat_deg, "lon_deg": rain.lon_deg, "radius_km": rain.radius_km}
            data["rain"] = [*data.get("rain", []), {"name": "sweep", **where, "rate_mm_h": rate}]
    if cfg.jammer is not None:
        jam = cfg.jammer
        present = bool(rng.random() < jam.probability)
        # Uniform over the disc: distance ~ R sqrt(u), bearing uniform.
        distance_km = float(jam.radius_km * np.sqrt(rng.random()))
        bearing_deg = float(rng.uniform(0, 360))
        eirp = float(rng.uniform(*jam.eirp_dbw))
        lat, lon = destination_deg(jam.lat_deg, jam.lon_deg, bearing_deg, distance_km)
        values["jammer_present"] = present
        values["jammer_eirp_dbw"] = eirp if present else float("nan")
        values["jammer_offset_km"] = distance_km if present else float("nan")
        if present:
            jammer = {
                "name": "sweep",
                "lat_deg": round(float(lat), 9),
                "lon_deg": round(float(lon), 9),
                "eirp_dbw": eirp,
                "bandwidth_mhz": jam.bandwidth_mhz,
                "alt_m": jam.alt_m,
                "extra_loss_db": jam.extra_loss_db,
            }
            data["jammers"] = [*data.get("jammers", []), jammer]
    data["events"] = events
    return values, data


def plan_samples(sweep: Sweep, samples: int, seed: int) -> list[SampleSpec]:
    """Every sample of the sweep: ``samples`` draws at each grid point.

    The sample id is ``grid_point × samples + draw``; draw ``d`` has the same random values at
    every grid point and does not depend on ``samples``.
    """
    out = []
    for g, point in enumerate(sweep.grid_points):
        for d in range(samples):
            s = sample_seed(seed, d)
            values, data = draw_variant(sweep, point, s)
            label = f"{sweep.source} (grid point {g}, draw {d})"
            try:
                scenario, error = scenario_from_dict(data, label), None
            except ScenarioError as exc:
                scenario, error = None, str(exc)
            out.append(SampleSpec(g * samples + d, g, d, seed, s, values, scenario, error))
    return out


# --------------------------------------------------------------------------------------------
# Running one sample
# --------------------------------------------------------------------------------------------


#: This process's shared inputs for its samples: Dask runs :func:`run_sample` in each worker
#: process, and samples with the same constellation, window and gateways reuse what the first
#: one built (satellites do not pickle, so they cannot travel with the sample).
SAMPLE_INPUTS = SharedInputsCache()


def simulate_summary(scenario: Scenario) -> dict[str, dict]:
    """Per-terminal summary figures of one variant: exactly ``summary.json``'s ``"terminals"``
    of ``lifeline run`` on it (the engine's public entry point, in this process).

    The satellites, laser links, ephemerides and event-independent geometry come from this
    process's :data:`SAMPLE_INPUTS`: built by the first sample, reused by every later one with
    the same constellation, window and gateways.
    """
    shared = SAMPLE_INPUTS.get(scenario)
    return api_run(scenario, workers=1, shared=shared).summary["terminals"]


def _sample_frame(spec: SampleSpec, figures: dict[str, dict] | None, elapsed_s: float, error=None):
    meta = {
        "sample": spec.sample,
        "grid_point": spec.grid_point,
        "draw": spec.draw,
        "seed": spec.seed,
        "sample_seed": spec.sample_seed,
        "status": "ok" if error is None else "failed",
        "error": error or "",
        "elapsed_s": elapsed_s,
    }
    values = {k: v for k, v in spec.values.items()}
    rows = []
    for name, t in (figures or {None: {}}).items():
        rows.append({**meta, **values, "terminal": name, **{f: t.get(f) for f in FIGURES}})
    frame = pd.DataFrame(rows)
    for f in FIGURES:
        frame[f] = frame[f].astype(float)
    return frame


def run_sample(spec: SampleSpec) -> pd.DataFrame:
    """One sample's rows (one per terminal): its values and summary figures.

    A pure function of the sample (its scenario and recorded seeds): what Dask runs.
    """
    assert spec.scenario is not None
    # Propagation warnings repeat for every sample of the same window: keep them out of the log
    # while the sample runs, and give the caller's level back (a sweep run in-process must not
    # silence lifeline's warnings for the rest of the session).
    log = logging.getLogger("lifeline")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        started = time.perf_counter()
        figures = simulate_summary(spec.scenario)
    finally:
        log.setLevel(level)
    return _sample_frame(spec, figures, round(time.perf_counter() - started, 4))


# --------------------------------------------------------------------------------------------
# Files: manifest, one file per sample, the combined table
# --------------------------------------------------------------------------------------------


def _sample_path(out_dir: Path, key: str) -> Path:
    return out_dir / "samples" / f"{key}.parquet"


def _write_sample(out_dir: Path, spec: SampleSpec, frame: pd.DataFrame) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = {b"lifeline_sweep_sample": spec.key.encode(), b"status": frame["status"][0].encode()}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    path = _sample_path(out_dir, spec.key)
    with atomic_path(path, durable=True) as tmp:  # what --resume relies on
        pq.write_table(table, tmp)


def _read_sample(out_dir: Path, key: str) -> pd.DataFrame | None:
    """A sample's complete file, or None (absent, unreadable or not that sample's)."""
    path = _sample_path(out_dir, key)
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        log.warning("%s is unreadable (%s): the sample runs again", path, exc)
        return None
    if (table.schema.metadata or {}).get(b"lifeline_sweep_sample") != key.encode():
        log.warning("%s is not the file of sample %s: it runs again", path, key)
        return None
    return table.to_pandas()


def _manifest(sweep: Sweep, seed: int) -> dict[str, Any]:
    return {
        "lifeline_version": version("lifeline"),
        "sweep_schema_version": SWEEP_SCHEMA_VERSION,
        "source": sweep.source,
        "scenario": sweep.base.name,
        "fingerprint": sweep.fingerprint,
        "seed": seed,
        "grid_points": sweep.grid_points,
        "sweep": config_json(sweep.config),
    }


def _open_out_dir(out_dir: Path, sweep: Sweep, seed: int, resume: bool) -> None:
    manifest_path = out_dir / "sweep.json"
    manifest = _manifest(sweep, seed)
    if manifest_path.is_file():
        old = json.loads(manifest_path.read_text())
        if not resume:
            raise ScenarioError(
                str(out_dir),
                "--out",
                str(out_dir),
                "a folder without a sweep (this one has sweep.json): add --resume to finish it, "
                "or choose another --out",
            )
        for key in ("fingerprint", "seed"):
            if old.get(key) != manifest[key]:
                raise ScenarioError(
                    str(manifest_path),
                    key,
                    old.get(key),
                    f"the same {key} as this sweep ({manifest[key]}): --resume only finishes "
                    "the sweep that started in this folder",
                )
        return
    write_json(manifest_path, manifest)


# --------------------------------------------------------------------------------------------
# Running a sweep
# --------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    """What a sweep produced.

    Attributes
    ----------
    table : pandas.DataFrame
        ``sweep.parquet``: one row per sample and terminal (failed samples: one row, no terminal).
    summary : dict
        :func:`summarize_sweep` of the table (also in ``sweep-summary.json``).
    out_dir : pathlib.Path
    ran, reused : int
        Samples run now, and samples whose complete file was found (``resume``).
    failures : list of dict
        Failed samples: id, values and error.
    """

    table: pd.DataFrame
    summary: dict
    out_dir: Path
    ran: int
    reused: int
    failures: list[dict] = field(default_factory=list)


ProgressCallback = Callable[[int, int], None]
FailureCallback = Callable[[SampleSpec, str], None]


def _in_process(todo: list[SampleSpec]) -> Iterator[tuple[SampleSpec, pd.DataFrame | str]]:
    for spec in todo:
        try:
            yield spec, run_sample(spec)
        except Exception as exc:  # noqa: BLE001 - one failing sample must not end the sweep
            yield spec, f"{type(exc).__name__}: {exc}"


def _on_dask(
    todo: list[SampleSpec],
    client: Any,
    fingerprint: str,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[tuple[SampleSpec, pd.DataFrame | str]]:
    by_future = {
        client.submit(run_sample, spec, key=f"sample-{spec.key}-{fingerprint[:12]}"): spec
        for spec in todo
    }
    # daskutil.completed, not distributed.as_completed: it stops (WorkersGoneError) when every
    # worker has gone instead of waiting forever, and it wakes every second for Ctrl-C.
    for future in completed(client, list(by_future), on_wait=on_wait):
        spec = by_future.pop(future)
        if future.status == "error":
            exc = future.exception()
            yield spec, f"{type(exc).__name__}: {exc}"
        else:
            yield spec, future.result()
        future.release()


def _client(scheduler: str | None, workers: int | None):
    """A Dask client: of an existing scheduler, or of a new local cluster of processes."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        address = check_scheduler(scheduler)  # malformed, silent or not Dask: a clear error
        try:
            return Client(address, timeout=f"{CONNECT_TIMEOUT_S:g}s")
        except OSError as exc:
            raise SchedulerError(scheduler, f"cannot connect ({exc})") from None
    cluster = LocalCluster(
        n_workers=workers or os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster)


def run_sweep(
    sweep: Sweep,
    out_dir: str | Path,
    samples: int,
    seed: int,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    on_failure: FailureCallback | None = None,
    on_wait: Callable[[str], None] | None = None,
    force: bool = False,
) -> SweepResult:
    """Run (or finish) a sweep and write ``OUT/sweep.parquet`` and ``OUT/sweep-summary.json``.

    Parameters
    ----------
    sweep : from :func:`load_sweep`.
    out_dir : the sweep's folder (``sweep.json``, ``samples/``, the results).
    samples : random draws per grid point (>= 1).
    seed : the sweep's seed (>= 0), recorded in every row.
    scheduler : address of a running Dask scheduler (``tcp://host:8786``); otherwise a local
        cluster of ``workers`` processes (None: one per core), one thread each.
    workers : ``1`` without ``scheduler`` runs in this process, without Dask.
    resume : finish the sweep already in ``out_dir`` (same file and seed): run only the samples
        without a complete file of status ``ok``.
    progress : called as ``progress(samples_done, samples_total)``.
    on_failure : called with each failed sample and its error; the sweep goes on.
    on_wait : told, in words, when no Dask worker is left and the sweep waits for one.
    force : write into a folder of other files.

    Raises
    ------
    ScenarioError
        ``out_dir`` holds another sweep, or holds one and ``resume`` is not set.
    lifeline.daskutil.SweepLimitError
        Seed outside 0..2**63-1, or more samples or local workers than a machine holds.
    lifeline.daskutil.SchedulerError, lifeline.daskutil.WorkersGoneError
        The scheduler is not a usable Dask scheduler, or every worker has gone.
    lifeline.outdir.OutputDirError
        ``out_dir`` cannot be used (a file, someone else's folder, read-only, full, or being
        written by another command).
    """
    check_sweep_counts(samples, len(sweep.grid_points), seed, None if scheduler else workers)
    out_dir = prepare_output_dir(out_dir, force=force)
    with output_lock(out_dir, f"lifeline sweep {sweep.source}"), output_errors(out_dir):
        return _run_sweep(
            sweep, out_dir, samples, seed, scheduler, workers, resume, progress, on_failure, on_wait
        )


def _run_sweep(
    sweep: Sweep,
    out_dir: Path,
    samples: int,
    seed: int,
    scheduler: str | None,
    workers: int | None,
    resume: bool,
    progress: ProgressCallback | None,
    on_failure: FailureCallback | None,
    on_wait: Callable[[str], None] | None,
) -> SweepResult:
    remove_partials(out_dir)
    remove_partials(out_dir / "samples")
    _open_out_dir(out_dir, sweep, seed, resume)
    specs = plan_samples(sweep, samples, seed)
    frames: dict[int, pd.DataFrame] = {}
    if resume:
        for spec in specs:
            frame = _read_sample(out_dir, spec.key)
            if frame is not None and (frame["status"] == "ok").all():
                frames[spec.sample] = frame
    reused = len(frames)
    failures: list[dict] = []

    def record(spec: SampleSpec, result: pd.DataFrame | str) -> None:
        if isinstance(result, str):
            result = _sample_frame(spec, None, 0.0, error=result)
            failures.append({"sample": spec.sample, "values": spec.values, "error": result})
            failures[-1]["error"] = str(result["error"][0])
            if on_failure is not None:
                on_failure(spec, failures[-1]["error"])
        _write_sample(out_dir, spec, result)
        frames[spec.sample] = result
        if progress is not None:
            progress(len(frames), len(specs))

    todo = [s for s in specs if s.sample not in frames]
    if progress is not None:
        progress(len(frames), len(specs))
    for spec in [s for s in todo if s.scenario is None]:
        record(spec, str(spec.error))
    todo = [s for s in todo if s.scenario is not None]
    if todo:
        if scheduler is None and workers == 1:
            for spec, result in _in_process(todo):
                record(spec, result)
        else:
            with _client(scheduler, workers) as client:
                try:
                    for spec, result in _on_dask(todo, client, sweep.fingerprint, on_wait):
                        record(spec, result)
                finally:
                    if scheduler is None:
                        client.cluster.close()
    table = pd.concat([frames[s.sample] for s in specs], ignore_index=True)
    summary = summarize_sweep(table)
    summary.update({"seed": seed, "samples_per_grid_point": samples, "source": sweep.source})
    with atomic_path(out_dir / "sweep.parquet") as tmp:
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), tmp)
    write_json(out_dir / "sweep-summary.json", summary)
    return SweepResult(table, summary, out_dir, len(specs) - reused, reused, failures)


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def _quantiles(x: np.ndarray) -> dict[str, float | None]:
    x = x[np.isfinite(x)]
    if not len(x):
        return {"p5": None, "p50": None, "p95": None, "mean": None}
    p5, p50, p95 = np.percentile(x, [5, 50, 95])
    return {
        "p5": round(float(p5), 3),
        "p50": round(float(p50), 3),
        "p95": round(float(p95), 3),
        "mean": round(float(x.mean()), 3),
    }


def unknown_columns(table: pd.DataFrame) -> list[str]:
    """Columns of ``table`` holding sampled unknowns or grid values (numeric or boolean)."""
    skip = set(META_COLUMNS) | set(FIGURES) | {"terminal"}
    out = []
    for col in table.columns:
        if col in skip:
            continue
        kind = table[col].dtype.kind
        if kind in "biuf":
            out.append(col)
    return out


def summarize_sweep(table: pd.DataFrame, availability_threshold_pct: float = 90.0) -> dict:
    """Per-terminal distributions and which unknowns matter most.

    For each terminal: availability [%], RTT p50 [ms] and throughput p50 down and up [Mbit/s]
    across samples (p5, p50, p95, mean; linear-interpolated percentiles), the share of samples with
    availability at or above ``availability_threshold_pct``, and for every unknown that varies
    the Spearman rank correlation with availability, RTT p50 and throughput p50 down, sorted by the
    absolute correlation with availability, then with throughput (RTT and throughput only over
    samples where they exist), with the 95 % interval of the one with availability. A
    correlation needs :data:`lifeline.stats.MIN_CORRELATION_SAMPLES` samples and is ``None``
    below that (:func:`lifeline.stats.spearman_ci`).
    """
    from lifeline.stats import MIN_CORRELATION_SAMPLES, spearman_ci

    ok = table[table["status"] == "ok"]
    unknowns = unknown_columns(ok)
    terminals: dict[str, Any] = {}
    for name, rows in ok.groupby("terminal", sort=False):
        avail = rows["availability_pct"].to_numpy(float)
        rtt = rows["rtt_ms_p50"].to_numpy(float)
        thr = rows["throughput_down_mbps_p50"].to_numpy(float)
        thr_up = rows["throughput_up_mbps_p50"].to_numpy(float)

        def rho(x: np.ndarray, y: np.ndarray) -> float | None:
            r = spearman_ci(x, y)
            return None if r is None else round(r.rho, 3)

        ranks = []
        for col in unknowns:
            x = rows[col].to_numpy(float)
            if len(x) < 3 or np.all(x == x[0]) or not np.isfinite(x).any():
                continue
            on_availability = spearman_ci(x, avail)
            ranks.append(
                {
                    "unknown": col,
                    "spearman_availability": rho(x, avail),
                    "spearman_availability_ci95": None
                    if on_availability is None
                    else [round(on_availability.low, 3), round(on_availability.high, 3)],
                    "spearman_rtt_p50": rho(x, rtt),
                    "spearman_throughput_p50": rho(x, thr),
                    "note": ""
                    if on_availability is None or on_availability.settled
                    else "the 95 % interval spans 0: the samples cannot tell",
                }
            )
        ranks.sort(
            key=lambda r: (
                -abs(r["spearman_availability"] or 0.0),
                -abs(r["spearman_throughput_p50"] or 0.0),
            )
        )
        terminals[str(name)] = {
            "samples": len(rows),
            "correlations_need_samples": MIN_CORRELATION_SAMPLES,
            "availability_pct": _quantiles(avail),
            "availability_at_least_pct": availability_threshold_pct,
            "share_of_samples_at_least": round(
                float(np.mean(avail >= availability_threshold_pct)), 4
            ),
            "rtt_ms_p50": _quantiles(rtt),
            "throughput_down_mbps_p50": _quantiles(thr),
            "throughput_up_mbps_p50": _quantiles(thr_up),
            "unknowns": ranks,
        }
    n_samples = table["sample"].nunique()
    n_failed = table.loc[table["status"] != "ok", "sample"].nunique()
    return {"samples": int(n_samples), "failed": int(n_failed), "terminals": terminals}
