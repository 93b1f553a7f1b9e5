"""Peak memory of a long run's parent process: bounded by a chunk, not by the run's length.

Starlink Gen1 Walker (4,408 satellites), 1,000 terminals, 100 gateways, 20 PoPs, at 1 s steps
(``walker_scenario`` of benchmarks/run.py), for ``--hours`` (24 by default). While the run
goes, a thread samples the parent's resident memory (``/proc/self/status`` VmRSS) every 0.5 s;
at the end it prints the parent's peak (VmHWM), the workers' peak, and the parent's memory at
each quarter of the run, so growth with run length shows (or does not).

    python benchmarks/memory.py               # 24 h (minutes of wall time, GBs on disk)
    python benchmarks/memory.py --hours 2     # shorter, for the growth check

The target: the parent stays under ~1 GB for the whole day. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import walker_scenario  # noqa: E402


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise KeyError(field)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=24.0, help="run length [h] (24)")
    parser.add_argument("--terminals", type=int, default=1000, help="terminals (1,000)")
    parser.add_argument("--workers", type=int, default=None, help="processes (one per core)")
    args = parser.parse_args()

    from lifeline.api import run
    from lifeline.config import scenario_from_dict

    spec = walker_scenario(args.terminals, args.hours * 3600.0, 1.0)
    scenario = scenario_from_dict(spec, "<memory benchmark>")
    samples: list[tuple[float, float]] = []  # (fraction done, parent RSS MB)
    done = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append((done[0], _status_mb("VmRSS")))
            stop.wait(0.5)

    def progress(steps: int, total: int) -> None:
        done[0] = steps / total

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lifeline-memory-") as out:
        result = run(scenario, out, progress=progress, workers=args.workers, report=False)
        parquet_mb = (Path(out) / "terminals.parquet").stat().st_size / 2**20
    wall_s = time.perf_counter() - started
    stop.set()
    sampler.join()
    quarters = {}
    for q in (0.25, 0.5, 0.75, 1.0):
        before = [mb for f, mb in samples if f <= q]
        quarters[f"{int(q * 100)}%"] = round(max(before), 1) if before else None
    print(
        json.dumps(
            {
                "hours": args.hours,
                "terminals": args.terminals,
                "satellites": result.info.n_satellites,
                "steps": result.info.n_steps,
                "rows": result.info.n_steps * args.terminals,
                "wall_s": round(wall_s, 1),
                "parent_peak_rss_mb": round(_status_mb("VmHWM"), 1),
                "parent_rss_mb_by_progress": quarters,
                "worker_peak_rss_mb": round(
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
                ),
                "terminals_parquet_mb": round(parquet_mb, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
