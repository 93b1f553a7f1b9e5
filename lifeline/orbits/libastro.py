"""The distance conventions of pyephem (libastro), which Hypatia's satgenpy uses.

Hypatia (Kassing et al., IMC 2020) computes every satellite–satellite and ground-station–
satellite distance with pyephem 3.7/4.x, whose C core libastro has its own SGP4 port and its own
Earth model. lifeline's ``hypatia`` conventions reproduce them with the ``sgp4`` package and
NumPy so that RTTs agree with Hypatia's to well within 1 µs. Each convention, as found in
libastro (pyephem 4.2.1, ``libastro/earthsat.c``, ``astro.h``, ``sgp4.c``):

1. **Element precision.** libastro keeps inclination, RAAN, eccentricity, argument of perigee
   and mean anomaly as C ``float`` (``eso_inc`` … in ``astro.h``) and casts the radians to
   ``float`` again before SGP4 (``se_XINCL = (float)degrad(op->es_inc)`` in ``earthsat.c``);
   the mean motion stays ``double``. A float32 angle near 2.5 rad is spaced 2.4e-7 rad, i.e.
   1.7 m at 7,000 km: :func:`libastro_satrec` rounds the same way.
2. **Earth-radius scaling of positions.** libastro's SGP4 returns positions in Earth radii and
   ``earthsat.c`` multiplies them by ``ERAD`` = 6378.16 km (``astro.h``), where the ``sgp4``
   package multiplies by the WGS72 radius 6378.135 km: positions are scaled by
   6378.16 / 6378.135 (+3.9 ppm, ≈ 27 m at 7,000 km; :data:`POSITION_SCALE`).
3. **Earth rotation.** The ground-station right ascension is the sidereal angle of
   ``InitOrbitRoutines``/``GetSitPosition``: Newcomb's GMST at 0h of the day,
   ``(6.6460656 + 2400.051262 T + 0.00002581 T²) / 24`` days with ``T`` in Julian centuries
   from 1900 Jan 0.5, advanced at 1.0027379093 sidereal days per day, with the time taken as
   UT as given (no UT1 − UTC correction; in 2000 UT1 − UTC = +0.36 s, which is ~100 m of ground
   motion at mid latitudes, the largest of these effects). See :func:`libastro_gmst_rad`.
4. **Ground-station ellipsoid.** ``GetSitPosition`` uses a = 6378.16 km, f = 1/298.25 and, as
   written there, the latitude ``atan(tan φ / (1 − f²))`` (f², not (1 − f)²: up to 36 m from
   the geodetic latitude) in ``x = N cos φ' cos λ``, ``z = N (1 − f)² sin φ'``. See
   :func:`libastro_site_km`.
5. **Time.** Hypatia's time 0 is the TLE epoch, handed to pyephem as a UT date string (its
   astropy ``Time`` is labelled TDB, but only the string is used), so no time-scale offset.

Residual differences, from libastro's own SGP4 port (truncated constants such as
``TWOPI = 6.2831853``) and from the single-precision ``range`` it returns, are a few metres per
link (measured: |ΔISL| ≤ 3 m, |ΔGSL| ≤ 7 m on Kuiper-630 at t = 0), i.e. ≲ 0.1 µs on an RTT.
Ranges are returned unrounded.

References
----------
pyephem 4.2.1, ``libastro/earthsat.c`` (``GetSitPosition``, ``InitOrbitRoutines``, SGP4 call
and ``ERAD`` scaling), ``libastro/astro.h`` (``ERAD``, ``Obj`` element types). S. Kassing et
al., "Exploring the 'Internet from space' with Hypatia", ACM IMC 2020; Hypatia
``satgenpy/satgen/distance_tools/distance_tools.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sgp4.api import WGS72, Satrec

__all__ = [
    "LIBASTRO_EARTH_RADIUS_KM",
    "LIBASTRO_FLATTENING",
    "POSITION_SCALE",
    "libastro_gmst_rad",
    "libastro_satrec",
    "libastro_site_km",
    "rotate_to_earth_fixed",
]

#: libastro's Earth equatorial radius ``ERAD`` [km] (``astro.h``: 6.37816e6 m).
LIBASTRO_EARTH_RADIUS_KM = 6378.16
#: libastro's flattening in ``earthsat.c`` (``EarthFlat``).
LIBASTRO_FLATTENING = 1.0 / 298.25
#: WGS72 radius the ``sgp4`` package scales its Earth-radius positions with [km].
_SGP4_RADIUS_KM = 6378.135
#: Factor from ``sgp4`` positions to libastro positions.
POSITION_SCALE = LIBASTRO_EARTH_RADIUS_KM / _SGP4_RADIUS_KM
#: Sidereal days per solar day in ``earthsat.c`` (``SiderealSolar``).
_SIDEREAL_SOLAR = 1.0027379093
#: Julian date of libastro's "CrntTime" day 0 (1899 Dec 31 0h).
_JD_CRNT_ZERO = 2415019.5
#: Julian date of 1949-12-31 0h, the epoch origin of ``sgp4init``.
_JD_1949_12_31 = 2433281.5


def _f32(value: float) -> float:
    return float(np.float32(value))


def libastro_satrec(satrec: Satrec) -> Satrec:
    """A copy of ``satrec`` with its elements rounded as libastro stores them.

    Inclination, RAAN, eccentricity, argument of perigee and mean anomaly go through float32
    degrees and float32 radians; mean motion, epoch and drag terms are kept.

    Parameters
    ----------
    satrec : sgp4.api.Satrec
        E.g. from ``Satrec.twoline2rv`` of a Hypatia ``tles.txt`` record.

    Returns
    -------
    sgp4.api.Satrec
        Re-initialised with ``sgp4init`` (WGS72, improved mode).
    """

    def angle(rad: float) -> float:
        return _f32(_f32(math.degrees(rad)) * math.pi / 180.0)

    copy = Satrec()
    copy.sgp4init(
        WGS72,
        "i",
        satrec.satnum,
        (satrec.jdsatepoch - _JD_1949_12_31) + satrec.jdsatepochF,
        satrec.bstar,
        satrec.ndot,
        satrec.nddot,
        _f32(satrec.ecco),
        angle(satrec.argpo),
        angle(satrec.inclo),
        angle(satrec.mo),
        satrec.no_kozai,
        angle(satrec.nodeo),
    )
    return copy


def libastro_gmst_rad(jd_whole: ArrayLike, jd_fraction: ArrayLike) -> NDArray[np.float64]:
    """Sidereal angle libastro's ``earthsat.c`` places ground stations with.

    Parameters
    ----------
    jd_whole, jd_fraction : array_like
        Julian date of the instant, split in two [day] (taken as UT, as pyephem does).

    Returns
    -------
    ndarray
        Angle [rad] in [0, 2π).

    References
    ----------
    pyephem 4.2.1 ``libastro/earthsat.c``, ``InitOrbitRoutines`` (``SidReference``, Newcomb's
    GMST at 0h UT) and ``GetSitPosition`` (``SiteRA``).
    """
    whole = np.asarray(jd_whole, dtype=float) - _JD_CRNT_ZERO
    fraction = np.asarray(jd_fraction, dtype=float)
    # CrntTime = JD − 2415019.5; split into its day number and the fraction of that day.
    day_float = np.floor(whole) + np.floor(fraction)
    in_day = (whole - np.floor(whole)) + (fraction - np.floor(fraction))
    carry = np.floor(in_day)
    sid_day = day_float + carry
    in_day = in_day - carry
    t_cent = (sid_day - 0.5) / 36525.0
    reference = (6.6460656 + 2400.051262 * t_cent + 0.00002581 * t_cent**2) / 24.0
    reference = reference - np.floor(reference)
    turns = in_day * _SIDEREAL_SOLAR + reference
    return np.mod(2.0 * np.pi * turns, 2.0 * np.pi)


def libastro_site_km(
    lat_deg: ArrayLike, lon_deg: ArrayLike, elevation_m: ArrayLike = 0.0
) -> NDArray[np.float64]:
    """Earth-fixed ground-station positions as libastro's ``GetSitPosition`` places them.

    Parameters
    ----------
    lat_deg, lon_deg : array_like, shape (N,)
        Latitude and longitude [deg] (east positive).
    elevation_m : array_like, shape (N,) or scalar
        Height [m].

    Returns
    -------
    ndarray, shape (N, 3)
        Position [km] in the Earth-fixed frame whose x axis is at longitude 0; rotate the
        satellites into it with :func:`rotate_to_earth_fixed`.

    References
    ----------
    pyephem 4.2.1 ``libastro/earthsat.c``, ``GetSitPosition``.
    """
    f = LIBASTRO_FLATTENING
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    height_km = np.asarray(elevation_m, dtype=float) / 1000.0
    lat_site = np.arctan(np.tan(lat) / (1.0 - f * f))
    sin_lat = np.sin(lat_site)
    g1 = LIBASTRO_EARTH_RADIUS_KM / np.sqrt(1.0 - (2.0 * f - f * f) * sin_lat**2)
    g2 = g1 * (1.0 - f) ** 2 + height_km
    g1 = g1 + height_km
    cos_lat = np.cos(lat_site)
    return np.stack([g1 * cos_lat * np.cos(lon), g1 * cos_lat * np.sin(lon), g2 * sin_lat], -1)


def rotate_to_earth_fixed(
    r_teme_km: NDArray[np.float64], theta_rad: NDArray[np.float64], scale: float = POSITION_SCALE
) -> NDArray[np.float64]:
    """Scale SGP4 positions as libastro does and rotate them by its sidereal angle.

    Parameters
    ----------
    r_teme_km : ndarray, shape (T, S, 3)
        ``sgp4`` positions [km].
    theta_rad : ndarray, shape (T,)
        From :func:`libastro_gmst_rad`.
    scale : float
        Position scale (default :data:`POSITION_SCALE`).

    Returns
    -------
    ndarray, shape (T, S, 3)
        Positions [km] in the frame of :func:`libastro_site_km`.
    """
    cos_t = np.cos(theta_rad)[:, None] * scale
    sin_t = np.sin(theta_rad)[:, None] * scale
    out = np.empty_like(r_teme_km)
    x, y = r_teme_km[..., 0], r_teme_km[..., 1]
    out[..., 0] = cos_t * x + sin_t * y
    out[..., 1] = cos_t * y - sin_t * x
    out[..., 2] = r_teme_km[..., 2] * scale
    return out


def libastro_satrecs(satrecs: Sequence[Satrec]) -> list[Satrec]:
    """:func:`libastro_satrec` of each record."""
    return [libastro_satrec(s) for s in satrecs]
