"""Filed constellation designs as Walker-delta shells.

Phasing factors are not given in the FCC filings; every shell here assumes Walker phasing
F = 1 (an assumption, not a filed value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lifeline.orbits.walker import WalkerShell, walker_delta

__all__ = ["CONSTELLATION_PRESETS", "PRESET_SOURCES", "ShellSpec", "build_preset"]


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
    phasing : int
        Walker phasing factor F (assumed 1: not in the filings).
    """

    name: str
    altitude_km: float
    inclination_deg: float
    planes: int
    sats_per_plane: int
    phasing: int

    @property
    def n_sats(self) -> int:
        """Number of satellites in the shell."""
        return self.planes * self.sats_per_plane


#: Shell lists per preset name. Phasing F = 1 is assumed throughout.
CONSTELLATION_PRESETS: dict[str, tuple[ShellSpec, ...]] = {
    # 4,408 satellites (FACTS.md §1 "Gen1 shell 1", "Gen1 shells 2-5", "Gen1 total").
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
}

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
            )
        )
        first_satnum += spec.n_sats
    return shells
