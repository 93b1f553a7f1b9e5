"""Report build time and size for a whole run (targets: <= 5 s, <= 8 MB).

    python benchmarks/report.py                       # runs the default preset first (~25 s)
    python benchmarks/report.py --scenario mariupol-2022-bentpipe
    python benchmarks/report.py --run-dir out         # an existing `lifeline run` folder

Times ``lifeline.report.build_report`` (read the Parquet and JSON files, reduce, render, write)
in this process, best of ``--repeat``, and prints the file size.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import lifeline
from lifeline.report import build_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="mariupol-2022")
    parser.add_argument("--run-dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = args.run_dir
        if run_dir is None:
            run_dir = Path(tmp)
            scenario = lifeline.load_scenario(args.scenario)
            started = time.perf_counter()
            # The run writes scenario.json too; the report is timed below, on its own.
            lifeline.run(scenario, out_dir=run_dir, report=False)
            print(f"run {args.scenario}: {time.perf_counter() - started:.1f} s")
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            path = build_report(run_dir)
            times.append(time.perf_counter() - started)
        size_mb = path.stat().st_size / 1e6
        print(
            f"report {run_dir}: build {min(times):.2f} s (best of {args.repeat}; "
            f"all {', '.join(f'{t:.2f}' for t in times)}), size {size_mb:.2f} MB"
        )


if __name__ == "__main__":
    main()
