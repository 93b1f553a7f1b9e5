"""Pair-mode speed: all 4,950 pairs of Hypatia's 100 cities per time step, per stage.

Builds Hypatia's paper networks (Kuiper-630 and Starlink-550, +Grid ISLs with isl_shift 0,
``hypatia-ground-stations-top100.txt``, link limits of ``main_kuiper_630.py`` and
``main_starlink_550.py``) in a temporary folder and runs ``run_pairs`` over ``--steps`` steps of
``--step-ms``, reporting:

- numba: the routing kernels' compile time (a fresh process with an empty cache) and, in this
  process, their first call (loaded from the on-disk cache), both outside the per-step figures;
- per step [ms]: each stage (propagation, topology, routing, output; the Parquet writer's own
  time runs in a background thread and is shown apart), routing of the first step (cold: a full
  Dijkstra per source) and of the later ones (warm), and wall time of the whole ``run_pairs``
  call divided by the steps (set-up, first step and final write included);
- the ratio to Hypatia's per-step time on a 2-core machine (13.3 s Starlink-550, 5.0 s
  Kuiper-630; :data:`HYPATIA_S`).

Usage: ``python benchmarks/pairs.py [--steps 50] [--step-ms 100] [--only starlink-550]
[--router dijkstra]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from lifeline.io.hypatia import read_network_dir
from lifeline.network.dynamic import DynamicRouter
from lifeline.orbits.hypatia_paper import write_paper_network
from lifeline.pairmode import PairNetwork, resolve_pairs, run_pairs

#: Hypatia's seconds per step on 2 cores, per paper shell (``PAPER_SHELLS``), as recorded in
#: docs/benchmarks.md ("Pair mode", column "Hypatia (2 cores)").
HYPATIA_S = {"kuiper-630": 5.0, "starlink-550": 13.3}


def build(name: str, folder: Path) -> PairNetwork:
    return PairNetwork.from_hypatia(read_network_dir(write_paper_network(folder, name)))


def _first_solve_s() -> float:
    """Seconds of the routing kernels' first call (compile, or load from numba's cache)."""
    start = time.perf_counter()
    router = DynamicRouter(2, np.array([[0, 1]]), np.array([0]), np.array([1]))
    router.solve(np.ones(1), np.array([0, 1, 2]), np.array([0, 1]), np.ones(2))
    return time.perf_counter() - start


def compile_s() -> float:
    """The kernels' compile time: a fresh process with an empty numba cache."""
    with tempfile.TemporaryDirectory() as cache:
        code = "import benchmarks.pairs as b; print(b._first_solve_s())"
        root = Path(__file__).resolve().parents[1]
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
        )
        out.check_returncode()
        return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--step-ms", type=float, default=100.0)
    parser.add_argument("--only", choices=sorted(HYPATIA_S))
    parser.add_argument("--router", choices=["dynamic", "dijkstra"], default="dynamic")
    args = parser.parse_args()
    if args.router == "dynamic":
        print(
            f"numba kernels: compile {compile_s():.2f} s (empty cache), "
            f"first call {_first_solve_s():.3f} s (cached), not in the figures below"
        )
    for name in [args.only] if args.only else list(HYPATIA_S):
        with tempfile.TemporaryDirectory() as tmp:
            network = build(name, Path(tmp) / "net")
            pairs = resolve_pairs("all", network.gs_names)
            start = time.perf_counter()
            result = run_pairs(
                network,
                args.steps * args.step_ms / 1e3,
                args.step_ms / 1e3,
                pairs,
                Path(tmp) / "out",
                router=args.router,
            )
            wall = time.perf_counter() - start
            times = result.times
            split = times.per_step_ms()
            warm = 1e3 * (times.routing - times.first_routing) / max(result.n_steps - 1, 1)
            hypatia_s = HYPATIA_S[name]
            print(
                f"{name}: {network.n_sats} sats, {len(pairs)} pairs, {result.n_steps} steps of "
                f"{args.step_ms:g} ms, router {args.router}; per step [ms]: "
                + ", ".join(f"{k} {v:.2f}" for k, v in split.items())
                + f"; routing first step {1e3 * times.first_routing:.2f}, later {warm:.2f}"
                f"; wall {1e3 * wall / result.n_steps:.2f} ms/step ({wall:.2f} s); "
                f"x{hypatia_s / (wall / result.n_steps):.0f} vs Hypatia's {hypatia_s} s"
            )


if __name__ == "__main__":
    main()
