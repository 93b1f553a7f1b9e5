"""Sweep throughput: the mariupol-2022-sweep preset (default scenario, 1 hour, gateway,
PoP, regional and satellite losses, rain and a jammer drawn per sample).

Measures
- a standalone run of the same window: ``lifeline run`` in a fresh process (what a user runs
  without sweeps: imports, TLE parse, laser links, propagation, simulation, files, report), and
  ``lifeline.run(base, workers=1)`` in a warm process (the engine alone, nothing shared);
- the sweep's per-sample cost in one process once the shared inputs exist (median of the
  samples after the first), and the first sample (which builds them);
- whole sweeps of ``--samples`` on a local Dask cluster of 1 and of 2 workers (cluster start
  included), as samples/s and the time 1,000 samples take at that rate.

Usage: python benchmarks/sweep.py [--samples N] [--skip-dask]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import lifeline
from lifeline.config import load_sweep
from lifeline.sweep import plan_samples, run_sample, run_sweep

SWEEP = Path(__file__).parents[1] / "lifeline" / "presets" / "sweeps" / "mariupol-2022-sweep.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=200, help="per Dask configuration")
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    logging.getLogger("lifeline").setLevel(logging.ERROR)
    sw = load_sweep(SWEEP)

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.toml"
        # The sweep's base scenario: the default over the same hour.
        base.write_text(
            'extends = "mariupol-2022"\nname = "sweep-base"\n[time]\nduration_s = 3600\n'
        )
        started = time.perf_counter()
        cli = [sys.executable, "-c", "from lifeline.cli import app; app()"]
        subprocess.run([*cli, "run", str(base), "-o", f"{tmp}/o", "-q"], check=True)
        cli_s = time.perf_counter() - started
    lifeline.run(sw.base, workers=1)  # warm the process (imports, ITU-R tables)
    started = time.perf_counter()
    lifeline.run(sw.base, workers=1)
    api_s = time.perf_counter() - started
    print(f"standalone 1-h run: `lifeline run` (fresh process) {cli_s:.2f} s; ", end="")
    print(f"lifeline.run(workers=1) in a warm process {api_s:.2f} s")

    specs = plan_samples(sw, 31, seed=0)
    started = time.perf_counter()
    run_sample(specs[0])
    first_s = time.perf_counter() - started
    times = []
    for spec in specs[1:]:
        started = time.perf_counter()
        run_sample(spec)
        times.append(time.perf_counter() - started)
    per = statistics.median(times)
    print(
        f"sweep, one process: first sample {first_s:.2f} s (builds the shared inputs), then "
        f"median {per:.3f} s per sample (30 samples): x{cli_s / per:.1f} below `lifeline run`, "
        f"x{api_s / per:.1f} below lifeline.run"
    )
    if args.skip_dask:
        return

    from distributed import Client, LocalCluster

    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            with (
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                ) as cluster,
                Client(cluster),
            ):
                run_sweep(sw, tmp, args.samples, seed=0, scheduler=cluster.scheduler_address)
            wall_s = time.perf_counter() - started
        rate = args.samples / wall_s
        print(
            f"Dask LocalCluster, {workers} worker(s): {args.samples} samples in {wall_s:.1f} s "
            f"= {rate:.2f} samples/s (cluster start and first samples included); "
            f"1,000 samples ~ {1000 / rate / 60:.1f} min"
        )


if __name__ == "__main__":
    main()
