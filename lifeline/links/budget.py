"""Link budgets: path loss, antenna gains, noise and SINR, all in dB, all broadcasting.

Pure functions of NumPy arrays (any shape; the engine passes ``(time, terminal)`` arrays). Powers
are in dBW, gains in dBi, losses in dB (positive numbers subtract), noise temperatures in K,
bandwidths in MHz, frequencies in GHz. A value outside a model's domain gives NaN.

The defaults of the user downlink budget (carrier, channel, terminal, losses) are in
:mod:`lifeline.constants`, where the scenario schema reads them too.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.constants import (
    C_KM_S,
    IMPLEMENTATION_LOSS_DB,
    ROLL_OFF,
    SCAN_LOSS_EXPONENT,
    USER_DOWNLINK_FREQ_GHZ,
    WGS84_A_KM,
)

#: Boltzmann's constant in dB: 10·log10(1.380649e-23 J/K) [dBW/(K·Hz)]. CODATA 2018 (exact),
#: references.md#physical-constants.
BOLTZMANN_DBW_PER_K_HZ = 10.0 * np.log10(1.380649e-23)

#: Mean radiating temperature of rain and atmosphere [K], ITU-R P.618-13 §3 (sky noise;
#: references.md#itu-r-models).
MEDIUM_TEMPERATURE_K = 275.0

# 20·log10(4π·1e3·1e9 / c[m/s]): free-space loss of 1 km at 1 GHz [dB] (≈ 92.45 dB).
_FSPL_1KM_1GHZ_DB = 20.0 * np.log10(4.0 * np.pi * 1e12 / (C_KM_S * 1e3))


def wavelength_m(freq_ghz: ArrayLike) -> NDArray[np.float64]:
    """Free-space wavelength [m] of a carrier at ``freq_ghz`` [GHz]: λ = c / f."""
    return C_KM_S * 1e3 / (np.asarray(freq_ghz, dtype=float) * 1e9)


def fspl_db(range_km: ArrayLike, freq_ghz: ArrayLike) -> NDArray[np.float64]:
    """Free-space path loss [dB] over ``range_km`` [km] at ``freq_ghz`` [GHz].

    L = 20·log10(4π d / λ) = 92.45 + 20·log10(d [km]) + 20·log10(f [GHz]).

    References
    ----------
    ITU-R P.525-4 (2019), §2.2: basic transmission loss in free space for point-to-point links.
    """
    d = np.asarray(range_km, dtype=float)
    f = np.asarray(freq_ghz, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = _FSPL_1KM_1GHZ_DB + 20.0 * np.log10(d) + 20.0 * np.log10(f)
    return np.where((d > 0) & (f > 0), loss, np.nan)


def aperture_gain_dbi(diameter_m: ArrayLike, freq_ghz: ArrayLike, efficiency: ArrayLike):
    """Peak gain [dBi] of a circular aperture: G = η (π D / λ)².

    Parameters
    ----------
    diameter_m : aperture diameter [m].
    freq_ghz : carrier [GHz].
    efficiency : aperture efficiency η, in (0, 1].

    References
    ----------
    G. Maral, M. Bousquet, Satellite Communications Systems, 5th ed., Wiley 2009, §5.2
    (antenna gain).
    """
    d_lambda = np.asarray(diameter_m, dtype=float) / wavelength_m(freq_ghz)
    eta = np.asarray(efficiency, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = 10.0 * np.log10(eta * (np.pi * d_lambda) ** 2)
    return np.where((d_lambda > 0) & (eta > 0) & (eta <= 1), gain, np.nan)


def beamwidth_3db_deg(diameter_m: ArrayLike, freq_ghz: ArrayLike) -> NDArray[np.float64]:
    """Half-power beamwidth [deg] of a circular aperture: θ3dB ≈ 70 λ / D.

    References
    ----------
    Maral & Bousquet, Satellite Communications Systems, 5th ed., 2009, §5.2 (angular beamwidth).
    """
    return 70.0 * wavelength_m(freq_ghz) / np.asarray(diameter_m, dtype=float)


def _envelope_s465_dbi(phi_deg, d_lambda):
    """ITU-R S.465-6 sidelobe envelope [dBi] and its φ_min [deg] (recommends 1 and 2)."""
    large = d_lambda >= 50.0
    with np.errstate(divide="ignore", invalid="ignore"):
        phi_min = np.where(
            large,
            np.maximum(1.0, 100.0 / d_lambda),
            np.maximum(2.0, 114.0 * d_lambda**-1.09),
        )
        near = np.where(
            large,
            32.0 - 25.0 * np.log10(phi_deg),
            52.0 - 10.0 * np.log10(d_lambda) - 25.0 * np.log10(phi_deg),
        )
        far = np.where(large, -10.0, 10.0 - 10.0 * np.log10(d_lambda))
    # max(near, far): at 48° the near-in law is 0.03 dB below the far one; join without a rise.
    return np.where(phi_deg < 48.0, np.maximum(near, far), far), phi_min


def _envelope_s580_dbi(phi_deg, d_lambda):
    """ITU-R S.580-6 design-objective envelope [dBi] and φ_min [deg]; NaN for D/λ < 50."""
    phi_min = np.maximum(1.0, 100.0 / d_lambda)
    with np.errstate(divide="ignore", invalid="ignore"):
        env = np.select(
            [phi_deg <= 20.0, phi_deg <= 26.3, phi_deg <= 48.0],
            # max(., -10): 32 - 25 log 48° is -10.03 dBi, so the segments join without a rise.
            [
                29.0 - 25.0 * np.log10(phi_deg),
                -3.5,  # 29 - 25 log 20° = -3.5 dBi: the segments join
                np.maximum(32.0 - 25.0 * np.log10(phi_deg), -10.0),
            ],
            -10.0,
        )
    return np.where(d_lambda >= 50.0, env, np.nan), phi_min


def off_axis_gain_dbi(
    off_axis_deg: ArrayLike,
    peak_gain_dbi: ArrayLike,
    diameter_m: ArrayLike,
    freq_ghz: ArrayLike,
    pattern: str = "S.465",
) -> NDArray[np.float64]:
    """Earth-station antenna gain [dBi] at ``off_axis_deg`` from boresight.

    Beyond φ_min the gain is the ITU-R reference envelope: S.465-6 (coordination pattern, any
    D/λ) or S.580-6 (design objective, D/λ ≥ 50 only; NaN otherwise). S.465 does not define the
    gain inside φ_min, so there the main lobe is the parabola G_max − 12 (φ / θ3dB)² (θ3dB =
    70 λ/D), held no lower than the envelope's value at φ_min. The result never exceeds
    ``peak_gain_dbi`` and never rises with the angle.

    Parameters
    ----------
    off_axis_deg : angle from boresight [deg], 0..180.
    peak_gain_dbi : boresight gain [dBi] (e.g. :func:`aperture_gain_dbi`).
    diameter_m : aperture diameter [m]; freq_ghz : carrier [GHz].
    pattern : ``"S.465"`` or ``"S.580"``.

    Returns
    -------
    Gain [dBi]; NaN outside 0..180° or where the pattern does not apply.

    References
    ----------
    ITU-R S.465-6 (2010), recommends 1–2; ITU-R S.580-6 (2004), recommends 1–2; main lobe:
    Maral & Bousquet, Satellite Communications Systems, 5th ed., 2009, §5.2 (gain in a direction
    θ off boresight, G(θ) = G_max − 12 (θ/θ3dB)²).
    """
    phi = np.abs(np.asarray(off_axis_deg, dtype=float))
    g_max = np.asarray(peak_gain_dbi, dtype=float)
    d_lambda = np.asarray(diameter_m, dtype=float) / wavelength_m(freq_ghz)
    if pattern == "S.465":
        envelope = _envelope_s465_dbi
    elif pattern == "S.580":
        envelope = _envelope_s580_dbi
    else:
        raise ValueError(f"pattern = {pattern!r}: allowed 'S.465' or 'S.580'")
    env, phi_min = envelope(phi, d_lambda)
    floor, _ = envelope(phi_min, d_lambda)
    theta3 = 70.0 / d_lambda
    main = np.maximum(g_max - 12.0 * (phi / theta3) ** 2, floor)
    gain = np.minimum(np.where(phi < phi_min, main, env), g_max)
    return np.where((phi >= 0) & (phi <= 180.0), gain, np.nan)


def angle_between_deg(
    elevation1_deg: ArrayLike,
    azimuth1_deg: ArrayLike,
    elevation2_deg: ArrayLike,
    azimuth2_deg: ArrayLike,
) -> NDArray[np.float64]:
    """Angle [deg] between two look directions given as (elevation, azimuth) [deg].

    cos φ = sin e1 sin e2 + cos e1 cos e2 cos(a1 − a2) (spherical law of cosines). Used for the
    off-axis angle from a terminal's boresight (its satellite) toward a jammer.
    """
    e1, a1, e2, a2 = (
        np.radians(np.asarray(x, dtype=float))
        for x in (elevation1_deg, azimuth1_deg, elevation2_deg, azimuth2_deg)
    )
    cos_phi = np.sin(e1) * np.sin(e2) + np.cos(e1) * np.cos(e2) * np.cos(a1 - a2)
    return np.degrees(np.arccos(np.clip(cos_phi, -1.0, 1.0)))


def off_nadir_deg(
    elevation_deg: ArrayLike,
    sat_radius_km: ArrayLike,
    site_radius_km: ArrayLike = WGS84_A_KM,
) -> NDArray[np.float64]:
    """Angle [deg] at the satellite between nadir and a ground site seen at ``elevation_deg``.

    sin η = (r_site / r_sat) · cos(elevation) (sine rule in the Earth-centre, site, satellite
    triangle).

    Parameters
    ----------
    elevation_deg : elevation of the satellite at the site [deg].
    sat_radius_km : satellite distance from the Earth's centre [km].
    site_radius_km : site distance from the Earth's centre [km] (default: WGS84 a).

    References
    ----------
    Maral & Bousquet, Satellite Communications Systems, 5th ed., 2009, §2.2.
    """
    el = np.radians(np.asarray(elevation_deg, dtype=float))
    ratio = np.asarray(site_radius_km, dtype=float) / np.asarray(sat_radius_km, dtype=float)
    return np.degrees(np.arcsin(np.clip(ratio * np.cos(el), -1.0, 1.0)))


def scan_loss_db(scan_deg: ArrayLike, exponent: ArrayLike = SCAN_LOSS_EXPONENT):
    """Gain loss [dB, ≥ 0] of a phased array steered ``scan_deg`` off its broadside.

    L = −10 n log10(cos θ); n = 1 is the projected-aperture loss. NaN at or beyond 90°.

    References
    ----------
    R. J. Mailloux, Phased Array Antenna Handbook, 2nd ed., Artech House 2005, §1.1.
    """
    scan = np.abs(np.asarray(scan_deg, dtype=float))
    cos_t = np.cos(np.radians(scan))
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = -10.0 * np.asarray(exponent, dtype=float) * np.log10(cos_t)
    return np.where(scan < 90.0, loss, np.nan)


def beam_rolloff_db(offset_deg: ArrayLike, beamwidth_3db_deg: ArrayLike) -> NDArray[np.float64]:
    """Loss [dB, ≥ 0] at ``offset_deg`` from a beam's centre: 12 (θ / θ3dB)² (main lobe only).

    References
    ----------
    ITU-R S.1528 (2001), main lobe G = G_m − 3 (ψ/ψ_b)² with ψ_b = θ3dB / 2.
    """
    return 12.0 * (np.asarray(offset_deg, dtype=float) / np.asarray(beamwidth_3db_deg)) ** 2


def noise_power_dbw(system_temperature_k: ArrayLike, bandwidth_mhz: ArrayLike):
    """Thermal noise power [dBW] in ``bandwidth_mhz``: N = k T B.

    References
    ----------
    Maral & Bousquet, Satellite Communications Systems, 5th ed., 2009, §5.5 (noise power
    spectral density N0 = kT); k from CODATA 2018.
    """
    t = np.asarray(system_temperature_k, dtype=float)
    b = np.asarray(bandwidth_mhz, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = BOLTZMANN_DBW_PER_K_HZ + 10.0 * np.log10(t) + 10.0 * np.log10(b * 1e6)
    return np.where((t > 0) & (b > 0), n, np.nan)


def sky_noise_temperature_k(
    attenuation_db: ArrayLike, medium_temperature_k: ArrayLike = MEDIUM_TEMPERATURE_K
):
    """Noise temperature [K] an absorbing atmosphere adds at a ground antenna.

    T = T_m (1 − 10^(−A/10)): rain and gas attenuate the carrier and radiate noise.

    References
    ----------
    ITU-R P.618-13 §3 (sky noise temperature from attenuation, T_m = 275 K for clouds and
    rain).
    """
    a = np.asarray(attenuation_db, dtype=float)
    return np.asarray(medium_temperature_k, dtype=float) * (1.0 - 10.0 ** (-a / 10.0))


def g_over_t_db_k(gain_dbi: ArrayLike, system_temperature_k: ArrayLike) -> NDArray[np.float64]:
    """Figure of merit G/T [dB/K] = G − 10 log10(T)."""
    t = np.asarray(system_temperature_k, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t > 0, np.asarray(gain_dbi, dtype=float) - 10.0 * np.log10(t), np.nan)


def carrier_to_noise_db(
    eirp_dbw: ArrayLike,
    path_loss_db: ArrayLike,
    g_over_t_db_per_k: ArrayLike,
    bandwidth_mhz: ArrayLike,
    other_losses_db: ArrayLike = 0.0,
) -> NDArray[np.float64]:
    """C/N [dB] of a link: EIRP − L_path − L_other + G/T − k − 10 log10(B).

    Parameters
    ----------
    eirp_dbw : transmitted EIRP in the receiver's direction [dBW] (within ``bandwidth_mhz``).
    path_loss_db : free-space loss [dB] (:func:`fspl_db`).
    g_over_t_db_per_k : receiver G/T [dB/K].
    bandwidth_mhz : noise bandwidth [MHz].
    other_losses_db : atmospheric, pointing, implementation losses [dB].

    References
    ----------
    Maral & Bousquet, Satellite Communications Systems, 5th ed., 2009, §5.6 (C/N0 of a link).
    """
    b = np.asarray(bandwidth_mhz, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cn = (
            np.asarray(eirp_dbw, dtype=float)
            - np.asarray(path_loss_db, dtype=float)
            - np.asarray(other_losses_db, dtype=float)
            + np.asarray(g_over_t_db_per_k, dtype=float)
            - BOLTZMANN_DBW_PER_K_HZ
            - 10.0 * np.log10(b * 1e6)
        )
    return np.where(b > 0, cn, np.nan)


def combine_ratios_db(*ratios_db: ArrayLike) -> NDArray[np.float64]:
    """Combine carrier-to-(noise|interference) ratios [dB]: (C/X)⁻¹ = Σ (C/X_i)⁻¹.

    E.g. ``combine_ratios_db(cn_db, c_asi_db, c_xpi_db)`` is C/(N + I_ASI + I_XPI), the form of
    del Portillo et al.'s budgets (references.md#del-portillo-budget). With no argument it is
    +inf (nothing degrades).

    References
    ----------
    Maral & Bousquet, Satellite Communications Systems, 5th ed., 2009, §5.9 (overall link
    performance with interference).
    """
    total = np.zeros(())
    for r in ratios_db:
        total = total + 10.0 ** (-np.asarray(r, dtype=float) / 10.0)
    with np.errstate(divide="ignore"):
        return -10.0 * np.log10(total)


def sinr_db(
    carrier_dbw: ArrayLike, noise_dbw: ArrayLike, *interference_dbw: ArrayLike
) -> NDArray[np.float64]:
    """SINR [dB] = C − 10 log10(N + Σ I_i), powers in dBW (−inf dBW: no interference)."""
    total = 10.0 ** (np.asarray(noise_dbw, dtype=float) / 10.0)
    for i in interference_dbw:
        total = total + 10.0 ** (np.asarray(i, dtype=float) / 10.0)
    return np.asarray(carrier_dbw, dtype=float) - 10.0 * np.log10(total)


def bandwidth_overlap_db(
    victim_bandwidth_mhz: ArrayLike, interferer_bandwidth_mhz: ArrayLike
) -> NDArray[np.float64]:
    """Share [dB, ≤ 0] of an interferer's power that falls in the victim's channel.

    10 log10(min(B_victim, B_interferer) / B_interferer), for an interferer with a flat spectrum
    centred on the victim's channel (a barrage jammer covering it, or a narrower spot jammer
    entirely inside it).
    """
    bv = np.asarray(victim_bandwidth_mhz, dtype=float)
    bi = np.asarray(interferer_bandwidth_mhz, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = 10.0 * np.log10(np.minimum(bv, bi) / bi)
    return np.where((bv > 0) & (bi > 0), share, np.nan)


def symbol_rate_mbaud(bandwidth_mhz: ArrayLike, roll_off: ArrayLike = ROLL_OFF):
    """Symbol rate [Mbaud] of a channel ``bandwidth_mhz`` [MHz] wide: R_s = B / (1 + α).

    Es/N0 is the carrier over the noise in the symbol rate, not in the whole channel: with the
    0.1 roll-off that is 10·log10(1.1) = 0.41 dB more than C/N over the channel.

    References
    ----------
    ETSI EN 302 307-1 V1.4.1, §5.6 (baseband shaping, roll-off α); del Portillo et al.,
    Acta Astronautica 159 (2019) (references.md#del-portillo-budget): 2,682.1 Mbit/s from
    256APSK 3/4 (5.900855 bit/symbol) on 500 MHz with α = 0.1 is 500 / 1.1 Mbaud.
    """
    return np.asarray(bandwidth_mhz, dtype=float) / (1.0 + np.asarray(roll_off, dtype=float))


def downlink_esn0_db(
    eirp_density_dbw_per_mhz: ArrayLike,
    channel_mhz: ArrayLike,
    scan_loss: ArrayLike,
    range_km: ArrayLike,
    attenuation_db: ArrayLike,
    g_over_t_db_per_k: ArrayLike,
    freq_ghz: ArrayLike = USER_DOWNLINK_FREQ_GHZ,
    roll_off: ArrayLike = ROLL_OFF,
    implementation_loss_db: ArrayLike = IMPLEMENTATION_LOSS_DB,
) -> NDArray[np.float64]:
    """Es/N0 [dB] of a user downlink: the channel's power over the noise in its symbol rate.

    Es/N0 = EIRP_density + 10 log10(B) − scan − FSPL − A − L_impl + G/T − k − 10 log10(R_s).

    Parameters
    ----------
    eirp_density_dbw_per_mhz : satellite EIRP density at the beam centre [dBW/MHz].
    channel_mhz : the channel the carrier fills [MHz]; its symbol rate is B / (1 + roll_off).
    scan_loss : the satellite array's scan loss toward the terminal [dB] (:func:`scan_loss_db`).
    range_km : slant range [km]; attenuation_db : atmosphere [dB] (gas, cloud, rain, ...).
    g_over_t_db_per_k : the terminal's G/T [dB/K], sky noise included.
    freq_ghz, roll_off, implementation_loss_db : carrier [GHz], roll-off, modem loss [dB].

    References
    ----------
    Maral & Bousquet, Satellite Communications Systems, 5th ed., 2009, §5.6; symbol rate:
    :func:`symbol_rate_mbaud`.
    """
    eirp = np.asarray(eirp_density_dbw_per_mhz, dtype=float) + 10.0 * np.log10(
        np.asarray(channel_mhz, dtype=float)
    )
    return carrier_to_noise_db(
        eirp - np.asarray(scan_loss, dtype=float),
        fspl_db(range_km, freq_ghz),
        g_over_t_db_per_k,
        symbol_rate_mbaud(channel_mhz, roll_off),
        np.asarray(attenuation_db, dtype=float) + np.asarray(implementation_loss_db, dtype=float),
    )


def slant_range_km(elevation_deg: ArrayLike, altitude_km: ArrayLike, site_radius_km=WGS84_A_KM):
    """Slant range [km] to a satellite at ``altitude_km`` seen at ``elevation_deg`` [deg].

    d = √(r_sat² − (r_site cos e)²) − r_site sin e (law of cosines in the Earth-centre, site,
    satellite triangle; Maral & Bousquet, 5th ed., 2009, §2.2).
    """
    e = np.radians(np.asarray(elevation_deg, dtype=float))
    r = np.asarray(site_radius_km, dtype=float)
    r_sat = r + np.asarray(altitude_km, dtype=float)
    return np.sqrt(r_sat**2 - (r * np.cos(e)) ** 2) - r * np.sin(e)
