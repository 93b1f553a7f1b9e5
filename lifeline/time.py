"""UTC time grids, Julian dates for SGP4, and the Earth rotation angle (GMST 1982).

Times are ``numpy.datetime64[ns]`` values in UTC. NumPy's datetime64 has no leap seconds
(POSIX time), which is also how SGP4 treats TLE epochs (UTC, AIAA 2006-6753), so a UTC
instant maps to a UTC Julian date by plain arithmetic.
"""

from __future__ import annotations

import functools
from datetime import datetime

import numpy as np
from skyfield.api import Timescale, load
from skyfield.sgp4lib import theta_GMST1982

__all__ = [
    "datetime64_from_jd",
    "days_since_1949_12_31",
    "earth_rotation_angle",
    "sgp4_jd",
    "to_datetime64",
    "utc_to_datetime64",
]

#: Julian date of 1970-01-01T00:00 UTC, the datetime64 epoch (Meeus, Astronomical
#: Algorithms, 2nd ed., ch. 7).
_JD_UNIX_EPOCH = 2440587.5
_NS_PER_DAY = 86_400 * 10**9
_S_PER_DAY = 86_400.0


def to_datetime64(value: datetime | str | np.datetime64) -> np.datetime64:
    """Convert one UTC instant to ``numpy.datetime64[ns]``.

    Parameters
    ----------
    value : datetime, str or numpy.datetime64
        A timezone-aware ``datetime`` (any offset; converted to UTC), an ISO 8601 string
        ending in ``Z`` or an explicit offset such as ``+00:00``, or a ``datetime64``
        (taken as UTC, as NumPy has no time zones).

    Returns
    -------
    numpy.datetime64
        The instant in UTC with nanosecond unit.

    Raises
    ------
    ValueError
        For a naive ``datetime`` or a string without a zone, which would be ambiguous, and
        for anything unparseable.
    """
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ValueError("time is NaT; expected a UTC instant")
        return value.astype("datetime64[ns]")
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(
                f"time {value!r} is not ISO 8601; expected e.g. '2022-05-11T00:00:00Z'"
            ) from exc
    if isinstance(value, datetime):
        offset = value.utcoffset()
        if offset is None:
            raise ValueError(
                f"time {value.isoformat()!r} has no time zone; give it in UTC, "
                "e.g. '2022-05-11T00:00:00Z'"
            )
        naive_utc = value.replace(tzinfo=None) - offset
        # Build from integer microseconds: np.datetime64(datetime) is microsecond-exact.
        return np.datetime64(naive_utc, "us").astype("datetime64[ns]")
    raise ValueError(
        f"time {value!r} of type {type(value).__name__} is not supported; expected an aware "
        "datetime, an ISO 8601 string with 'Z', or numpy.datetime64"
    )


#: Name used in docs/architecture.md; same function.
utc_to_datetime64 = to_datetime64


def _as_ns(times_utc: np.ndarray) -> np.ndarray:
    """Return ``times_utc`` as an int64 array of nanoseconds since 1970-01-01 UTC."""
    times = np.asarray(times_utc)
    if not np.issubdtype(times.dtype, np.datetime64):
        raise ValueError(f"times_utc has dtype {times.dtype}; expected datetime64 (UTC)")
    if np.any(np.isnat(times)):
        raise ValueError("times_utc contains NaT; expected UTC instants")
    return times.astype("datetime64[ns]").astype(np.int64)


def sgp4_jd(times_utc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split UTC instants into whole and fractional Julian dates for ``SatrecArray.sgp4``.

    Parameters
    ----------
    times_utc : numpy.ndarray of datetime64, shape (T,)
        UTC instants.

    Returns
    -------
    jd_whole : numpy.ndarray of float64, shape (T,)
        Julian date of the preceding 0h UTC [day] (ends in .5).
    jd_fraction : numpy.ndarray of float64, shape (T,)
        Fraction of the day since 0h UTC [day], in [0, 1).

    Notes
    -----
    The JD is split in two because a single float64 near 2.46e6 days resolves only
    2**-31 day ≈ 40 µs (≈ 0.3 m of satellite motion); the fraction alone resolves ~10 ps.
    This is the same split that ``sgp4`` and Skyfield use.

    References
    ----------
    Vallado, Crawford, Hujsak, Kelso, "Revisiting Spacetrack Report #3", AIAA 2006-6753
    (TLE epochs are UTC); ``sgp4`` package documentation, "Array of times".
    """
    ns = _as_ns(times_utc)
    days, rem_ns = np.divmod(ns, _NS_PER_DAY)
    return _JD_UNIX_EPOCH + days.astype(np.float64), rem_ns.astype(np.float64) / _NS_PER_DAY


@functools.lru_cache(maxsize=1)
def _timescale() -> Timescale:
    """Skyfield's timescale built from the ΔT/UT1 tables shipped inside Skyfield.

    ``builtin=True`` reads files inside the installed package, never the network. It is
    created on first use (not at import) and then reused.
    """
    return load.timescale(builtin=True)


def earth_rotation_angle(times_utc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Greenwich mean sidereal angle (GMST, IAU 1982) and its rate at UTC instants.

    This is the rotation from SGP4's TEME frame to the pseudo Earth-fixed (PEF) frame.
    UT1 comes from Skyfield's built-in UT1−UTC table (shipped with Skyfield).

    Parameters
    ----------
    times_utc : numpy.ndarray of datetime64, shape (T,)
        UTC instants.

    Returns
    -------
    theta_rad : numpy.ndarray of float64, shape (T,)
        GMST 1982 [rad], in [0, 2π).
    theta_dot_rad_s : numpy.ndarray of float64, shape (T,)
        Its rate [rad/s] per second of UT1 (≈ 7.292e-5).

    References
    ----------
    Vallado, Crawford, Hujsak, Kelso, "Revisiting Spacetrack Report #3", AIAA 2006-6753,
    App. C (GMST 1982 and TEME→PEF); implemented by ``skyfield.sgp4lib.theta_GMST1982``.
    """
    ns = _as_ns(times_utc)
    days, rem_ns = np.divmod(ns, _NS_PER_DAY)
    # ts.utc() accepts day-of-month beyond the month's length, so counting days from
    # 1970-01-01 gives exact calendar dates without converting each instant.
    t = _timescale().utc(1970, 1, 1 + days, 0, 0, rem_ns.astype(np.float64) / 1e9)
    theta_rad, theta_dot_rad_day = theta_GMST1982(t.whole, t.ut1_fraction)
    theta_rad = np.broadcast_to(np.asarray(theta_rad, dtype=np.float64), ns.shape).copy()
    theta_dot_rad_s = np.broadcast_to(
        np.asarray(theta_dot_rad_day, dtype=np.float64) / _S_PER_DAY, ns.shape
    ).copy()
    return theta_rad, theta_dot_rad_s


def datetime64_from_jd(jd_whole: np.ndarray, jd_fraction: np.ndarray) -> np.ndarray:
    """Convert a UTC Julian date split as (whole, fraction) to ``datetime64[ns]``.

    Parameters
    ----------
    jd_whole, jd_fraction : numpy.ndarray of float64
        Julian date [day], split as SGP4 stores TLE epochs (``jdsatepoch``,
        ``jdsatepochF``).

    Returns
    -------
    numpy.ndarray of datetime64[ns]
        The instants, rounded to the nearest nanosecond.

    References
    ----------
    Meeus, Astronomical Algorithms, 2nd ed., ch. 7 (JD 2440587.5 = 1970-01-01 0h).
    """
    whole = np.asarray(jd_whole, dtype=np.float64) - _JD_UNIX_EPOCH
    whole_days = np.floor(whole)
    fraction = (whole - whole_days) + np.asarray(jd_fraction, dtype=np.float64)
    ns = whole_days.astype(np.int64) * _NS_PER_DAY + np.round(fraction * _NS_PER_DAY).astype(
        np.int64
    )
    return ns.astype("datetime64[ns]")


def days_since_1949_12_31(time_utc: np.datetime64) -> float:
    """Days from 1949-12-31 0h UTC to ``time_utc``, the epoch argument of ``sgp4init``.

    References
    ----------
    ``sgp4`` documentation, "Providing your own elements" (epoch in days since
    1949 December 31 00:00 UT).
    """
    jd_whole, jd_fraction = sgp4_jd(np.atleast_1d(to_datetime64(time_utc)))
    return float(jd_whole[0] - 2433281.5) + float(jd_fraction[0])
