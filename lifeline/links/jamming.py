"""Ground jammers: the interference they put into a victim's channel, and when they are on.

A jammer is a ground transmitter with an EIRP [dBW] spread flat over a bandwidth [MHz] centred
on the victim's channel, aimed at one of two targets:

- ``user_downlink``: the terminals' Ku receivers. The jammer reaches a terminal over a ground
  path (free space, diffraction over the smooth Earth — ITU-R P.526, so the jammer fades over
  the radio horizon rather than stopping at it — plus an optional extra loss for terrain and
  clutter) and enters through the terminal's off-axis gain toward it: the terminal points at
  its satellite, high in the sky, the jammer sits near the horizon.
- ``uplink``: the satellites' receive beams. The jammer reaches the satellite over a slant path
  (free space) and enters through the beam's gain toward it (scan loss plus the roll-off away
  from the beam's centre). Its effect is a ratio to the satellite's own noise, so it needs the
  satellite's receive G/T (:func:`uplink_interference_to_noise_db`).

The interference power enters the SINR (:func:`lifeline.links.budget.sinr_db`); a terminal whose
SINR the jammer pushes below the lowest MODCOD is out with reason ``jammed``
(:func:`outage_reason`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.constants import EARTH_MEAN_RADIUS_KM
from lifeline.links.budget import (
    BOLTZMANN_DBW_PER_K_HZ,
    bandwidth_overlap_db,
    fspl_db,
    wavelength_m,
)

#: Jammer targets.
TARGETS = ("user_downlink", "uplink")

#: Effective Earth-radius factor k = 4/3 of the standard atmosphere (ITU-R P.834-9 §1; ITU-R
#: P.453-14 median refractivity gradient −40 N-units/km; references.md#jamming).
EFFECTIVE_EARTH_FACTOR = 4.0 / 3.0

#: Ground electrical characteristics for the smooth-Earth diffraction: relative permittivity and
#: conductivity [S/m] of average land, the values ITU-R P.452-17 §4.2.2.1 uses for land paths
#: (ITU-R P.527). Above a few GHz they barely matter (K ≪ 0.001, ITU-R P.526-15 §3.1.1).
LAND_PERMITTIVITY = 22.0
LAND_CONDUCTIVITY_S_M = 0.003


def interference_dbw(
    jammer_eirp_dbw: ArrayLike,
    jammer_bandwidth_mhz: ArrayLike,
    victim_bandwidth_mhz: ArrayLike,
    range_km: ArrayLike,
    freq_ghz: ArrayLike,
    victim_gain_toward_jammer_dbi: ArrayLike,
    extra_loss_db: ArrayLike = 0.0,
) -> NDArray[np.float64]:
    """Jammer power [dBW] in the victim's channel at the victim's receiver input.

    I = EIRP_j + 10 log10(min(B_v, B_j) / B_j) − FSPL(d, f) − L_extra + G_victim(toward jammer).

    Parameters
    ----------
    jammer_eirp_dbw : total EIRP toward the victim [dBW].
    jammer_bandwidth_mhz, victim_bandwidth_mhz : [MHz].
    range_km : jammer–victim distance [km]; freq_ghz : victim carrier [GHz].
    victim_gain_toward_jammer_dbi : receive gain toward the jammer [dBi] (terminal:
        :func:`lifeline.links.budget.off_axis_gain_dbi`; satellite: beam peak − scan loss −
        :func:`lifeline.links.budget.beam_rolloff_db`).
    extra_loss_db : terrain, clutter, polarisation mismatch [dB].

    References
    ----------
    R. A. Poisel, Modern Communications Jamming Principles and Techniques, 2nd ed., Artech House
    2011, ch. 2 (jamming-to-signal ratio from the two link equations); free space: ITU-R P.525-4.
    """
    return (
        np.asarray(jammer_eirp_dbw, dtype=float)
        + bandwidth_overlap_db(victim_bandwidth_mhz, jammer_bandwidth_mhz)
        - fspl_db(range_km, freq_ghz)
        - np.asarray(extra_loss_db, dtype=float)
        + np.asarray(victim_gain_toward_jammer_dbi, dtype=float)
    )


def radio_horizon_km(
    height1_m: ArrayLike, height2_m: ArrayLike, k_factor: float = EFFECTIVE_EARTH_FACTOR
) -> NDArray[np.float64]:
    """Line-of-sight limit [km] between two antennas above smooth ground (default k = 4/3).

    d = √(2 k R h1) + √(2 k R h2) ≈ 4.12 (√h1 + √h2) with h in metres and d in km (k = 4/3);
    past it the signal is diffracted (:func:`smooth_earth_diffraction_db`).

    References
    ----------
    ITU-R P.834-9 §1 (effective Earth radius, k = 4/3); the rest is the tangent-line geometry
    of a sphere of radius k R.
    """
    k_r_m = k_factor * EARTH_MEAN_RADIUS_KM * 1e3
    h1 = np.maximum(np.asarray(height1_m, dtype=float), 0.0)
    h2 = np.maximum(np.asarray(height2_m, dtype=float), 0.0)
    return (np.sqrt(2.0 * k_r_m * h1) + np.sqrt(2.0 * k_r_m * h2)) / 1e3


def _first_term_db(
    distance_km, h1_m, h2_m, earth_radius_km, freq_ghz, permittivity, conductivity_s_m, vertical
):
    """First-term spherical-Earth diffraction loss [dB] (ITU-R P.526-15 §3.1.1, in the form of
    ITU-R P.452-17 §4.2.2.1 eqs. (30)–(37): f in GHz, d and a_e in km, heights in m)."""
    f = freq_ghz
    k = (
        0.036
        * (earth_radius_km * f) ** (-1.0 / 3.0)
        * ((permittivity - 1.0) ** 2 + (18.0 * conductivity_s_m / f) ** 2) ** -0.25
    )
    if vertical:
        k = k * np.sqrt(permittivity**2 + (18.0 * conductivity_s_m / f) ** 2)
    beta = (1.0 + 1.6 * k**2 + 0.67 * k**4) / (1.0 + 4.5 * k**2 + 1.53 * k**4)
    x = 21.88 * beta * (f / earth_radius_km**2) ** (1.0 / 3.0) * distance_km
    with np.errstate(divide="ignore", invalid="ignore"):
        fx = np.where(
            x >= 1.6,
            11.0 + 10.0 * np.log10(x) - 17.6 * x,
            -20.0 * np.log10(x) - 5.6488 * x**1.425,
        )

        def height_gain(h_m):
            y = 0.9575 * beta * (f**2 / earth_radius_km) ** (1.0 / 3.0) * h_m  # eq. (33)
            b = beta * y
            g = np.where(
                b > 2.0,
                17.6 * np.sqrt(np.abs(b - 1.1)) - 5.0 * np.log10(np.abs(b - 1.1)) - 8.0,
                20.0 * np.log10(b + 0.1 * b**3),
            )
            return np.maximum(g, 2.0 + 20.0 * np.log10(k))  # eq. (36): G(Y) >= 2 + 20 log K

        return -fx - height_gain(h1_m) - height_gain(h2_m)


def smooth_earth_diffraction_db(
    distance_km: ArrayLike,
    height1_m: ArrayLike,
    height2_m: ArrayLike,
    freq_ghz: ArrayLike,
    k_factor: float = EFFECTIVE_EARTH_FACTOR,
    permittivity: float = LAND_PERMITTIVITY,
    conductivity_s_m: float = LAND_CONDUCTIVITY_S_M,
    vertical: bool = True,
) -> NDArray[np.float64]:
    """Diffraction loss [dB, ≥ 0] over a smooth spherical Earth, for any distance.

    Beyond the radio horizon (d ≥ d_los) it is the first-term residue series; inside it, the
    loss of the path's smallest clearance below 0.552 √(d1 d2 λ / d) (the Fresnel clearance
    the path needs) is interpolated from the first-term loss on a modified Earth radius, and it
    is 0 with full clearance. So a jammer fades smoothly through the horizon.

    Parameters
    ----------
    distance_km : great-circle distance [km], > 0.
    height1_m, height2_m : antenna heights above the smooth Earth [m], ≥ 0.
    freq_ghz : carrier [GHz].
    k_factor : effective Earth-radius factor (4/3: ITU-R P.834-9 §1).
    permittivity, conductivity_s_m : ground electrical characteristics (land, P.452-17).
    vertical : polarisation (True: vertical; at Ku both give the same loss to 0.01 dB).

    Returns
    -------
    Loss [dB]; NaN for d ≤ 0.

    References
    ----------
    ITU-R P.526-15 (2019), §3.1.1 (first-term residue: F(X), G(Y)) and §3.2 (diffraction loss
    for any distance at 10 MHz and above); the same method, with its units, is ITU-R P.452-17
    (2021) §4.2.2.1, eqs. (27)–(37). Checked against ITU-R Study Group 3's P.452-17 validation
    example "flat land 100 km" (spherical-Earth diffraction loss Ldsph).
    """
    d = np.asarray(distance_km, dtype=float)
    h1 = np.maximum(np.asarray(height1_m, dtype=float), 0.0)
    h2 = np.maximum(np.asarray(height2_m, dtype=float), 0.0)
    f = np.asarray(freq_ghz, dtype=float)
    a_e = k_factor * EARTH_MEAN_RADIUS_KM
    args = (f, permittivity, conductivity_s_m, vertical)
    d_los = radio_horizon_km(h1, h2, k_factor)  # P.452-17 eq. (27), the same geometry
    beyond = _first_term_db(d, h1, h2, a_e, *args)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Inside the horizon: the point of smallest clearance (eqs. (28)–(29)).
        hsum = np.maximum(h1 + h2, 1e-9)
        c = (h1 - h2) / hsum
        m = 250.0 * d**2 / (a_e * hsum)
        b = (
            2.0
            * np.sqrt((m + 1.0) / (3.0 * m))
            * np.cos(
                np.pi / 3.0
                + np.arccos(np.clip(1.5 * c * np.sqrt(3.0 * m / (m + 1.0) ** 3), -1.0, 1.0)) / 3.0
            )
        )
        d1 = 0.5 * d * (1.0 + b)
        d2 = d - d1
        h_clear = ((h1 - 500.0 * d1**2 / a_e) * d2 + (h2 - 500.0 * d2**2 / a_e) * d1) / d
        h_req = 17.456 * np.sqrt(d1 * d2 * wavelength_m(f) / d)
        a_em = 500.0 * (d / (np.sqrt(h1) + np.sqrt(h2))) ** 2
        near = _first_term_db(d, h1, h2, a_em, *args)
        within = np.where((h_clear > h_req) | (near < 0.0), 0.0, (1.0 - h_clear / h_req) * near)
    loss = np.where(d >= d_los, beyond, within)
    return np.where(d > 0, np.maximum(loss, 0.0), np.nan)


def uplink_interference_to_noise_db(
    jammer_eirp_dbw: ArrayLike,
    jammer_bandwidth_mhz: ArrayLike,
    victim_bandwidth_mhz: ArrayLike,
    noise_bandwidth_mhz: ArrayLike,
    range_km: ArrayLike,
    freq_ghz: ArrayLike,
    sat_g_over_t_db_k: ArrayLike,
    gain_below_peak_db: ArrayLike = 0.0,
) -> NDArray[np.float64]:
    """I/N [dB] of a ground jammer in a satellite's receive beam.

    I/N = EIRP_j + 10 log10(min(B_v, B_j)/B_j) − FSPL − ΔG + G/T − k − 10 log10(B_N): the
    satellite's receive G/T (at the beam peak) carries both its gain and its noise, ΔG is how far
    below the peak the jammer sits (scan loss and beam roll-off).

    Parameters
    ----------
    jammer_eirp_dbw, jammer_bandwidth_mhz : the jammer's EIRP toward the satellite [dBW] and
        bandwidth [MHz].
    victim_bandwidth_mhz : the uplink channel [MHz]; noise_bandwidth_mhz : the receiver's noise
        bandwidth [MHz] (the symbol rate).
    range_km : jammer–satellite slant range [km]; freq_ghz : uplink carrier [GHz].
    sat_g_over_t_db_k : the satellite's receive G/T at the beam peak [dB/K] (not public for
        Starlink's Ku beams: the scenario has to supply it).
    gain_below_peak_db : ΔG ≥ 0 [dB].

    References
    ----------
    Maral & Bousquet, Satellite Communications Systems, 5th ed., 2009, §5.6 and §5.9 (C/N0 of a
    link, interference as a noise-like term); free space: ITU-R P.525-4.
    """
    return (
        np.asarray(jammer_eirp_dbw, dtype=float)
        + bandwidth_overlap_db(victim_bandwidth_mhz, jammer_bandwidth_mhz)
        - fspl_db(range_km, freq_ghz)
        - np.asarray(gain_below_peak_db, dtype=float)
        + np.asarray(sat_g_over_t_db_k, dtype=float)
        - BOLTZMANN_DBW_PER_K_HZ
        - 10.0 * np.log10(np.asarray(noise_bandwidth_mhz, dtype=float) * 1e6)
    )


def active(
    t_s: ArrayLike,
    window_start_s: ArrayLike,
    window_end_s: ArrayLike,
    window_jammer: ArrayLike,
    n_jammers: int,
) -> NDArray[np.bool_]:
    """Whether each jammer is on at each instant: (T, J) bool.

    Parameters
    ----------
    t_s : (T,) instants [s since the run start].
    window_start_s, window_end_s : (W,) active windows [s], start inclusive, end exclusive.
    window_jammer : (W,) jammer index of each window (a jammer may have several).
    n_jammers : J.
    """
    t = np.asarray(t_s, dtype=float)[:, None]
    on = (t >= np.asarray(window_start_s, dtype=float)) & (t < np.asarray(window_end_s, float))
    out = np.zeros((len(t), n_jammers), dtype=bool)
    np.logical_or.at(out, (slice(None), np.asarray(window_jammer, dtype=np.intp)), on)
    return out


def outage_reason(modcod_clear: ArrayLike, modcod_jammed: ArrayLike) -> NDArray[np.int8]:
    """Radio outage codes: 0 up, 1 ``low_sinr`` (down without jamming), 2 ``jammed``.

    Parameters
    ----------
    modcod_clear : MODCOD index without the jammers' interference (−1: none closes).
    modcod_jammed : MODCOD index with it.

    Returns
    -------
    int8 codes into ``("", REASON_LOW_SINR, REASON_JAMMED)``; the engine maps them into its
    reason list.
    """
    clear = np.asarray(modcod_clear) >= 0
    jammed = np.asarray(modcod_jammed) >= 0
    return np.where(~clear, 1, np.where(~jammed, 2, 0)).astype(np.int8)
