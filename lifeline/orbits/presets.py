"""Filed constellation designs as Walker-delta shells, and Hypatia's two paper shells.

Phasing factors are not given in the FCC filings; every filed shell here assumes Walker phasing
F = 1 (an assumption, not a filed value). ``kuiper-630`` and ``starlink-550`` are the shells of
Hypatia's paper scripts, generated exactly as Hypatia does (``phasing="hypatia"``, see
:func:`lifeline.orbits.walker.hypatia_tle_lines`); build them at Hypatia's epoch
2000-01-01T00:00:00Z to reproduce its ``tles.txt``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lifeline.orbits.walker import WalkerShell, walker_delta

__all__ = [
    "CONSTELLATION_PRESETS",
    "HYPATIA_EPOCH_UTC",
    "PRESET_SOURCES",
    "ShellSpec",
    "build_preset",
]


@dataclass(frozen=True)
class ShellSpec:
    """One Walker-delta shell of a filed design.

    Attributes
    ----------
    name : str
    altitude_km : float
        Altitude [km].
    inclination_deg : float
        Inclination [deg].
    planes : int
    sats_per_plane : int
    phasing : int or "hypatia"
        Walker phasing factor F (assumed 1: not in the filings), or ``"hypatia"``.
    mean_motion_rev_per_day : float or None
        Only for ``"hypatia"`` shells: the mean motion of Hypatia's scripts [rev/day].
    """

    name: str
    altitude_km: float
    inclination_deg: float
    planes: int
    sats_per_plane: int
    phasing: int | str
    mean_motion_rev_per_day: float | None = None

    @property
    def n_sats(self) -> int:
        """Number of satellites in the shell."""
        return self.planes * self.sats_per_plane


#: Shell lists per preset name. Phasing F = 1 is assumed throughout
#: (references.md#constellation-shells; Hypatia's shells: references.md#hypatia).
CONSTELLATION_PRESETS: dict[str, tuple[ShellSpec, ...]] = {
    # 4,408 satellites (references.md#constellation-shells).
    "starlink-gen1": (
        ShellSpec("550km-53.0deg", 550.0, 53.0, 72, 22, 1),
        ShellSpec("540km-53.2deg", 540.0, 53.2, 72, 22, 1),
        ShellSpec("570km-70.0deg", 570.0, 70.0, 36, 20, 1),
        ShellSpec("560km-97.6deg-a", 560.0, 97.6, 6, 58, 1),
        ShellSpec("560km-97.6deg-b", 560.0, 97.6, 4, 43, 1),
    ),
    # 3,236 satellites.
    "kuiper-gen1": (
        ShellSpec("630km-51.9deg", 630.0, 51.9, 34, 34, 1),
        ShellSpec("610km-42.0deg", 610.0, 42.0, 36, 36, 1),
        ShellSpec("590km-33.0deg", 590.0, 33.0, 28, 28, 1),
    ),
    # Hypatia paper/satellite_networks_state/main_kuiper_630.py: 34 x 34, 51.9 deg,
    # 14.80 rev/day ("altitude ~630 km"), e = 1e-7, half-slot shift on odd orbits.
    "kuiper-630": (ShellSpec("630km-51.9deg", 630.0, 51.9, 34, 34, "hypatia", 14.80),),
    # Hypatia paper/satellite_networks_state/main_starlink_550.py: 72 x 22, 53 deg,
    # 15.19 rev/day ("altitude ~550 km").
    "starlink-550": (ShellSpec("550km-53.0deg", 550.0, 53.0, 72, 22, "hypatia", 15.19),),
}

#: Hypatia's element epoch, its time 0 (generate_tles_from_scratch.py: "00001.00000000";
#: references.md#hypatia).
HYPATIA_EPOCH_UTC = "2000-01-01T00:00:00Z"

#: Where each preset's shells come from.
PRESET_SOURCES: dict[str, str] = {
    "starlink-gen1": (
        "SpaceX Gen1 after the 2021 modification: FCC DA 19-1294 (19 Dec 2019, 550 km shell); "
        "SAT-MOD-20200417-00037 granted by FCC 21-48, 36 FCC Rcd 7995 (27 Apr 2021). "
        "Walker phasing F=1 assumed (not filed)."
    ),
    "kuiper-gen1": (
        "Kuiper Systems LLC, FCC 20-102 (30 Jul 2020), authorised shells. "
        "Walker phasing F=1 assumed (not filed)."
    ),
    "kuiper-630": (
        "Hypatia (Kassing et al., IMC 2020), paper/satellite_networks_state/main_kuiper_630.py, "
        "from Kuiper's ITU filing; TLEs as satgen.generate_tles_from_scratch_manual writes them."
    ),
    "starlink-550": (
        "Hypatia (Kassing et al., IMC 2020), paper/satellite_networks_state/main_starlink_550.py, "
        "from SpaceX's FCC filing SAT-MOD-20190830-00087; TLEs as Hypatia writes them."
    ),
}


def build_preset(name: str, epoch_utc: np.datetime64 | str) -> list[WalkerShell]:
    """Build the shells of a named preset with elements at ``epoch_utc``.

    Catalog numbers run consecutively from 1 across all shells, so they are unique.

    Parameters
    ----------
    name : str
        A key of :data:`CONSTELLATION_PRESETS`.
    epoch_utc : numpy.datetime64 or str
        Element epoch (UTC).

    Returns
    -------
    list of WalkerShell
        One per shell, named ``"<preset>-<shell>"``.

    Raises
    ------
    ValueError
        For an unknown preset name (the message lists the valid names).

    References
    ----------
    See :data:`PRESET_SOURCES`.
    """
    if name not in CONSTELLATION_PRESETS:
        raise ValueError(
            f"constellation preset {name!r} is unknown; valid: {sorted(CONSTELLATION_PRESETS)}"
        )
    shells = []
    first_satnum = 1
    for spec in CONSTELLATION_PRESETS[name]:
        shells.append(
            walker_delta(
                spec.altitude_km,
                spec.inclination_deg,
                spec.planes,
                spec.sats_per_plane,
                spec.phasing,
                epoch_utc,
                name=f"{name}-{spec.name}",
                first_satnum=first_satnum,
                mean_motion_rev_per_day=spec.mean_motion_rev_per_day,
            )
        )
        first_satnum += spec.n_sats
    return shells
