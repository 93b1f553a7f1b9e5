"""Sweep throughput (issue 8): samples/s of mariupol-2022-sweep (default scenario, 1 hour) in
this process, on a local Dask cluster of 1 and of 2 workers, and the cost of one standalone
``lifeline.run`` of the same window, with the time 1,000 samples would take.

Usage: python benchmarks/sweep.py [--samples N]   (N per configuration, default 8)
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import lifeline
from lifeline.sweep import load_sweep, run_sweep

SWEEP = Path(__file__).parents[1] / "lifeline" / "presets" / "sweeps" / "mariupol-2022-sweep.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=8)
    args = parser.parse_args()
    logging.getLogger("lifeline").setLevel(logging.ERROR)
    sw = load_sweep(SWEEP)

    started = time.perf_counter()
    lifeline.run(sw.base, workers=1)
    standalone_s = time.perf_counter() - started
    print(f"standalone lifeline.run of the 1-h window, 1 process: {standalone_s:.2f} s")

    for label, workers in (("in process (no Dask)", 1), ("Dask, 1 worker", None), ("Dask, 2", 2)):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            if workers is None:  # a one-worker local cluster, to compare Dask's 1 and 2
                from distributed import Client, LocalCluster

                with (
                    LocalCluster(
                        n_workers=1,
                        threads_per_worker=1,
                        dashboard_address=None,
                        silence_logs=logging.ERROR,
                    ) as cluster,
                    Client(cluster),
                ):
                    run_sweep(sw, tmp, args.samples, seed=0, scheduler=cluster.scheduler_address)
            else:
                run_sweep(sw, tmp, args.samples, seed=0, workers=workers)
            wall_s = time.perf_counter() - started
        rate = args.samples / wall_s
        print(
            f"{label:22s}: {args.samples} samples in {wall_s:6.2f} s = {rate:.2f} samples/s "
            f"(cluster start included); 1,000 samples ~ {1000 / rate / 60:.1f} min; "
            f"per sample {wall_s / args.samples:.2f} s vs standalone {standalone_s:.2f} s"
        )


if __name__ == "__main__":
    main()
