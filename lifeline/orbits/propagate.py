"""SGP4 propagation of whole constellations, TEME→Earth-fixed rotation, and a sampled
ephemeris with cubic Hermite interpolation.

Axis order is (time, sat, xyz). ``sgp4`` returns (sat, time, 3); it is transposed here, once.

One module although over 600 lines: propagation, the frame rotation, the validity rule
(:func:`in_altitude_band`) and the interpolated :class:`Ephemeris` share that layout and its
time handling; splitting them would scatter one data flow over several files.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sgp4.api import WGS72, Satrec, SatrecArray

from lifeline.constants import WGS84_A_KM
from lifeline.io.hypatia import HypatiaTLEs
from lifeline.io.tle import TLESet
from lifeline.orbits.walker import WalkerShell
from lifeline.time import earth_rotation_angle, sgp4_jd, to_datetime64

__all__ = [
    "Constellation",
    "Ephemeris",
    "in_altitude_band",
    "propagate_ecef",
    "propagate_teme",
    "teme_to_ecef",
]

logger = logging.getLogger(__name__)

#: Julian date of 1949-12-31 0h UT, the epoch origin of ``sgp4init`` (sgp4 documentation).
_JD_1949_12_31 = 2433281.5

#: Satellite-time pairs propagated per chunk in ``Ephemeris.compute``; bounds each temporary
#: (sat, time, 3) float64 array to ~6 MB.
_CHUNK_PAIRS = 262_144

#: Half-width δ of the central difference (r(t + δ) − r(t − δ)) / 2δ that stands in for
#: SGP4's velocity in ``Ephemeris.compute`` [ns] (0.25 s). Its truncation error is
#: δ²/6 · |r⃛|, with |r⃛| ≈ n³ |r| ≈ (1.09e-3 /s)³ × 6,930 km ≈ 0.9e-5 km/s³ in TEME at
#: 550 km (n: mean motion): 0.1 mm/s at δ = 0.25 s, 1.5 mm/s at 1 s. Its rounding error is
#: at most ε/δ for a noise ε in each SGP4 position: 98 days from epoch SGP4's time since
#: epoch (~1.4e5 min) is spaced 3e-11 min = 1.7 ns in float64, 13 µm of motion at
#: 7.6 km/s, and its Kepler iteration stops at 1e-12 rad (7 µm at 6,930 km), so
#: ε ≈ 1e-8 km and ε/δ = 0.04 mm/s at 0.25 s. The sum δ²|r⃛|/6 + ε/δ is least at
#: δ = (3ε/|r⃛|)^(1/3) ≈ 0.15 s; at 0.25 s it is ≈ 0.14 mm/s, a tenth of what δ = 1 s gives,
#: and rounding stays well below truncation if ε is a few times larger than estimated.
#: Measured on starlink-gen1: the median |Δv| changes by 0.08 mm/s from δ = 0.01 s to
#: 0.25 s and by 1.3 mm/s from 0.01 s to 1 s.
_FD_HALF_STEP_NS = 250_000_000
_FD_HALF_STEP_S = _FD_HALF_STEP_NS / 1e9

#: SGP4 velocity vs central difference of SGP4 positions, |Δv| above which a satellite's
#: velocities are replaced by central differences in ``Ephemeris.compute`` [km/s] (40 mm/s).
#: In cubic Hermite interpolation, velocity errors Δm0, Δm1 at the ends of a step h add
#: h (h10(τ) Δm0 + h11(τ) Δm1); as h10 = τ(1 − τ)² ≥ 0 and h11 = −τ²(1 − τ) ≤ 0,
#: |h10| + |h11| = τ(1 − τ) ≤ 1/4, so the error is at most h/4 · max|Δm| (Burden & Faires,
#: Numerical Analysis, 9th ed., §3.4, for h00..h11): 0.6 m at 40 mm/s and h = 60 s. SGP4's
#: mismatch changes over an orbit, not over a step (Δm0 ≈ Δm1), and then the bound is
#: max |h10 + h11| = max τ(1 − τ)|1 − 2τ| = √3/18, i.e. ≈ 0.1 h |Δv| = 0.23 m at 40 mm/s
#: and 60 s; measured on starlink-2022-08-17.tle on 2022-05-11: 12.7 m for |Δv| = 2.19 m/s
#: (5.8 s = 0.097 h). The threshold cannot go much lower: with no drag at all, SGP4's
#: velocity differs from the derivative of its position by up to 23 mm/s for starlink-gen1
#: and 26 mm/s for kuiper-gen1 (measured over an orbit), and by up to 27 mm/s for
#: starlink-2022-08-17.tle at its epochs; that is of the order J2² v ≈ 1.2e-6 × 7.6 km/s
#: ≈ 9 mm/s, as if its velocity formulas were the derivative of its position only to first
#: order in J2. A threshold under that would flag every satellite.
_MAX_VELOCITY_MISMATCH_KM_S = 40e-6


@dataclass(frozen=True)
class Constellation:
    """Satellites to propagate, with their Walker indices where known.

    Attributes
    ----------
    names : list of str
    satrecs : list of sgp4.api.Satrec
    plane : numpy.ndarray of int64, shape (S,)
        Orbit plane within its shell, −1 where unknown (real TLEs).
    slot : numpy.ndarray of int64, shape (S,)
        Position within its plane, −1 where unknown.
    shell : numpy.ndarray of int64, shape (S,)
        Shell index, −1 where unknown.
    catalog : numpy.ndarray of int64, shape (S,)
        Catalog numbers (``Satrec.satnum``).
    source : str
        Where the satellites came from.
    """

    names: list[str]
    satrecs: list[Satrec]
    plane: np.ndarray
    slot: np.ndarray
    shell: np.ndarray
    catalog: np.ndarray
    source: str

    def __len__(self) -> int:
        return len(self.satrecs)

    @classmethod
    def from_tle(cls, tleset: TLESet) -> Constellation:
        """Constellation of real satellites (plane, slot and shell unknown: −1)."""
        unknown = np.full(len(tleset), -1, dtype=np.int64)
        return cls(
            names=list(tleset.names),
            satrecs=list(tleset.satrecs),
            plane=unknown,
            slot=unknown.copy(),
            shell=unknown.copy(),
            catalog=np.asarray(tleset.catalog, dtype=np.int64),
            source=tleset.source,
        )

    @classmethod
    def from_hypatia(cls, tles: HypatiaTLEs, source: str) -> Constellation:
        """Satellites of a Hypatia ``tles.txt``, ids = indices, one shell numbered as its header.

        Hypatia's generators number satellites orbit by orbit: id = orbit × n_sats_per_orbit +
        slot (``generate_tles_from_scratch.py``), and its +Grid generator
        (``generate_plus_grid_isls.py``) relies on that numbering, so plane and slot are taken
        from the id and the header (``plane = id // n_sats_per_orbit``).
        """
        ids = np.arange(len(tles), dtype=np.int64)
        return cls(
            names=list(tles.names),
            satrecs=list(tles.satrecs),
            plane=ids // tles.n_sats_per_orbit,
            slot=ids % tles.n_sats_per_orbit,
            shell=np.zeros(len(tles), dtype=np.int64),
            catalog=np.array([s.satnum for s in tles.satrecs], dtype=np.int64),
            source=source,
        )

    @classmethod
    def from_shells(cls, shells: Sequence[WalkerShell], source: str = "walker") -> Constellation:
        """Concatenate Walker shells; satellites are named ``"shell<i>-p<PP>-s<SS>"``.

        Catalog numbers must be unique for a constellation. Where shells reuse numbers
        (e.g. each built with the default ``first_satnum=1``), the satellites are numbered
        1..S in order and the repeated ones re-initialised with the same elements.

        Raises
        ------
        ValueError
            If no shells are given.
        """
        if not shells:
            raise ValueError("from_shells needs at least one WalkerShell")
        satrecs = [s for shell in shells for s in shell.satrecs]
        catalog = np.array([s.satnum for s in satrecs], dtype=np.int64)
        if np.unique(catalog).size != catalog.size:
            catalog = np.arange(1, len(satrecs) + 1, dtype=np.int64)
            satrecs = [
                s if s.satnum == n else _renumbered(s, int(n))
                for s, n in zip(satrecs, catalog, strict=True)
            ]
        plane = np.concatenate([shell.plane for shell in shells]).astype(np.int64)
        slot = np.concatenate([shell.slot for shell in shells]).astype(np.int64)
        shell_index = np.concatenate(
            [np.full(len(shell), i, dtype=np.int64) for i, shell in enumerate(shells)]
        )
        names = [
            f"shell{i}-p{j:02d}-s{k:02d}" for i, j, k in zip(shell_index, plane, slot, strict=True)
        ]
        return cls(
            names=names,
            satrecs=satrecs,
            plane=plane,
            slot=slot,
            shell=shell_index,
            catalog=catalog,
            source=source,
        )


def _renumbered(satrec: Satrec, satnum: int) -> Satrec:
    """A copy of a WGS72 ``sgp4init`` record with another catalog number."""
    copy = Satrec()
    copy.sgp4init(
        WGS72,
        satrec.operationmode,
        satnum,
        (satrec.jdsatepoch - _JD_1949_12_31) + satrec.jdsatepochF,
        satrec.bstar,
        satrec.ndot,
        satrec.nddot,
        satrec.ecco,
        satrec.argpo,
        satrec.inclo,
        satrec.mo,
        satrec.no_kozai,
        satrec.nodeo,
    )
    return copy


def _as_times(times_utc: np.ndarray) -> np.ndarray:
    times = np.atleast_1d(np.asarray(times_utc))
    if times.ndim != 1 or not np.issubdtype(times.dtype, np.datetime64):
        raise ValueError(
            f"times_utc has shape {times.shape} and dtype {times.dtype}; "
            "expected a 1-D datetime64 array (UTC)"
        )
    return times.astype("datetime64[ns]")


def _sgp4_time_major(
    sat_array: SatrecArray, times_utc: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run SGP4 and return (time, sat) ordered views: r, v (T,S,3), error (T,S)."""
    jd_whole, jd_fraction = sgp4_jd(times_utc)
    error, r_km, v_km_s = sat_array.sgp4(jd_whole, jd_fraction)
    return r_km.transpose(1, 0, 2), v_km_s.transpose(1, 0, 2), error.T


def _central_difference_teme(sat_array: SatrecArray, times_utc: np.ndarray) -> np.ndarray:
    """(r(t + δ) − r(t − δ)) / 2δ of SGP4 TEME positions, δ = 0.25 s: (T, S, 3) [km/s]."""
    half_step = np.timedelta64(_FD_HALF_STEP_NS, "ns")
    r_km, _, _ = _sgp4_time_major(
        sat_array, np.concatenate([times_utc - half_step, times_utc + half_step])
    )
    n_times = times_utc.size
    return (r_km[n_times:] - r_km[:n_times]) / (2.0 * _FD_HALF_STEP_S)


def in_altitude_band(
    r_km: np.ndarray, error: np.ndarray, altitude_band_km: tuple[float, float]
) -> np.ndarray:
    """Which propagated samples are usable: SGP4 reported no error and the altitude
    (|r| − WGS84 a) lies in ``altitude_band_km`` [km]. The one validity rule of the engine
    (:class:`Ephemeris`) and pair mode (:func:`lifeline.pairmode.network.positions_km`).

    |r| is the same in TEME and Earth-fixed frames (a rotation about z), so ``r_km`` may be in
    either. NaN altitudes compare False, so non-finite positions fail the band test too.
    """
    low_km, high_km = altitude_band_km
    with np.errstate(invalid="ignore"):
        altitude_km = np.linalg.norm(r_km, axis=-1) - WGS84_A_KM
    return (error == 0) & (altitude_km >= low_km) & (altitude_km <= high_km)


def propagate_teme(
    satrecs: Sequence[Satrec], times_utc: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Propagate satellites with SGP4 to UTC instants, in the TEME frame.

    Parameters
    ----------
    satrecs : sequence of sgp4.api.Satrec, length S
    times_utc : numpy.ndarray of datetime64, shape (T,)

    Returns
    -------
    r_teme_km : numpy.ndarray of float64, shape (T, S, 3)
        Positions [km] (NaN where SGP4 failed).
    v_teme_km_s : numpy.ndarray of float64, shape (T, S, 3)
        Velocities [km/s].
    error : numpy.ndarray of int, shape (T, S)
        SGP4 error code, 0 when fine (``sgp4.api.SGP4_ERRORS``).

    References
    ----------
    Vallado, Crawford, Hujsak, Kelso, "Revisiting Spacetrack Report #3", AIAA 2006-6753;
    ``sgp4`` package, ``SatrecArray.sgp4``.
    """
    r_km, v_km_s, error = _sgp4_time_major(SatrecArray(list(satrecs)), _as_times(times_utc))
    return r_km, v_km_s, error.astype(np.int64)


def teme_to_ecef(
    r_teme_km: np.ndarray, v_teme_km_s: np.ndarray, times_utc: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rotate TEME states to the Earth-fixed frame (PEF, taken as ITRS).

    r_ecef = R_z(θ) r_teme and v_ecef = R_z(θ) v_teme − ω × r_ecef, with θ the GMST 1982
    angle and ω = (0, 0, dθ/dt).

    Parameters
    ----------
    r_teme_km : numpy.ndarray, shape (T, S, 3)
        Positions [km].
    v_teme_km_s : numpy.ndarray, shape (T, S, 3)
        Velocities [km/s].
    times_utc : numpy.ndarray of datetime64, shape (T,)

    Returns
    -------
    r_ecef_km : numpy.ndarray of float64, shape (T, S, 3)
    v_ecef_km_s : numpy.ndarray of float64, shape (T, S, 3)

    Notes
    -----
    Polar motion (PEF→ITRS) is neglected: it is ~0.3 arcsec (≲ 15 m at the pole on the
    ground), i.e. ≲ 10 m at a LEO satellite (0.3″ × 6,930 km ≈ 10 m). Skyfield's built-in
    timescale carries no polar-motion table either, so comparisons with it are consistent.

    References
    ----------
    Vallado et al., AIAA 2006-6753, App. C (TEME→PEF by GMST 1982, velocity term ω × r).
    """
    theta_rad, theta_dot_rad_s = earth_rotation_angle(_as_times(times_utc))
    cos_t = np.cos(theta_rad)[:, None]
    sin_t = np.sin(theta_rad)[:, None]
    omega = theta_dot_rad_s[:, None]
    r_ecef_km = np.empty(np.shape(r_teme_km), dtype=np.float64)
    v_ecef_km_s = np.empty(np.shape(v_teme_km_s), dtype=np.float64)
    x, y = r_teme_km[..., 0], r_teme_km[..., 1]
    r_ecef_km[..., 0] = cos_t * x + sin_t * y
    r_ecef_km[..., 1] = cos_t * y - sin_t * x
    r_ecef_km[..., 2] = r_teme_km[..., 2]
    vx, vy = v_teme_km_s[..., 0], v_teme_km_s[..., 1]
    # −ω × r for ω along +z is (+ω y, −ω x, 0).
    v_ecef_km_s[..., 0] = cos_t * vx + sin_t * vy + omega * r_ecef_km[..., 1]
    v_ecef_km_s[..., 1] = cos_t * vy - sin_t * vx - omega * r_ecef_km[..., 0]
    v_ecef_km_s[..., 2] = v_teme_km_s[..., 2]
    return r_ecef_km, v_ecef_km_s


def propagate_ecef(
    satrecs: Sequence[Satrec], times_utc: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SGP4 then TEME→Earth-fixed: :func:`propagate_teme` followed by :func:`teme_to_ecef`.

    Returns
    -------
    r_ecef_km : (T, S, 3) [km]
    v_ecef_km_s : (T, S, 3) [km/s]
    error : (T, S) int, SGP4 error code (0 = fine)
    """
    times = _as_times(times_utc)
    r_teme_km, v_teme_km_s, error = propagate_teme(satrecs, times)
    r_ecef_km, v_ecef_km_s = teme_to_ecef(r_teme_km, v_teme_km_s, times)
    return r_ecef_km, v_ecef_km_s, error


@dataclass(frozen=True)
class Ephemeris:
    """Earth-fixed states sampled at a fixed step, with validity flags.

    Attributes
    ----------
    start_utc : numpy.datetime64
        Time of the first sample (UTC).
    t_s : numpy.ndarray of float64, shape (K,)
        Sample offsets from ``start_utc`` [s], increasing.
    r_ecef_km : numpy.ndarray of float64, shape (K, S, 3)
        Positions [km]; NaN where not valid.
    v_ecef_km_s : numpy.ndarray of float64, shape (K, S, 3)
        Velocities [km/s]; NaN where not valid.
    valid : numpy.ndarray of bool, shape (K, S)
        False where SGP4 failed, the state is non-finite, or the altitude is outside the
        band given to :meth:`compute`.
    n_sgp4_errors : int
        Samples with a non-zero SGP4 error code.
    n_out_of_band : int
        Other invalid samples (altitude outside the band, or non-finite without an error).
    """

    start_utc: np.datetime64
    t_s: np.ndarray
    r_ecef_km: np.ndarray
    v_ecef_km_s: np.ndarray
    valid: np.ndarray
    n_sgp4_errors: int
    n_out_of_band: int

    @property
    def times_utc(self) -> np.ndarray:
        """Sample instants, ``datetime64[ns]`` (K,)."""
        return self.start_utc + np.round(self.t_s * 1e9).astype("timedelta64[ns]")

    @classmethod
    def compute(
        cls,
        constellation: Constellation,
        start_utc: np.datetime64 | str,
        end_utc: np.datetime64 | str,
        step_s: float = 60.0,
        altitude_band_km: tuple[float, float] = (150.0, 2000.0),
    ) -> Ephemeris:
        """Sample a constellation from ``start_utc`` every ``step_s`` until ``end_utc``.

        The last sample is at or after ``end_utc``, so any instant in
        [start_utc, end_utc] can be interpolated. SGP4 failures never raise: the samples
        are marked invalid, counted, and one warning is logged.

        Parameters
        ----------
        constellation : Constellation
        start_utc, end_utc : numpy.datetime64 or str
            UTC span, ``end_utc >= start_utc``.
        step_s : float
            Sample step [s], > 0.
        altitude_band_km : (float, float)
            Plausible altitude band [km]. Altitude here is |r| − 6378.137 km (WGS84
            equatorial radius), which is up to 21.4 km below the geodetic altitude near
            the poles; it is a plausibility test, not a geodetic altitude.

        Returns
        -------
        Ephemeris

        Raises
        ------
        ValueError
            For an empty constellation, ``end_utc < start_utc``, a non-positive step or an
            empty band.

        Notes
        -----
        The sampled velocities are the time derivatives of the sampled positions, as
        :meth:`at` needs. SGP4's own velocity is not quite that. It differs by up to
        ~26 mm/s for any elements (of the order J2² v), and by much more for elements with
        large drag terms far from their epoch, as it leaves out the time derivatives of the
        secular drag terms: 2.2 m/s for one satellite of ``starlink-2022-08-17.tle`` on
        2022-05-11, 14 m/s for another on 2022-07-01. In each chunk of samples, satellites
        whose SGP4 velocity differs from a central difference of SGP4 positions (±0.25 s)
        by more than 40 mm/s at the chunk's first or last sample get central differences at
        every sample of the chunk, at the cost of two more SGP4 evaluations of those
        satellites; the others keep SGP4's velocity. Of the 2,233 satellites of
        ``starlink-2022-08-17.tle`` launched by 2022-049, 192 are flagged at some point of
        the 24 h from 2022-05-11T00:00Z, 48 from 2022-07-01 and 4 from 2022-08-17; none
        of the ``starlink-gen1`` Walker shells is.

        References
        ----------
        Band 150-2,000 km: lifeline/data/PROVENANCE.md, note on propagating the 2022-08-17
        snapshot back to May 2022 (references.md#tle-snapshots).
        """
        if len(constellation) == 0:
            raise ValueError("constellation has no satellites")
        start = to_datetime64(start_utc)
        end = to_datetime64(end_utc)
        if end < start:
            raise ValueError(f"end_utc {end} is before start_utc {start}")
        if not (np.isfinite(step_s) and step_s > 0):
            raise ValueError(f"step_s = {step_s!r} must be a positive number of seconds")
        low_km, high_km = altitude_band_km
        if not low_km < high_km:
            raise ValueError(f"altitude_band_km = {altitude_band_km!r}: expected (low, high)")

        step_ns = int(round(step_s * 1e9))
        span_ns = int((end - start) / np.timedelta64(1, "ns"))
        n_samples = -(-span_ns // step_ns) + 1  # ceil: last sample >= end
        offsets_ns = np.arange(n_samples, dtype=np.int64) * step_ns
        times = start + offsets_ns.astype("timedelta64[ns]")

        n_sats = len(constellation)
        sat_array = SatrecArray(list(constellation.satrecs))
        r_ecef_km = np.empty((n_samples, n_sats, 3), dtype=np.float64)
        v_ecef_km_s = np.empty((n_samples, n_sats, 3), dtype=np.float64)
        valid = np.empty((n_samples, n_sats), dtype=bool)
        sgp4_failed = np.empty((n_samples, n_sats), dtype=bool)
        differenced = np.zeros(n_sats, dtype=bool)
        flagged_idx, flagged_array = np.empty(0, dtype=np.int64), None
        chunk = max(1, _CHUNK_PAIRS // n_sats)
        for lo in range(0, n_samples, chunk):
            hi = min(lo + chunk, n_samples)
            chunk_times = times[lo:hi]
            r_teme, v_teme, error = _sgp4_time_major(sat_array, chunk_times)
            in_band = in_altitude_band(r_teme, error, (low_km, high_km))

            # SGP4's velocity is not the derivative of its position for elements with large
            # drag terms far from epoch, and that mismatch grows with time from epoch, so
            # compare the two at the chunk's first and last samples only (4 extra instants
            # for all satellites); flagged satellites get central differences at every
            # sample (2 extra instants each). Both are taken in TEME: the Earth-fixed
            # position R(θ) r_teme has derivative R(θ) ṙ_teme − ω × r_ecef, which is what
            # teme_to_ecef makes of a TEME velocity, so a TEME difference goes through the
            # same rotation as SGP4's own velocity (−ω × r added once, with the same θ and
            # ω). Differencing Earth-fixed positions would also be right but needs θ at
            # twice as many instants and must then skip the −ω × r term.
            ends = [0, hi - lo - 1] if hi - lo > 1 else [0]
            mismatch_km_s = np.linalg.norm(
                _central_difference_teme(sat_array, chunk_times[ends]) - v_teme[ends], axis=-1
            )
            flagged = (mismatch_km_s > _MAX_VELOCITY_MISMATCH_KM_S).any(axis=0)
            flagged &= in_band.any(axis=0)  # no work for satellites with nothing to keep
            if flagged.any():
                idx = np.flatnonzero(flagged)
                if not np.array_equal(idx, flagged_idx):
                    flagged_idx = idx
                    flagged_array = SatrecArray([constellation.satrecs[i] for i in idx])
                v_diff = _central_difference_teme(flagged_array, chunk_times)
                # Where t ± δ hits an SGP4 failure, keep SGP4's velocity rather than
                # invalidate a sample whose own state is fine.
                usable = np.isfinite(v_diff).all(axis=-1, keepdims=True)
                v_teme[:, idx] = np.where(usable, v_diff, v_teme[:, idx])
                differenced |= flagged

            r_chunk, v_chunk = teme_to_ecef(r_teme, v_teme, chunk_times)
            finite = np.isfinite(r_chunk).all(axis=-1) & np.isfinite(v_chunk).all(axis=-1)
            ok = in_band & finite
            r_chunk[~ok] = np.nan
            v_chunk[~ok] = np.nan
            r_ecef_km[lo:hi] = r_chunk
            v_ecef_km_s[lo:hi] = v_chunk
            valid[lo:hi] = ok
            sgp4_failed[lo:hi] = error != 0

        if differenced.any():
            logger.debug(
                "%s: velocities of %d of %d satellites taken from central differences of "
                "SGP4 positions (SGP4 velocity off by more than %g m/s)",
                constellation.source,
                int(differenced.sum()),
                n_sats,
                _MAX_VELOCITY_MISMATCH_KM_S * 1e3,
            )
        n_sgp4_errors = int(sgp4_failed.sum())
        n_out_of_band = int((~valid).sum()) - n_sgp4_errors
        if n_sgp4_errors or n_out_of_band:
            # DEBUG per window: a run sums the counts and warns once (engine.simulate).
            logger.debug(
                "%s: %d of %d satellites have invalid samples between %s and %s: "
                "%d SGP4 errors, %d outside %g-%g km altitude (of %d samples)",
                constellation.source,
                int((~valid).any(axis=0).sum()),
                n_sats,
                start,
                times[-1],
                n_sgp4_errors,
                n_out_of_band,
                low_km,
                high_km,
                valid.size,
            )
        return cls(
            start_utc=start,
            t_s=offsets_ns / 1e9,
            r_ecef_km=r_ecef_km,
            v_ecef_km_s=v_ecef_km_s,
            valid=valid,
            n_sgp4_errors=n_sgp4_errors,
            n_out_of_band=n_out_of_band,
        )

    def at(
        self, t_s: np.ndarray, sat_idx: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions at arbitrary instants by cubic Hermite interpolation.

        Between bracketing samples p0, p1 (velocities m0, m1, spacing h) at
        τ = (t − t0)/h: p(τ) = h00 p0 + h10 h m0 + h01 p1 + h11 h m1 with
        h00 = 2τ³ − 3τ² + 1, h10 = τ³ − 2τ² + τ, h01 = −2τ³ + 3τ², h11 = τ³ − τ².

        Parameters
        ----------
        t_s : numpy.ndarray, shape (n,)
            Offsets from ``start_utc`` [s], or ``datetime64`` instants (UTC).
        sat_idx : numpy.ndarray of int, shape (S',), optional
            Satellites to return (default all).

        Returns
        -------
        r_ecef_km : numpy.ndarray of float64, shape (n, S', 3)
            Positions [km]; NaN where not valid.
        valid : numpy.ndarray of bool, shape (n, S')
            Both bracketing samples valid; at an instant equal to a sample time, that
            sample's flag (and the sample itself is returned).

        Raises
        ------
        ValueError
            For instants outside [t_s[0], t_s[-1]].

        Notes
        -----
        Interpolation error is bounded by h⁴/384 · max|r⁗| ≈ 0.35 m for h = 60 s in LEO
        (|r⁗| ≈ ω⁴ |r| with ω ≈ 1.17e-3 rad/s in the Earth-fixed frame) when the sampled
        velocity is the derivative of the sampled position, plus at most h/4 · |Δv| for a
        velocity error Δv (≈ 0.1 h |Δv| when Δv is the same at both ends). :meth:`compute` keeps
        |Δv| ≤ 40 mm/s (see its Notes): with h = 60 s, interpolated positions of
        ``starlink-2022-08-17.tle`` stay within 0.45 m of direct SGP4 on 2022-05-11 and
        2022-07-01, and those of ``starlink-gen1`` within 0.37 m.

        References
        ----------
        R. L. Burden, J. D. Faires, Numerical Analysis, 9th ed., §3.4 (Hermite
        interpolation, cubic Hermite basis and its error term).
        """
        t = np.atleast_1d(np.asarray(t_s))
        if np.issubdtype(t.dtype, np.datetime64):
            t = (t.astype("datetime64[ns]") - self.start_utc) / np.timedelta64(1, "s")
        t = t.astype(np.float64, copy=False)
        if t.ndim != 1:
            raise ValueError(f"t_s has shape {t.shape}; expected (n,)")
        first, last = self.t_s[0], self.t_s[-1]
        if t.size and not (t.min() >= first and t.max() <= last):
            raise ValueError(
                f"times {t.min():g}..{t.max():g} s after {self.start_utc} are outside the "
                f"sampled span {first:g}..{last:g} s"
            )
        n_samples = self.t_s.size
        if n_samples == 1:
            lo = np.zeros(t.shape, dtype=np.int64)
            hi, tau, h_s = lo, np.zeros(t.shape), np.ones(t.shape)
        else:
            lo = np.clip(np.searchsorted(self.t_s, t, side="right") - 1, 0, n_samples - 2)
            hi = lo + 1
            h_s = self.t_s[hi] - self.t_s[lo]
            tau = (t - self.t_s[lo]) / h_s

        if sat_idx is None:
            rows_lo, rows_hi, cols = lo, hi, slice(None)
        else:
            cols = np.asarray(sat_idx, dtype=np.int64)[None, :]
            rows_lo, rows_hi = lo[:, None], hi[:, None]
        p0 = self.r_ecef_km[rows_lo, cols]
        p1 = self.r_ecef_km[rows_hi, cols]
        m0 = self.v_ecef_km_s[rows_lo, cols]
        m1 = self.v_ecef_km_s[rows_hi, cols]
        valid0 = self.valid[rows_lo, cols]
        valid1 = self.valid[rows_hi, cols]

        tau2 = tau * tau
        tau3 = tau2 * tau
        w = np.stack(
            [
                2 * tau3 - 3 * tau2 + 1,
                (tau3 - 2 * tau2 + tau) * h_s,
                3 * tau2 - 2 * tau3,
                (tau3 - tau2) * h_s,
            ]
        )[:, :, None, None]
        r_ecef_km = w[0] * p0
        r_ecef_km += w[1] * m0
        r_ecef_km += w[2] * p1
        r_ecef_km += w[3] * m1
        valid = valid0 & valid1

        # On a sample, return it (and its flag) even if the other bracket end is invalid.
        on_lo = tau == 0.0
        on_hi = tau == 1.0
        if on_lo.any() or on_hi.any():
            r_ecef_km[on_lo] = p0[on_lo]
            valid[on_lo] = valid0[on_lo]
            r_ecef_km[on_hi] = p1[on_hi]
            valid[on_hi] = valid1[on_hi]
        return r_ecef_km, valid
