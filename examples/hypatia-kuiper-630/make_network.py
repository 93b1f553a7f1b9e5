"""Write Hypatia's Kuiper-630 satellite-network folder next to this file (``kuiper_630/``).

The folder is what Hypatia's ``satgenpy`` writes for its paper setting
(``paper/satellite_networks_state/main_kuiper_630.py``): 34 orbits x 34 satellites at 51.9 deg
and 14.80 rev/day from the 2000-01-01 epoch, +Grid laser links with isl_shift 0, the 100 most
populous cities as ground stations, GSLs up to the 30 deg elevation cone at 630 km and ISLs
whose ray stays 80 km above a 6,378.135 km Earth. If you have Hypatia's own output, point the
scenario at that folder instead.

Usage: ``python examples/hypatia-kuiper-630/make_network.py``
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import numpy as np

from lifeline.io.hypatia import write_network_dir
from lifeline.links.isl import plus_grid
from lifeline.orbits.presets import HYPATIA_EPOCH_UTC
from lifeline.orbits.walker import hypatia_tle_lines

ALTITUDE_M, EARTH_RADIUS_M = 630_000.0, 6_378_135.0  # main_kuiper_630.py (WGS72 radius)
MAX_GSL_M = math.hypot(ALTITUDE_M / math.tan(math.radians(30.0)), ALTITUDE_M)
MAX_ISL_M = 2 * math.sqrt((EARTH_RADIUS_M + ALTITUDE_M) ** 2 - (EARTH_RADIUS_M + 80_000.0) ** 2)


def main() -> None:
    records = hypatia_tle_lines(34, 34, 51.9, 14.80, HYPATIA_EPOCH_UTC, "Kuiper-630")
    plane, slot = np.repeat(np.arange(34), 34), np.tile(np.arange(34), 34)
    cities = resources.files("lifeline.data").joinpath("hypatia-ground-stations-top100.txt")
    folder = write_network_dir(
        Path(__file__).resolve().parent / "kuiper_630",
        34,
        34,
        records,
        plus_grid(plane, slot),
        cities.read_text(),
        MAX_GSL_M,
        MAX_ISL_M,
    )
    print(f"wrote {folder} (max GSL {MAX_GSL_M:.3f} m, max ISL {MAX_ISL_M:.3f} m)")


if __name__ == "__main__":
    main()
