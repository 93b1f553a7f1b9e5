"""Walker-delta constellation shells as SGP4 satellite records.

A Walker-delta pattern i:t/p/f places t satellites in p circular orbit planes of equal
inclination i, with RAANs spread evenly over 360°, s = t/p satellites evenly spaced in each
plane, and satellites in adjacent planes shifted in-track by f·360°/t.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sgp4.api import WGS72, Satrec

from lifeline.constants import MAX_CATALOG_NUMBER
from lifeline.time import days_since_1949_12_31, to_datetime64

__all__ = [
    "WGS72_MU_KM3_S2",
    "WGS72_RADIUS_KM",
    "WalkerShell",
    "circular_mean_motion_rad_min",
    "hypatia_tle_lines",
    "walker_delta",
]

#: WGS72 gravitational parameter [km^3/s^2] and equatorial radius [km], the constants SGP4
#: element sets are fitted with (Vallado et al., AIAA 2006-6753; references.md#sgp4).
WGS72_MU_KM3_S2 = 398600.8
WGS72_RADIUS_KM = 6378.135

#: Eccentricity given to "circular" shells. SGP4 clamps the mean eccentricity to >= 1e-6
#: while propagating (sgp4 ``propagation.py``, "sgp4fix fix tolerance to avoid a divide by
#: zero"), so any value below that is circular to SGP4; a small non-zero value keeps the
#: perigee direction defined in tools that convert the elements back to Keplerian.
_CIRCULAR_ECCENTRICITY = 1e-7


@dataclass(frozen=True)
class WalkerShell:
    """One Walker-delta shell.

    Attributes
    ----------
    names : list of str
        ``"<name>-pPP-sSS"`` (plane, slot), or ``"pPP-sSS"`` without a name.
    satrecs : list of sgp4.api.Satrec
        SGP4 records (WGS72), plane-major: index = plane · sats_per_plane + slot.
    plane : numpy.ndarray of int64, shape (S,)
        Orbit plane index j in [0, planes).
    slot : numpy.ndarray of int64, shape (S,)
        Position k in the plane, in [0, sats_per_plane), ordered by argument of latitude.
    """

    names: list[str]
    satrecs: list[Satrec]
    plane: np.ndarray
    slot: np.ndarray

    def __len__(self) -> int:
        return len(self.satrecs)


def circular_mean_motion_rad_min(altitude_km: float) -> float:
    """Keplerian mean motion of a circular orbit at ``altitude_km`` above the WGS72 radius.

    Returns
    -------
    float
        n = sqrt(μ / a³) [rad/min], with μ = 398600.8 km³/s², a = 6378.135 km + altitude.

    References
    ----------
    Kepler's third law; WGS72 constants from Vallado et al., AIAA 2006-6753.
    """
    semi_major_axis_km = WGS72_RADIUS_KM + altitude_km
    return math.sqrt(WGS72_MU_KM3_S2 / semi_major_axis_km**3) * 60.0


def _check_args(
    altitude_km: float, inclination_deg: float, planes: int, sats_per_plane: int, phasing: int
) -> None:
    if not (math.isfinite(altitude_km) and 150.0 <= altitude_km <= 2000.0):
        raise ValueError(f"altitude_km = {altitude_km!r} is outside 150..2000 km (LEO, SGP4)")
    if not (math.isfinite(inclination_deg) and 0.0 <= inclination_deg <= 180.0):
        raise ValueError(f"inclination_deg = {inclination_deg!r} is outside 0..180")
    for label, value in (("planes", planes), ("sats_per_plane", sats_per_plane)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{label} = {value!r} must be an integer >= 1")
    if isinstance(phasing, bool) or not isinstance(phasing, int | np.integer):
        raise ValueError(f"phasing = {phasing!r} must be an integer in 0..{planes - 1}")
    if not 0 <= phasing < planes:
        raise ValueError(f"phasing = {phasing!r} must be an integer in 0..{planes - 1}")


def walker_delta(
    altitude_km: float,
    inclination_deg: float,
    planes: int,
    sats_per_plane: int,
    phasing: int | str,
    epoch_utc: np.datetime64 | str,
    name: str = "",
    first_satnum: int = 1,
    mean_motion_rev_per_day: float | None = None,
) -> WalkerShell:
    """Build a Walker-delta shell i:t/p/f of circular orbits as SGP4 records.

    Plane j (0 ≤ j < p) has RAAN Ω_j = j·360°/p; satellite k (0 ≤ k < s) in it has mean
    anomaly M_jk = k·360°/s + j·f·360°/t at the epoch (argument of perigee 0, so M is the
    argument of latitude), with t = p·s.

    Parameters
    ----------
    altitude_km : float
        Altitude above the WGS72 equatorial radius 6378.135 km [km], 150..2000.
    inclination_deg : float
        Inclination [deg], 0..180.
    planes : int
        Number of orbit planes p.
    sats_per_plane : int
        Satellites per plane s.
    phasing : int or "hypatia"
        Walker phasing factor f, 0..p−1, or ``"hypatia"`` for the satellites Hypatia's
        generator writes (see :func:`hypatia_tle_lines`; the records are then parsed from
        those exact TLE lines).
    epoch_utc : numpy.datetime64 or str
        Epoch of the elements (UTC).
    name : str
        Prefix of the satellite names.
    first_satnum : int
        Catalog number of the first satellite; the others follow consecutively
        (``sgp4init`` needs one; keep them unique across shells). At most
        :data:`~lifeline.constants.MAX_CATALOG_NUMBER` (339999, Alpha-5).
    mean_motion_rev_per_day : float, optional
        Only with ``phasing="hypatia"``: the mean motion Hypatia's scripts give (e.g. 14.80
        for Kuiper-630, 15.19 for Starlink-550) [rev/day]. Default: the Keplerian value at
        ``altitude_km``.

    Returns
    -------
    WalkerShell

    Raises
    ------
    ValueError
        For arguments outside the ranges above.

    Notes
    -----
    The mean motion is Keplerian (WGS72 μ) and is given to ``sgp4init`` as the Kozai mean
    motion; drag terms are zero, so the shell keeps its altitude indefinitely.

    References
    ----------
    J. G. Walker, "Satellite constellations", J. Br. Interplanet. Soc. 37 (1984) 559-572.
    Vallado et al., AIAA 2006-6753 (``sgp4init``, WGS72).
    """
    if isinstance(phasing, str):
        if phasing != "hypatia":
            raise ValueError(f"phasing = {phasing!r} must be an integer or 'hypatia'")
        return _hypatia_shell(
            altitude_km,
            inclination_deg,
            planes,
            sats_per_plane,
            epoch_utc,
            name,
            first_satnum,
            mean_motion_rev_per_day,
        )
    if mean_motion_rev_per_day is not None:
        raise ValueError("mean_motion_rev_per_day is only used with phasing='hypatia'")
    _check_args(altitude_km, inclination_deg, planes, sats_per_plane, phasing)
    total = planes * sats_per_plane
    if not 1 <= first_satnum <= MAX_CATALOG_NUMBER - total + 1:
        raise ValueError(
            f"first_satnum = {first_satnum!r}: satellites {first_satnum}.."
            f"{first_satnum + total - 1} must lie in 1..{MAX_CATALOG_NUMBER}"
        )
    epoch_days = days_since_1949_12_31(to_datetime64(epoch_utc))
    mean_motion_rad_min = circular_mean_motion_rad_min(altitude_km)
    inclination_rad = math.radians(inclination_deg)

    plane = np.repeat(np.arange(planes, dtype=np.int64), sats_per_plane)
    slot = np.tile(np.arange(sats_per_plane, dtype=np.int64), planes)
    raan_rad = np.radians(plane * (360.0 / planes))
    mean_anomaly_rad = np.radians(
        np.mod(slot * (360.0 / sats_per_plane) + plane * phasing * (360.0 / total), 360.0)
    )

    prefix = f"{name}-" if name else ""
    names = [f"{prefix}p{j:02d}-s{k:02d}" for j, k in zip(plane, slot, strict=True)]
    satrecs = []
    for index in range(total):
        satrec = Satrec()
        satrec.sgp4init(
            WGS72,
            "i",
            first_satnum + index,
            epoch_days,
            0.0,  # bstar
            0.0,  # ndot
            0.0,  # nddot
            _CIRCULAR_ECCENTRICITY,
            0.0,  # argument of perigee
            inclination_rad,
            float(mean_anomaly_rad[index]),
            mean_motion_rad_min,
            float(raan_rad[index]),
        )
        satrecs.append(satrec)
    return WalkerShell(names=names, satrecs=satrecs, plane=plane, slot=slot)


#: Eccentricity of Hypatia's circular shells: "pyephem does not permit 0, so lowest possible
#: value" (Hypatia ``paper/satellite_networks_state/main_kuiper_630.py``).
HYPATIA_ECCENTRICITY = 1e-7


def _tle_checksum(line: str) -> int:
    """Modulo-10 checksum of a 68-character TLE line (digits count, '-' counts 1)."""
    return (sum(int(c) for c in line if c.isdigit()) + line.count("-")) % 10


def _tle_epoch(epoch_utc: np.datetime64) -> str:
    """TLE epoch field "YYDDD.DDDDDDDD" (day of year from 1)."""
    epoch = to_datetime64(epoch_utc)
    year = int(str(epoch)[:4])
    start = np.datetime64(f"{year}-01-01T00:00:00", "ns")
    day = 1.0 + (epoch - start) / np.timedelta64(86_400_000_000_000, "ns")
    if not 1957 <= year <= 2056:
        raise ValueError(f"epoch_utc {epoch} cannot be written in a TLE (years 1957..2056)")
    return f"{year % 100:02d}{day:012.8f}"


def hypatia_tle_lines(
    planes: int,
    sats_per_plane: int,
    inclination_deg: float,
    mean_motion_rev_per_day: float,
    epoch_utc: np.datetime64 | str = "2000-01-01T00:00:00Z",
    name: str = "",
    eccentricity: float = HYPATIA_ECCENTRICITY,
    arg_of_perigee_deg: float = 0.0,
    phase_diff: bool = True,
    first_satnum: int = 1,
) -> list[tuple[str, str, str]]:
    """The 3-line records Hypatia's ``generate_tles_from_scratch_manual`` writes.

    Conventions (Hypatia ``satgenpy/satgen/tles/generate_tles_from_scratch.py`` and the paper
    scripts ``main_kuiper_630.py``, ``main_starlink_550.py``):

    * orbit ``o`` has RAAN ``o · 360 / planes`` [deg];
    * satellite ``s`` of orbit ``o`` has mean anomaly ``s · 360 / sats_per_plane``, plus half a
      slot, ``360 / (2 · sats_per_plane)``, on odd orbits when ``phase_diff`` (the paper's
      setting) — not a Walker phasing factor;
    * eccentricity 1e-7 (pyephem refuses 0), argument of perigee 0, no drag terms;
    * the mean motion is given in rev/day (not derived from the altitude);
    * angles are written with 4 decimals and the mean motion with 8 (``"%3.4f"``,
      ``"%2.8f"``), so the satellites are those of the rounded text;
    * epoch 2000-01-01 00:00 UTC ("00001.00000000"), catalog numbers ``1..S``, designator
      "00000ABC", name line ``"<name> <id>"`` with ids from 0.

    Parameters
    ----------
    planes, sats_per_plane : int
        >= 1.
    inclination_deg : float
        [deg].
    mean_motion_rev_per_day : float
        [rev/day].
    epoch_utc : numpy.datetime64 or str
        Element epoch (Hypatia: 2000-01-01 00:00 UTC).
    name : str
        Name-line prefix, e.g. ``"Kuiper-630"``.
    eccentricity, arg_of_perigee_deg : float
    phase_diff : bool
        Shift odd orbits by half a slot.
    first_satnum : int
        Catalog number of satellite 0.

    Returns
    -------
    list of (str, str, str)
        (name line, TLE line 1, TLE line 2) per satellite, orbit-major.
    """
    epoch_field = _tle_epoch(to_datetime64(epoch_utc))
    records = []
    for orbit in range(planes):
        raan_deg = orbit * 360.0 / planes
        shift_deg = 360.0 / (sats_per_plane * 2.0) if (orbit % 2 == 1 and phase_diff) else 0.0
        for k in range(sats_per_plane):
            index = orbit * sats_per_plane + k
            satnum = first_satnum + index
            mean_anomaly_deg = shift_deg + k * 360.0 / sats_per_plane
            line1 = f"1 {satnum:05d}U 00000ABC {epoch_field}  .00000000  00000-0  00000+0 0    0"
            line2 = "2 {:05d} {} {} {} {} {} {}    0".format(
                satnum,
                f"{inclination_deg:3.4f}".rjust(8),
                f"{raan_deg:3.4f}".rjust(8),
                f"{eccentricity:0.7f}"[2:],
                f"{arg_of_perigee_deg:3.4f}".rjust(8),
                f"{mean_anomaly_deg:3.4f}".rjust(8),
                f"{mean_motion_rev_per_day:2.8f}".rjust(11),
            )
            records.append(
                (
                    f"{name} {index}".strip(),
                    line1 + str(_tle_checksum(line1)),
                    line2 + str(_tle_checksum(line2)),
                )
            )
    return records


def _hypatia_shell(
    altitude_km: float,
    inclination_deg: float,
    planes: int,
    sats_per_plane: int,
    epoch_utc: np.datetime64 | str,
    name: str,
    first_satnum: int,
    mean_motion_rev_per_day: float | None,
) -> WalkerShell:
    """:func:`walker_delta` with ``phasing="hypatia"``: parse :func:`hypatia_tle_lines`."""
    _check_args(altitude_km, inclination_deg, planes, sats_per_plane, 0)
    if planes * sats_per_plane + first_satnum - 1 > 99_999:
        raise ValueError("phasing='hypatia' writes 5-digit catalog numbers: at most 99999")
    if mean_motion_rev_per_day is None:
        mean_motion_rev_per_day = circular_mean_motion_rad_min(altitude_km) * 1440.0 / (2 * math.pi)
    records = hypatia_tle_lines(
        planes,
        sats_per_plane,
        inclination_deg,
        mean_motion_rev_per_day,
        epoch_utc,
        name,
        first_satnum=first_satnum,
    )
    plane = np.repeat(np.arange(planes, dtype=np.int64), sats_per_plane)
    slot = np.tile(np.arange(sats_per_plane, dtype=np.int64), planes)
    prefix = f"{name}-" if name else ""
    names = [f"{prefix}p{j:02d}-s{k:02d}" for j, k in zip(plane, slot, strict=True)]
    satrecs = [Satrec.twoline2rv(line1, line2) for _, line1, line2 in records]
    return WalkerShell(names=names, satrecs=satrecs, plane=plane, slot=slot)
