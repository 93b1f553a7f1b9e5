"""How big a run is, how long it should take and how much memory it needs, before it starts.

A scenario can ask for far more than a machine has: ``step_s = 0.001`` over 24 h is 86.4 million
steps, whose 15-s slots each hold 15,000 instants of every satellite's position. ``validate``
prints :func:`estimate_run` and ``run`` refuses a run whose estimated peak memory is above the
budget (half the memory available now) unless forced.

The coefficients are measurements of this code on the project's 2-core machine
(docs/benchmarks.md, "Whole runs"; the per-row sizes from pickled chunk results and the
terminals schema); the estimate is meant to be right within a factor of about two, enough to
tell a minute from a day and 1 GB from 50 GB.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from lifeline.errors import LifelineError

__all__ = ["RunSize", "RunTooLargeError", "available_memory_mb", "check_memory", "estimate_run"]

#: Bytes per terminal-step of a chunk result sent by a worker (11 (steps, N) arrays; a 10-min
#: Gen1 chunk of 1,000 terminals pickles to 39.2 MB = 65 B per terminal-step).
RESULT_BYTES = 65
#: Bytes per terminal-step the parent holds while it turns a chunk into rows: the Arrow table
#: (18 columns, ~101 B) and the radio layer's columns.
PARENT_ROW_BYTES = 140
#: Bytes per satellite-instant of a slot's interpolated states in a worker (position, velocity,
#: validity and the visibility arrays built from them).
SLOT_SAT_BYTES = 60
#: Resident memory of a process before any chunk [MB]: the parent (constellation, ground,
#: events, pyarrow) and each worker; the radio layer's ITU-R maps add RADIO_MB to the parent.
PARENT_BASE_MB = 250.0
WORKER_BASE_MB = 200.0
RADIO_MB = 360.0
#: Costs on 2 workers, fitted to the Gen1 runs (10 and 1,000 terminals, 1 h at 1 s: 1.6 s and
#: 9.0 s; 1,000 terminals, 24 h at 15 s: 49.7 s; the default preset, 16 s): per scheduling slot
#: for 4,408 satellites (visibility, routing; it scales with the satellites) and per
#: terminal-step (paths, rows) [s]. Steps within a slot cost little beyond their rows.
SLOT_S = 6.4e-3
TERMINAL_STEP_S = 2.1e-6
REFERENCE_SATELLITES = 4408
#: The radio layer's extra time: its ITU-R tables once [s] and the SINR, MODCOD and fair
#: sharing per terminal-step [s] (1,000 terminals, 1 h at 1 s: +6.0 s; default preset: +3 s).
RADIO_SETUP_S = 2.5
RADIO_TERMINAL_STEP_S = 2.0e-6
#: Fixed set-up time [s] (TLE parsing, process start).
SETUP_S = 0.5


class RunTooLargeError(LifelineError):
    """A run's estimated memory is above the budget.

    Attributes
    ----------
    file : str
    needed_mb, budget_mb : float
    """

    def __init__(self, file: str, size: RunSize, budget_mb: float) -> None:
        self.file = file
        self.needed_mb = size.peak_mb
        self.budget_mb = budget_mb
        super().__init__(
            f"{file}: this run needs about {_mb(size.peak_mb)} of memory ({size.describe()}), "
            f"more than its budget of {_mb(budget_mb)} (half the memory free now); use a larger "
            "time.step_s, a shorter "
            "window or fewer terminals, or --force to run it anyway"
        )


def _mb(mb: float) -> str:
    return f"{mb / 1024:.1f} GB" if mb >= 1024 else f"{mb:.0f} MB"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} days"


@dataclass(frozen=True)
class RunSize:
    """A run's size and estimated cost.

    Attributes
    ----------
    n_steps, n_terminals, n_satellites : int
    chunk_steps, slot_steps : int
        Steps per time chunk and per scheduling slot.
    workers : int
        Processes the chunks run on.
    wall_s : float
        Estimated wall time [s].
    parent_mb, worker_mb, peak_mb : float
        Estimated peak memory of the parent, of one worker, and of all together [MB].
    """

    n_steps: int
    n_terminals: int
    n_satellites: int
    chunk_steps: int
    slot_steps: int
    workers: int
    wall_s: float
    parent_mb: float
    worker_mb: float
    peak_mb: float

    @property
    def rows(self) -> int:
        return self.n_steps * self.n_terminals

    def describe(self) -> str:
        """E.g. "86,400 steps x 1,000 terminals = 86,400,000 rows, 4,408 satellites"."""
        return (
            f"{self.n_steps:,} steps x {self.n_terminals:,} terminals = {self.rows:,} rows, "
            f"{self.n_satellites:,} satellites"
        )

    def estimate(self) -> str:
        """E.g. "about 6 min on 2 workers, peak memory about 1.1 GB"."""
        return (
            f"about {_duration(self.wall_s)} on {self.workers} worker"
            f"{'s' if self.workers > 1 else ''}, peak memory about {_mb(self.peak_mb)}"
        )


def estimate_run(
    n_steps: int,
    step_s: float,
    slot_s: float,
    chunk_steps: int,
    n_terminals: int,
    n_satellites: int,
    radio: bool,
    workers: int | None = None,
) -> RunSize:
    """Size, time and memory of a run (see the module's notes on the figures).

    Parameters
    ----------
    n_steps : time steps; step_s, slot_s : step and scheduling slot [s].
    chunk_steps : steps per time chunk (``chunk_bounds``); n_terminals, n_satellites : counts.
    radio : whether the radio layer is on.
    workers : processes (None: one per CPU core).
    """
    cores = os.cpu_count() or 1
    workers = max(1, min(workers or cores, math.ceil(n_steps / max(chunk_steps, 1))))
    slot_steps = max(1, round(slot_s / step_s))
    n_slots = math.ceil(n_steps / slot_steps)
    chunk_rows = min(chunk_steps, n_steps) * n_terminals
    # In flight: each worker's chunk and one more waiting (procs.ordered_map keeps workers + 1).
    parent_mb = (
        PARENT_BASE_MB
        + (RADIO_MB if radio else 0.0)
        + ((workers + 1) * RESULT_BYTES + PARENT_ROW_BYTES) * chunk_rows / 2**20
    )
    worker_mb = (
        WORKER_BASE_MB
        + RESULT_BYTES * chunk_rows / 2**20
        + SLOT_SAT_BYTES * min(slot_steps, n_steps) * n_satellites / 2**20
    )
    if workers == 1:  # chunks run in the parent itself
        peak_mb = parent_mb + worker_mb - WORKER_BASE_MB
    else:
        peak_mb = parent_mb + workers * worker_mb
    per_row_s = TERMINAL_STEP_S + (RADIO_TERMINAL_STEP_S if radio else 0.0)
    compute_s = (
        n_slots * SLOT_S * n_satellites / REFERENCE_SATELLITES + n_steps * n_terminals * per_row_s
    ) * (2.0 / min(workers, cores))  # the figures are of 2 workers on 2 cores
    wall_s = SETUP_S + (RADIO_SETUP_S if radio else 0.0) + compute_s
    return RunSize(
        n_steps=n_steps,
        n_terminals=n_terminals,
        n_satellites=n_satellites,
        chunk_steps=chunk_steps,
        slot_steps=slot_steps,
        workers=workers,
        wall_s=wall_s,
        parent_mb=parent_mb,
        worker_mb=worker_mb,
        peak_mb=peak_mb,
    )


#: Share of the memory available now that a run may plan to use (an assumption: the estimate
#: may be low by up to a factor of two, and the machine has other users).
BUDGET_SHARE = 0.5


def available_memory_mb() -> float:
    """Memory a new run may use [MB]: :data:`BUDGET_SHARE` of what is available now
    (``MemAvailable``, via psutil)."""
    import psutil

    return BUDGET_SHARE * psutil.virtual_memory().available / 2**20


def check_memory(
    file: str, size: RunSize, budget_mb: float | None = None, force: bool = False
) -> None:
    """Refuse a run whose estimated peak memory is above ``budget_mb`` (None:
    :func:`available_memory_mb`).

    Raises
    ------
    RunTooLargeError
        Unless ``force``.
    """
    budget_mb = available_memory_mb() if budget_mb is None else budget_mb
    if size.peak_mb > budget_mb and not force:
        raise RunTooLargeError(file, size, budget_mb)
