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

from pathlib import Path

from lifeline.io.hypatia import read_network_dir
from lifeline.orbits.hypatia_paper import write_paper_network


def main() -> None:
    folder = write_paper_network(Path(__file__).resolve().parent / "kuiper_630", "kuiper-630")
    network = read_network_dir(folder)
    print(
        f"wrote {folder} (max GSL {network.max_gsl_length_m:.3f} m, "
        f"max ISL {network.max_isl_length_m:.3f} m)"
    )


if __name__ == "__main__":
    main()
