"""Pair-mode speed: all 4,950 pairs of Hypatia's 100 cities per time step, per stage.

Builds Hypatia's paper networks (Kuiper-630 and Starlink-550, +Grid ISLs with isl_shift 0,
``hypatia-ground-stations-top100.txt``, link limits of ``main_kuiper_630.py`` and
``main_starlink_550.py``) in a temporary folder and runs ``run_pairs`` over ``--steps`` steps of
``--step-ms``, reporting the per-step wall time of each stage (propagation, topology, routing,
output) and the ratio to Hypatia's per-step time on a 2-core machine (issue 4: 13.3 s
Starlink-550, 5.0 s Kuiper-630).

Usage: ``python benchmarks/pairs.py [--steps 50] [--step-ms 100] [--only starlink-550]``
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np

from lifeline.io.hypatia import read_network_dir, write_network_dir
from lifeline.links.isl import plus_grid
from lifeline.orbits.presets import HYPATIA_EPOCH_UTC
from lifeline.orbits.walker import hypatia_tle_lines
from lifeline.pairs import PairNetwork, resolve_pairs, run_pairs

EARTH_RADIUS_M = 6_378_135.0  # WGS72, as Hypatia's scripts

#: name: (orbits, sats per orbit, inclination deg, rev/day, altitude m, max GSL m,
#: Hypatia's seconds per step on 2 cores from issue 4)
NETWORKS = {
    "kuiper-630": (34, 34, 51.9, 14.80, 630_000.0, 630_000.0 / math.sin(math.radians(30)), 5.0),
    "starlink-550": (72, 22, 53.0, 15.19, 550_000.0, math.hypot(940_700.0, 550_000.0), 13.3),
}


def build(name: str, folder: Path) -> PairNetwork:
    orbits, per_orbit, inclination, rev_day, altitude_m, max_gsl_m, _ = NETWORKS[name]
    records = hypatia_tle_lines(orbits, per_orbit, inclination, rev_day, HYPATIA_EPOCH_UTC, name)
    plane = np.repeat(np.arange(orbits), per_orbit)
    slot = np.tile(np.arange(per_orbit), orbits)
    max_isl_m = 2 * math.sqrt((EARTH_RADIUS_M + altitude_m) ** 2 - (EARTH_RADIUS_M + 80_000.0) ** 2)
    cities = resources.files("lifeline.data").joinpath("hypatia-ground-stations-top100.txt")
    write_network_dir(
        folder,
        orbits,
        per_orbit,
        records,
        plus_grid(plane, slot),
        cities.read_text(),
        max_gsl_m,
        max_isl_m,
    )
    return PairNetwork.from_hypatia(read_network_dir(folder))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--step-ms", type=float, default=100.0)
    parser.add_argument("--only", choices=sorted(NETWORKS))
    args = parser.parse_args()
    for name in [args.only] if args.only else list(NETWORKS):
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
            )
            wall = time.perf_counter() - start
            split = result.times.per_step_ms()
            hypatia_s = NETWORKS[name][-1]
            print(
                f"{name}: {network.n_sats} sats, {len(pairs)} pairs, {result.n_steps} steps; "
                f"per step [ms]: "
                + ", ".join(f"{k} {v:.2f}" for k, v in split.items())
                + f"; wall {1e3 * wall / result.n_steps:.2f} ms/step; "
                f"x{hypatia_s / (split['total'] / 1e3):.0f} vs Hypatia's {hypatia_s} s"
            )


if __name__ == "__main__":
    main()
