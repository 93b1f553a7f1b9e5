"""User-terminal kits: what each Starlink kit is, for the link budget, the power kit and the plan.

A kit is named in a scenario (``terminals[].kit``) and fixes the terminal's receive aperture, its
maximum uplink EIRP, its average power draw and the per-terminal rate limits the provider
enforces. Every value cites ``docs/references.md`` by anchor or says it is an assumption.

The receive aperture efficiency and system noise temperature are not known per kit; the radio
layer's common values (:mod:`lifeline.links.budget`) apply to every kit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["DEFAULT_KIT", "KITS", "KIT_ALIASES", "Kit", "get_kit"]


@dataclass(frozen=True)
class Kit:
    """One user-terminal kit.

    Attributes
    ----------
    name : the name a scenario uses.
    description : what it is, for tables and reports.
    receive_aperture_m : diameter of a circular aperture of the same area as the receive array
        [m] (sets the downlink gain and the off-axis pattern toward a jammer).
    eirp_dbw : maximum uplink EIRP [dBW] (all of it in the uplink channel).
    draw_w : average power draw of dish and router [W] (the power kit and the plan).
    max_down_mbps, max_up_mbps : per-terminal rate limits the provider enforces [Mbit/s]; inf
        where none is published.
    """

    name: str
    description: str
    receive_aperture_m: float
    eirp_dbw: float
    draw_w: float
    max_down_mbps: float = math.inf
    max_up_mbps: float = math.inf


# Per-terminal limits: Starlink publishes expected speed ranges per service plan (e.g. Roam
# 65–260 Mbit/s down, 20–40 up, references.md#kits), stated as "not guaranteed", not as caps;
# no enforced per-terminal cap was found, so every kit has none (inf).
KITS: dict[str, Kit] = {
    kit.name: kit
    for kit in (
        Kit(
            name="standard-actuated",
            description="Standard Actuated (rectangular, 2021-23; the kit sent to Ukraine in 2022)",
            # 48 cm receive aperture, filed for both early models (references.md#terminal-antenna).
            receive_aperture_m=0.48,
            # Assumption: the earliest filed maximum EIRP found is UT3-V1's 42.1 dBW before its
            # 2023 modification (references.md#terminal-eirp); no figure for this model was found.
            eirp_dbw=42.1,
            # Measured dish + router: usually 80-100 W (references.md#terminal-power), middle.
            draw_w=90.0,
        ),
        Kit(
            name="standard",
            description="Standard (UT3-V1, 2023+)",
            # Assumption: the 48 cm of the earlier models (references.md#terminal-antenna); the
            # 2023 dish's aperture is not in a filing found.
            receive_aperture_m=0.48,
            # UT3-V1 maximum EIRP after the 2023 modification (references.md#terminal-eirp).
            eirp_dbw=43.6,
            # 75-100 W average (references.md#terminal-power), middle.
            draw_w=87.5,
        ),
        Kit(
            name="mini",
            description="Mini (UT3-V2)",
            # Assumption: a disc of the same area as the Mini's ~30 x 26 cm array (0.31 m); no
            # filed aperture found.
            receive_aperture_m=0.30,
            # UT3-V2 maximum EIRP after the 2023 modification (references.md#terminal-eirp).
            eirp_dbw=39.2,
            # 20-40 W average (references.md#terminal-power), middle.
            draw_w=30.0,
        ),
        Kit(
            name="flat-high-performance",
            description="Flat High Performance / Performance",
            # Assumption: a disc of the same area as the ~57.5 x 51.1 cm array (0.61 m).
            receive_aperture_m=0.61,
            # Assumption: no filed EIRP found; the Standard's 43.6 dBW
            # (references.md#terminal-eirp).
            eirp_dbw=43.6,
            # Performance: 110-150 W average (references.md#terminal-power), middle.
            draw_w=130.0,
        ),
    )
}

#: Other names accepted for a kit (``[terminals.power] model = "performance"`` predates kits).
KIT_ALIASES = {"performance": "flat-high-performance"}

#: The kit of a terminal that names none: the one used in Ukraine in 2022.
DEFAULT_KIT = "standard-actuated"


def get_kit(name: str) -> Kit:
    """The kit called ``name`` (or an alias of it).

    Raises
    ------
    ValueError
        Naming the value and the kits allowed.
    """
    kit = KITS.get(KIT_ALIASES.get(name, name))
    if kit is None:
        allowed = ", ".join(f'"{k}"' for k in (*KITS, *KIT_ALIASES))
        raise ValueError(f"kit = {name!r}: allowed {allowed}")
    return kit
