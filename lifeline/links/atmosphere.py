"""Atmospheric attenuation on Earth–space paths from the ITU-R models in ``itur``.

Gaseous absorption (ITU-R P.676-12), clouds (P.840), rain (P.618-13 with the rain rates of
P.837-7, the rain heights of P.839-4 and the specific attenuation of P.838-3) and tropospheric
scintillation (P.618-13 §2.4), as implemented by ``itur`` 0.4 (references.md#itu-r-models).
``itur`` is imported inside the functions that need it, so ``import lifeline`` stays fast, and
it is slow per call (seconds the first time, while it loads its maps): the radio layer calls it
once per site before the time loop (:func:`attenuation_table`) and interpolates the table at
every step (:meth:`AttenuationTable.attenuation_db`).

Rain events (a rain rate in mm/h over a site for a time window) use the P.618-13 §2.2.1.1 method
with the event's rain rate in place of R0.01: the attenuation of the effective path through rain
of that rate (steps 1–9, with the path reductions evaluated at that rate).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.constants import MAX_RAIN_RATE_MM_H

#: Default elevation grid of the per-site tables [deg]: P.618 is valid from 5°; 1° spacing keeps
#: the interpolation error far below the models' own (see tests/test_atmosphere.py;
#: references.md#itu-r-models).
ELEVATION_GRID_DEG = np.arange(5.0, 90.0 + 0.5, 1.0)

#: Default rain-rate grid [mm/h] for rain events; 0 is no rain. The largest value is the largest
#: rate a table can answer for (P.837-7 gives R0.01 up to ~150 mm/h in the tropics).
RAIN_RATE_GRID_MM_H = np.array(
    [0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 75.0, 100.0, 150.0,
     200.0, MAX_RAIN_RATE_MM_H]
)  # fmt: skip

#: Polarisation tilt [deg] used by default: 45°, which P.838-3 prescribes for circular
#: polarisation (SpaceX's gain-contour exhibits, e.g. SAT-MOD-20190314-00015, list RHCP beams;
#: references.md#itu-r-models).
POLARIZATION_TILT_DEG = 45.0


def _value(quantity) -> NDArray[np.float64]:
    """Strip the astropy unit ``itur`` returns."""
    return np.asarray(getattr(quantity, "value", quantity), dtype=float)


def rain_specific_attenuation_db_km(
    rain_rate_mm_h: ArrayLike,
    freq_ghz: ArrayLike,
    elevation_deg: ArrayLike,
    polarization_tilt_deg: ArrayLike = POLARIZATION_TILT_DEG,
) -> NDArray[np.float64]:
    """Specific attenuation of rain γ_R = k R^α [dB/km].

    References
    ----------
    ITU-R P.838-3 (2005), Annex 1, via ``itur.models.itu838``.
    """
    from itur.models import itu838

    return _value(
        itu838.rain_specific_attenuation(
            rain_rate_mm_h, freq_ghz, elevation_deg, polarization_tilt_deg
        )
    )


def rain_attenuation_db(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    freq_ghz: ArrayLike,
    elevation_deg: ArrayLike,
    exceedance_percent: float = 0.01,
    *,
    station_height_km: ArrayLike | None = None,
    rain_rate_001_mm_h: ArrayLike | None = None,
    polarization_tilt_deg: ArrayLike = POLARIZATION_TILT_DEG,
) -> NDArray[np.float64]:
    """Rain attenuation [dB] exceeded ``exceedance_percent`` % of an average year.

    Parameters
    ----------
    lat_deg, lon_deg : site [deg]; freq_ghz : carrier [GHz] (1–55 GHz); elevation_deg : [deg].
    exceedance_percent : p in 0.001–5 % (a scalar: itur takes one p per call).
    station_height_km : site height above sea level [km] (None: P.1511 topography).
    rain_rate_001_mm_h : R0.01 [mm/h] (None: the P.837-7 map).
    polarization_tilt_deg : polarisation tilt τ [deg].

    References
    ----------
    ITU-R P.618-13 (2017) §2.2.1.1, via ``itur.models.itu618.rain_attenuation``.
    """
    from itur.models import itu618

    return _value(
        itu618.rain_attenuation(
            lat_deg,
            lon_deg,
            freq_ghz,
            elevation_deg,
            hs=station_height_km,
            p=exceedance_percent,
            R001=rain_rate_001_mm_h,
            tau=polarization_tilt_deg,
        )
    )


def rain_event_attenuation_db(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    freq_ghz: ArrayLike,
    elevation_deg: ArrayLike,
    rain_rate_mm_h: ArrayLike,
    *,
    station_height_km: ArrayLike | None = None,
    polarization_tilt_deg: ArrayLike = POLARIZATION_TILT_DEG,
) -> NDArray[np.float64]:
    """Attenuation [dB] through rain falling at ``rain_rate_mm_h`` [mm/h] (0 gives 0 dB).

    P.618-13 §2.2.1.1 steps 1–9 with the event's rain rate as R0.01 (the effective path through
    rain of that rate); the site's rain height (P.839-4) bounds the path.

    References
    ----------
    ITU-R P.618-13 (2017) §2.2.1.1, via ``itur.models.itu618.rain_attenuation`` with p = 0.01 %
    and R001 = rain rate.
    """
    rate = np.asarray(rain_rate_mm_h, dtype=float)
    a = rain_attenuation_db(
        lat_deg,
        lon_deg,
        freq_ghz,
        elevation_deg,
        0.01,
        station_height_km=station_height_km,
        rain_rate_001_mm_h=np.maximum(rate, 0.0),
        polarization_tilt_deg=polarization_tilt_deg,
    )
    return np.where(rate > 0, a, np.where(rate == 0, 0.0, np.nan))


def gaseous_attenuation_db(
    freq_ghz: ArrayLike,
    elevation_deg: ArrayLike,
    water_vapour_density_g_m3: ArrayLike,
    pressure_hpa: ArrayLike,
    temperature_k: ArrayLike,
    *,
    water_vapour_content_kg_m2: ArrayLike | None = None,
    station_height_km: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Gaseous (oxygen + water vapour) attenuation on a slant path [dB].

    References
    ----------
    ITU-R P.676-12 (2019) Annex 2 (approximate method), via
    ``itur.models.itu676.gaseous_attenuation_slant_path(mode="approx")``.
    """
    from itur.models import itu676

    with warnings.catch_warnings():
        # itur warns at exactly 90° although P.676 Annex 2 covers 5–90° inclusive.
        warnings.simplefilter("ignore", RuntimeWarning)
        out = itu676.gaseous_attenuation_slant_path(
            freq_ghz,
            elevation_deg,
            water_vapour_density_g_m3,
            pressure_hpa,
            temperature_k,
            water_vapour_content_kg_m2,
            station_height_km,
            mode="approx",
        )
    return _value(out)


def cloud_attenuation_db(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    freq_ghz: ArrayLike,
    elevation_deg: ArrayLike,
    exceedance_percent: float,
) -> NDArray[np.float64]:
    """Cloud attenuation [dB] exceeded ``exceedance_percent`` % of the time.

    References
    ----------
    ITU-R P.840 (version 7 in ``itur`` 0.4) §3, via ``itur.models.itu840.cloud_attenuation``.
    """
    from itur.models import itu840

    return _value(
        itu840.cloud_attenuation(lat_deg, lon_deg, elevation_deg, freq_ghz, exceedance_percent)
    )


def scintillation_db(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    freq_ghz: ArrayLike,
    elevation_deg: ArrayLike,
    exceedance_percent: float,
    antenna_diameter_m: ArrayLike,
    antenna_efficiency: ArrayLike,
) -> NDArray[np.float64]:
    """Tropospheric scintillation fade depth [dB] exceeded ``exceedance_percent`` % of the time.

    References
    ----------
    ITU-R P.618-13 (2017) §2.4.1, via ``itur.models.itu618.scintillation_attenuation``.
    """
    from itur.models import itu618

    return _value(
        itu618.scintillation_attenuation(
            lat_deg,
            lon_deg,
            freq_ghz,
            elevation_deg,
            exceedance_percent,
            antenna_diameter_m,
            antenna_efficiency,
        )
    )


def site_gaseous_attenuation_db(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    freq_ghz: ArrayLike,
    elevation_deg: ArrayLike,
    exceedance_percent: float,
) -> NDArray[np.float64]:
    """Gaseous attenuation [dB] at a site, with its climate from the ITU-R maps.

    Surface water-vapour density (P.836) at ``exceedance_percent``, temperature (P.1510) and
    pressure (P.835 from the P.1511 height), as ``itur.atmospheric_attenuation_slant_path`` does.

    References
    ----------
    ITU-R P.676-12 Annex 2 with P.836-6, P.1510-1, P.835-6; ``itur`` 0.4.
    """
    import itur

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # same 90° warning as above
        gas, *_ = itur.atmospheric_attenuation_slant_path(
            lat_deg,
            lon_deg,
            freq_ghz,
            elevation_deg,
            exceedance_percent,
            1.0,  # antenna diameter: used by the scintillation term only, which is not asked for
            return_contributions=True,
            include_rain=False,
            include_clouds=False,
            include_scintillation=False,
        )
    return _value(gas)


def total_attenuation_db(
    gas_db: ArrayLike, cloud_db: ArrayLike, rain_db: ArrayLike, scintillation_db: ArrayLike
) -> NDArray[np.float64]:
    """Total attenuation [dB] = A_G + √((A_R + A_C)² + A_S²).

    References
    ----------
    ITU-R P.618-13 (2017) §2.5.
    """
    wet = np.asarray(rain_db, dtype=float) + np.asarray(cloud_db, dtype=float)
    return np.asarray(gas_db, dtype=float) + np.hypot(wet, np.asarray(scintillation_db))


@dataclass(frozen=True)
class AttenuationTable:
    """Attenuation components per site over an elevation grid, for interpolation in the loop.

    Attributes
    ----------
    freq_ghz : float
        Carrier [GHz].
    exceedance_percent : float
        p [%] of the gas, cloud, scintillation and statistical-rain components.
    elevation_deg : ndarray (E,)
        Ascending elevation grid [deg].
    rain_rate_mm_h : ndarray (R,)
        Ascending rain-rate grid [mm/h], starting at 0.
    gas_db, cloud_db, scintillation_db : ndarray (N, E)
        Components at p [dB].
    rain_db : ndarray (N, E)
        Rain attenuation exceeded p % of the year [dB] (NaN when p is outside 0.001–5 %).
    rain_event_db : ndarray (N, E, R)
        Attenuation through rain at each grid rate [dB], non-decreasing along the rate axis.
    """

    freq_ghz: float
    exceedance_percent: float
    elevation_deg: NDArray[np.float64]
    rain_rate_mm_h: NDArray[np.float64]
    gas_db: NDArray[np.float64]
    cloud_db: NDArray[np.float64]
    scintillation_db: NDArray[np.float64]
    rain_db: NDArray[np.float64]
    rain_event_db: NDArray[np.float64]

    def attenuation_db(
        self, site: ArrayLike, elevation_deg: ArrayLike, rain_rate_mm_h: ArrayLike = 0.0
    ) -> NDArray[np.float64]:
        """Total attenuation [dB] at the sites' elevations under rain of the given rates.

        Bilinear interpolation in (elevation, rain rate) of the event-rain table, combined with
        the site's gas, cloud and scintillation at p (P.618-13 §2.5). All arguments broadcast.
        NaN outside the grids.

        Parameters
        ----------
        site : int index into the table's sites.
        elevation_deg : [deg].
        rain_rate_mm_h : rain rate at the site [mm/h] (0: no rain).
        """
        site, el, rate = np.broadcast_arrays(
            np.asarray(site, dtype=np.intp),
            np.asarray(elevation_deg, dtype=float),
            np.asarray(rain_rate_mm_h, dtype=float),
        )
        i, wi, el_ok = _bracket(self.elevation_deg, el)
        j, wj, rate_ok = _bracket(self.rain_rate_mm_h, rate)
        ev = self.rain_event_db
        rain = (
            (1 - wi) * (1 - wj) * ev[site, i, j]
            + wi * (1 - wj) * ev[site, i + 1, j]
            + (1 - wi) * wj * ev[site, i, j + 1]
            + wi * wj * ev[site, i + 1, j + 1]
        )

        def along_el(a):
            return (1 - wi) * a[site, i] + wi * a[site, i + 1]

        total = total_attenuation_db(
            along_el(self.gas_db), along_el(self.cloud_db), rain, along_el(self.scintillation_db)
        )
        return np.where(el_ok & rate_ok, total, np.nan)

    def statistical_attenuation_db(
        self, site: ArrayLike, elevation_deg: ArrayLike
    ) -> NDArray[np.float64]:
        """Total attenuation [dB] exceeded p % of the year (rain from P.618 statistics)."""
        site, el = np.broadcast_arrays(
            np.asarray(site, dtype=np.intp), np.asarray(elevation_deg, dtype=float)
        )
        i, wi, ok = _bracket(self.elevation_deg, el)

        def along_el(a):
            return (1 - wi) * a[site, i] + wi * a[site, i + 1]

        total = total_attenuation_db(
            along_el(self.gas_db),
            along_el(self.cloud_db),
            along_el(self.rain_db),
            along_el(self.scintillation_db),
        )
        return np.where(ok, total, np.nan)


def _bracket(grid: NDArray[np.float64], x: NDArray[np.float64]):
    """Lower index, weight and in-range mask for linear interpolation of ``x`` on ``grid``."""
    i = np.clip(np.searchsorted(grid, x, side="right") - 1, 0, len(grid) - 2)
    with np.errstate(invalid="ignore"):
        w = (x - grid[i]) / (grid[i + 1] - grid[i])
    ok = (x >= grid[0]) & (x <= grid[-1])
    return i, np.where(ok, w, 0.0), ok


def attenuation_table(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    freq_ghz: float,
    exceedance_percent: float,
    antenna_diameter_m: float,
    antenna_efficiency: float,
    *,
    station_height_km: ArrayLike | None = None,
    polarization_tilt_deg: float = POLARIZATION_TILT_DEG,
    elevation_grid_deg: ArrayLike = ELEVATION_GRID_DEG,
    rain_rate_grid_mm_h: ArrayLike = RAIN_RATE_GRID_MM_H,
) -> AttenuationTable:
    """Precompute every attenuation component for N sites over the grids (one ``itur`` pass).

    Parameters
    ----------
    lat_deg, lon_deg : (N,) sites [deg].
    freq_ghz : carrier [GHz].
    exceedance_percent : p [%] for gas, cloud and scintillation (0.01–50 %) and for the
        statistical rain (0.001–5 %; NaN outside).
    antenna_diameter_m, antenna_efficiency : receive antenna, for scintillation (P.618 §2.4.1).
    station_height_km : (N,) heights [km] (None: P.1511 topography).
    elevation_grid_deg : ascending grid [deg], within 5–90°.
    rain_rate_grid_mm_h : ascending grid [mm/h] starting at 0.

    Notes
    -----
    The event-rain attenuation is made non-decreasing along the rate axis (running maximum), so
    more rain never lowers the attenuation even where the P.618 path-reduction factors bend
    the curve; ``itur`` 0.4 gives a non-decreasing curve already at Ku and Ka bands.
    """
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=float))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=float))
    el_grid = np.asarray(elevation_grid_deg, dtype=float)
    r_grid = np.asarray(rain_rate_grid_mm_h, dtype=float)
    n, e, r = len(lat), len(el_grid), len(r_grid)
    hs = None if station_height_km is None else np.atleast_1d(station_height_km).astype(float)

    # (N, E) grids, flattened for itur's element-wise evaluation.
    lat2, el2 = np.meshgrid(lat, el_grid, indexing="ij")
    lon2 = np.broadcast_to(lon[:, None], (n, e))
    hs2 = None if hs is None else np.broadcast_to(hs[:, None], (n, e)).ravel()
    flat = (lat2.ravel(), lon2.ravel(), freq_ghz, el2.ravel())
    # P.676-12 Annex 2 §2.2 (itur's "approx" mode): A(el) = A_zenith / sin(el) at every
    # elevation, so one itur call per site at 90° gives the whole row (itur evaluates P.676
    # point by point, ~0.7 ms each: 86 elevations × 1,000 sites would take a minute).
    gas_zenith = site_gaseous_attenuation_db(lat, lon, freq_ghz, 90.0, exceedance_percent)
    gas = np.reshape(gas_zenith, (n, 1)) / np.sin(np.radians(el_grid))[None, :]
    cloud = cloud_attenuation_db(*flat, exceedance_percent).reshape(n, e)
    scint = scintillation_db(
        *flat, exceedance_percent, antenna_diameter_m, antenna_efficiency
    ).reshape(n, e)
    if 0.001 <= exceedance_percent <= 5.0:
        rain = rain_attenuation_db(
            *flat,
            exceedance_percent,
            station_height_km=hs2,
            polarization_tilt_deg=polarization_tilt_deg,
        ).reshape(n, e)
    else:
        rain = np.full((n, e), np.nan)

    # (N, E, R) for events; rate 0 is 0 dB without asking itur.
    wet = r_grid > 0
    shape3 = (n, e, int(wet.sum()))
    lat3 = np.broadcast_to(lat[:, None, None], shape3).ravel()
    lon3 = np.broadcast_to(lon[:, None, None], shape3).ravel()
    el3 = np.broadcast_to(el_grid[None, :, None], shape3).ravel()
    rate3 = np.broadcast_to(r_grid[wet][None, None, :], shape3).ravel()
    hs3 = None if hs is None else np.broadcast_to(hs[:, None, None], shape3).ravel()
    event = np.zeros((n, e, r))
    event[:, :, wet] = rain_event_attenuation_db(
        lat3,
        lon3,
        freq_ghz,
        el3,
        rate3,
        station_height_km=hs3,
        polarization_tilt_deg=polarization_tilt_deg,
    ).reshape(shape3)
    event = np.maximum.accumulate(event, axis=2)
    return AttenuationTable(
        float(freq_ghz),
        float(exceedance_percent),
        el_grid,
        r_grid,
        gas,
        cloud,
        scint,
        rain,
        event,
    )
