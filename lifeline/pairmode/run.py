"""A pair-mode run: propagation, topology, routing and output, block by block of steps
(:func:`run_pairs`), and pair mode of a scenario with ``pairs`` (:func:`run_scenario_pairs`).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from lifeline.config import Scenario
from lifeline.network.dynamic import DynamicRouter
from lifeline.pairmode.links import StepLinks, block_links
from lifeline.pairmode.network import (
    PairNetwork,
    PairSelectionError,
    positions_km,
    prepare,
    scenario_network,
)
from lifeline.pairmode.output import PARQUET_OPTIONS, json_limit, pairs_batch, timed_write
from lifeline.pairmode.route import PairStep, Router, route_dijkstra
from lifeline.results import PAIRS_SCHEMA, temp_beside, write_json
from lifeline.time import to_datetime64

logger = logging.getLogger(__name__)


#: The stages of a step, in order (:class:`StageTimes`).
_STAGES = ("propagation", "topology", "routing", "output")


@dataclass
class StageTimes:
    """Wall time spent per stage [s], summed over steps.

    ``output`` is what the main thread spends on the output (waiting for the writer thread);
    ``writing`` is that thread's own time (building the Arrow batch and writing it), overlapped
    with the next block's propagation, topology and routing, so not in the total.
    ``first_routing`` is the first step's routing (included in ``routing``): with the dynamic
    router it is a full Dijkstra per source, later steps only repair.
    """

    propagation: float = 0.0
    topology: float = 0.0
    routing: float = 0.0
    output: float = 0.0
    writing: float = 0.0
    first_routing: float = 0.0
    steps: int = 0

    def per_step_ms(self) -> dict[str, float]:
        """Per-step means [ms]: the four stages, their total, the background writing."""
        n = max(self.steps, 1)
        out = {k: 1e3 * getattr(self, k) / n for k in _STAGES}
        out["total"] = sum(out.values())
        out["writing_background"] = 1e3 * self.writing / n
        return out


@dataclass
class PairRunResult:
    """What :func:`run_pairs` returns."""

    path: Path
    n_steps: int
    n_pairs: int
    times: StageTimes = field(default_factory=StageTimes)


def run_pairs(
    network: PairNetwork,
    duration_s: float,
    step_s: float,
    pairs: np.ndarray,
    out_dir: str | Path,
    progress: Callable[[int, int], None] | None = None,
    block_steps: int = 100,
    source: str = "",
    router: Router = "dynamic",
) -> PairRunResult:
    """Compute all requested pairs at every step and write ``out_dir/pairs.parquet``.

    Steps are at ``k · step_s`` for ``0 <= k < duration_s / step_s`` (the end is excluded, as
    in Hypatia's ``range(0, end, step)``), from ``network.epoch_utc``.

    Parameters
    ----------
    network : PairNetwork
    duration_s, step_s : float
        Window and step [s], step > 0 and a whole number of nanoseconds.
    pairs : ndarray of int, shape (P, 2)
        (src, dst) ground-station ids, e.g. from :func:`resolve_pairs`.
    out_dir : path
        Gets ``pairs.parquet`` (atomic) and ``pairs_meta.json``.
    progress : callable(done, total), optional
    block_steps : int
        Steps propagated and written together.
    source : str
        Label of the inputs, recorded in ``pairs_meta.json``.
    router : {"dynamic", "dijkstra"}
        ``"dynamic"``: :class:`lifeline.network.dynamic.DynamicRouter`, the shortest-path trees
        carried from step to step and repaired; ``"dijkstra"``: SciPy's Dijkstra afresh at
        every step (:func:`solve_step`, the reference). Same lengths bit for bit, same paths
        except between paths of exactly equal length. Recorded in ``pairs_meta.json``.

    Returns
    -------
    PairRunResult
        With the per-stage wall times.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    step_ns = int(round(step_s * 1e9))
    if step_ns <= 0 or duration_s <= 0:
        raise PairSelectionError(
            f"step {step_s} s, duration {duration_s} s", "a step >= 1 ns and a duration > 0"
        )
    if router not in ("dynamic", "dijkstra"):
        raise PairSelectionError(f"router {router!r}", "'dynamic' or 'dijkstra'")
    n_steps = int(np.ceil(round(duration_s * 1e9) / step_ns))
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    prepared = prepare(network)
    epoch = to_datetime64(network.epoch_utc)
    result = PairRunResult(out / "pairs.parquet", n_steps, len(pairs))
    stages = result.times
    if router == "dynamic":
        dynamic = DynamicRouter(network.n_sats, prepared.isl_edges, pairs[:, 0], pairs[:, 1])

        def route(links: StepLinks) -> PairStep:
            return PairStep(
                *dynamic.solve(links.isl_km, links.gsl_start, links.gsl_sat, links.gsl_km)
            )

    else:

        def route(links: StepLinks) -> PairStep:
            return route_dijkstra(prepared, links, pairs[:, 0], pairs[:, 1])

    tmp = temp_beside(result.path)
    writer = pq.ParquetWriter(tmp, PAIRS_SCHEMA, **PARQUET_OPTIONS)
    # One block is written in the background while the next is computed; at most one write is
    # in flight, and its error (if any) surfaces at the next block or at the end.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pairs-writer")
    writing: Future[float] | None = None
    ok = False
    try:
        for first in range(0, n_steps, block_steps):
            k = np.arange(first, min(first + block_steps, n_steps), dtype=np.int64)
            times_utc = epoch + (k * step_ns).astype("timedelta64[ns]")
            t0 = time.perf_counter()
            r_km, valid = positions_km(prepared, times_utc)
            stages.propagation += time.perf_counter() - t0
            steps = []
            links_of_step = block_links(prepared, r_km, valid)
            for i in range(len(k)):
                t0 = time.perf_counter()
                links = next(links_of_step)
                t1 = time.perf_counter()
                steps.append(route(links))
                t2 = time.perf_counter()
                stages.topology += t1 - t0
                stages.routing += t2 - t1
                if stages.steps + i == 0:
                    stages.first_routing = t2 - t1
            t0 = time.perf_counter()
            if writing is not None:
                stages.writing += writing.result()
            table = partial(pairs_batch, network, times_utc, k * step_ns / 1e9, pairs, steps)
            writing = pool.submit(timed_write, writer, table)
            stages.output += time.perf_counter() - t0
            stages.steps += len(k)
            logger.debug("steps %d-%d done; %s", k[0], k[-1], stages)
            if progress is not None:
                progress(int(k[-1]) + 1, n_steps)
        t0 = time.perf_counter()
        if writing is not None:
            stages.writing += writing.result()
        stages.output += time.perf_counter() - t0
        ok = True
    finally:
        # Never close the file under a write still running (after an error in this thread).
        pool.shutdown(wait=True)
        if ok:
            writer.close()
            tmp.replace(result.path)
        else:
            # The error being raised says what went wrong; a writer left broken by it may
            # fail to close as well, and the partial file goes anyway.
            with contextlib.suppress(Exception):
                writer.close()
            tmp.unlink(missing_ok=True)
    write_json(
        out / "pairs_meta.json",
        {
            "source": source,
            "conventions": network.conventions,
            "router": router,
            "epoch_utc": str(epoch) + "Z",
            "duration_s": duration_s,
            "step_s": step_s,
            "n_steps": n_steps,
            "n_sats": network.n_sats,
            "max_gsl_km": json_limit(network.max_gsl_km),
            "max_isl_km": json_limit(network.max_isl_km),
            "ground_stations": [
                {"id": g, "name": name, "lat_deg": float(lat), "lon_deg": float(lon)}
                for g, (name, lat, lon) in enumerate(
                    zip(network.gs_names, network.gs_lat_deg, network.gs_lon_deg, strict=True)
                )
            ],
            "stage_ms_per_step": {k: round(v, 3) for k, v in stages.per_step_ms().items()},
        },
    )
    return result


def run_scenario_pairs(
    scenario: Scenario,
    out_dir: str | Path,
    progress: Callable[[int, int], None] | None = None,
) -> PairRunResult:
    """Pair mode for a scenario with ``pairs``: write ``out_dir/pairs.parquet``.

    Ground stations are the scenario's terminals (ids = their order in the file); the pairs
    are :attr:`lifeline.config.Scenario.pair_ids`; steps are every ``time.step_s`` over the
    window from ``time.start_utc``. See :func:`scenario_network` for the link rules.

    Parameters
    ----------
    scenario : Scenario
        With ``pairs`` set.
    out_dir : path
        Gets ``pairs.parquet`` and ``pairs_meta.json``.
    progress : callable(done, total), optional

    Returns
    -------
    PairRunResult

    Raises
    ------
    PairSelectionError
        When the scenario has no ``pairs``.
    """
    if not scenario.pair_ids:
        raise PairSelectionError(
            f"{scenario.source}: pairs = None", 'pairs = "all" or [[pairs]] tables (src, dst)'
        )
    return run_pairs(
        scenario_network(scenario),
        scenario.time.duration_s,
        scenario.time.step_s,
        np.array(scenario.pair_ids, dtype=np.int64),
        out_dir,
        progress=progress,
        source=scenario.source,
    )
