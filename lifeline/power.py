"""Power autonomy of a terminal: draw, battery, solar panel and generator, step by step.

Pure functions of arrays. The sun's elevation comes from the NOAA "General Solar Position
Calculations" (Spencer's Fourier series for the declination and the equation of time); a solar
panel is taken as horizontal under a clear sky with no losses, ``P = P_peak · max(0, sin h)``,
an upper bound of what a real panel gives (clouds, dust, tilt and temperature only lower it).

The battery is integrated at a coarse step (``ENERGY_STEP_S``): the terminal runs while the
energy in the battery plus what arrives during the step covers its draw; otherwise it is off for
that step and the battery only charges.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.kits import KIT_ALIASES, KITS

#: Time step of the battery integration [s]: power changes over minutes, not seconds
#: (assumption, references.md#power-defaults).
ENERGY_STEP_S = 60.0

#: Average draw of a terminal by model [W]: each kit's draw (:mod:`lifeline.kits`,
#: references.md#terminal-power), under its name and its aliases.
DRAW_W_BY_MODEL = {
    **{name: kit.draw_w for name, kit in KITS.items()},
    **{alias: KITS[name].draw_w for alias, name in KIT_ALIASES.items()},
}


def sun_elevation_deg(
    unix_s: ArrayLike, lat_deg: ArrayLike, lon_deg: ArrayLike
) -> NDArray[np.float64]:
    """Elevation of the Sun's centre above the horizon, no refraction [deg].

    Parameters
    ----------
    unix_s : array_like
        Instants as seconds since 1970-01-01T00:00:00 UTC.
    lat_deg, lon_deg : array_like
        Place [deg], east positive; everything broadcasts.

    Returns
    -------
    ndarray
        Elevation [deg], within about 0.5 deg of an ephemeris for 1950-2050 (the accuracy of
        Spencer's series for the declination, 0.0006 rad).

    References
    ----------
    NOAA Global Monitoring Laboratory, "General Solar Position Calculations" (fractional year,
    declination, equation of time, hour angle, zenith angle).
    J. W. Spencer, "Fourier series representation of the position of the Sun", Search 2(5),
    p. 172, 1971.
    """
    t = np.asarray(unix_s, dtype=float)
    days = np.floor(t / 86400.0)
    hour = (t - days * 86400.0) / 3600.0
    # Day of the year (1-based) from the civil date.
    date = days.astype("int64").astype("datetime64[D]")
    day_of_year = (date - date.astype("datetime64[Y]")).astype(int).astype(float) + 1.0
    gamma = 2.0 * np.pi / 365.0 * (day_of_year - 1.0 + (hour - 12.0) / 24.0)
    decl = (
        0.006918
        - 0.399912 * np.cos(gamma)
        + 0.070257 * np.sin(gamma)
        - 0.006758 * np.cos(2 * gamma)
        + 0.000907 * np.sin(2 * gamma)
        - 0.002697 * np.cos(3 * gamma)
        + 0.00148 * np.sin(3 * gamma)
    )
    eqtime_min = 229.18 * (
        0.000075
        + 0.001868 * np.cos(gamma)
        - 0.032077 * np.sin(gamma)
        - 0.014615 * np.cos(2 * gamma)
        - 0.040849 * np.sin(2 * gamma)
    )
    true_solar_min = hour * 60.0 + eqtime_min + 4.0 * np.asarray(lon_deg, dtype=float)
    hour_angle = np.radians(true_solar_min / 4.0 - 180.0)
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    sin_h = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(hour_angle)
    return np.degrees(np.arcsin(np.clip(sin_h, -1.0, 1.0)))


def solar_power_w(panel_w: ArrayLike, sun_elevation: ArrayLike) -> NDArray[np.float64]:
    """Output of a horizontal panel under a clear sky, no losses [W]: ``P · max(0, sin h)``.

    ``panel_w`` is the rated (peak) power at normal incidence [W]; ``sun_elevation`` [deg].
    """
    return np.asarray(panel_w, dtype=float) * np.maximum(
        0.0, np.sin(np.radians(np.asarray(sun_elevation, dtype=float)))
    )


def run_battery(
    supply_w: ArrayLike,
    draw_w: ArrayLike,
    capacity_wh: ArrayLike,
    initial_wh: ArrayLike,
    step_s: float,
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Which steps a terminal has power, and the battery's energy at the start of each.

    Parameters
    ----------
    supply_w : (K, N) power coming in during each step (solar, generator) [W].
    draw_w : (N,) the terminal's draw while on [W].
    capacity_wh, initial_wh : (N,) battery capacity and starting energy [Wh].
    step_s : length of a step [s].

    Returns
    -------
    on : (K, N) bool
        The terminal runs through the step: battery energy plus the step's supply covers the
        draw (energy balance, E_next = min(capacity, E + (supply − draw) · dt)).
    energy_wh : (K, N) battery energy at the start of each step [Wh].
    """
    supply_wh = np.asarray(supply_w, dtype=float) * step_s / 3600.0
    need_wh = np.asarray(draw_w, dtype=float) * step_s / 3600.0
    capacity = np.asarray(capacity_wh, dtype=float)
    energy = np.minimum(np.asarray(initial_wh, dtype=float), capacity).copy()
    on = np.zeros(supply_wh.shape, dtype=bool)
    energy_wh = np.zeros(supply_wh.shape)
    for k in range(len(supply_wh)):  # a recursion: each step starts from the last one's end
        energy_wh[k] = energy
        available = energy + supply_wh[k]
        on[k] = available >= need_wh
        energy = np.minimum(capacity, np.where(on[k], available - need_wh, available))
    return on, energy_wh
