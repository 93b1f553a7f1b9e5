"""Hypatia's paper networks (Kassing et al., IMC 2020; references.md#hypatia): the Kuiper-630
and Starlink-550 shells with +Grid laser links over the 100 most populous cities, written as
the satellite-network folder Hypatia's ``satgenpy`` writes (:func:`write_paper_network`).

The reference networks of the pair-mode tests, benchmark and example; built from the Walker
generator and +Grid, then written with :func:`lifeline.io.hypatia.write_network_dir`.
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

__all__ = ["PAPER_EARTH_RADIUS_M", "PAPER_SHELLS", "paper_max_isl_m", "write_paper_network"]


#: Earth radius of Hypatia's paper scripts [m] (WGS72, ``main_kuiper_630.py``).
PAPER_EARTH_RADIUS_M = 6_378_135.0

#: Hypatia's paper shells (``paper/satellite_networks_state/main_kuiper_630.py`` and
#: ``main_starlink_550.py``; Kassing et al., IMC 2020): orbits, satellites per orbit,
#: inclination [deg], mean motion [rev/day], altitude [m], maximum GSL length [m] (the 30 deg
#: elevation cone at 630 km; the 25 deg cone of 940.7 km at 550 km).
PAPER_SHELLS = {
    "kuiper-630": (34, 34, 51.9, 14.80, 630_000.0, 630_000.0 / math.sin(math.radians(30.0))),
    "starlink-550": (72, 22, 53.0, 15.19, 550_000.0, math.hypot(940_700.0, 550_000.0)),
}


def paper_max_isl_m(altitude_m: float) -> float:
    """Hypatia's ISL length limit [m]: the ray between two satellites at ``altitude_m`` stays
    80 km above a sphere of :data:`PAPER_EARTH_RADIUS_M` (``main_*.py``)."""
    r = PAPER_EARTH_RADIUS_M
    return 2 * math.sqrt((r + altitude_m) ** 2 - (r + 80_000.0) ** 2)


def write_paper_network(path: str | Path, name: str) -> Path:
    """Write the satellite-network folder Hypatia's ``satgenpy`` writes for a paper shell:
    ``name`` in :data:`PAPER_SHELLS`, +Grid laser links with isl_shift 0, the 100 most populous
    cities (``lifeline/data/hypatia-ground-stations-top100.txt``), the paper's link limits,
    satellites from its 2000-01-01 epoch (:func:`lifeline.orbits.walker.hypatia_tle_lines`).

    Returns
    -------
    pathlib.Path
        The folder.
    """
    orbits, per_orbit, inclination, rev_day, altitude_m, max_gsl_m = PAPER_SHELLS[name]
    label = {"kuiper-630": "Kuiper-630", "starlink-550": "Starlink-550"}[name]
    records = hypatia_tle_lines(orbits, per_orbit, inclination, rev_day, HYPATIA_EPOCH_UTC, label)
    plane = np.repeat(np.arange(orbits), per_orbit)
    slot = np.tile(np.arange(per_orbit), orbits)
    cities = resources.files("lifeline.data").joinpath("hypatia-ground-stations-top100.txt")
    return write_network_dir(
        path,
        orbits,
        per_orbit,
        records,
        plus_grid(plane, slot),
        cities.read_text(),
        max_gsl_m,
        paper_max_isl_m(altitude_m),
    )
