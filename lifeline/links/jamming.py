"""Ground jammers: the interference they put into a victim's channel, and when they are on.

A jammer is a ground transmitter with an EIRP [dBW] spread flat over a bandwidth [MHz] centred
on the victim's channel, aimed at one of two targets:

- ``user_downlink``: the terminals' Ku receivers. The jammer reaches a terminal over a ground
  path (free space plus an optional extra loss for terrain and clutter, and nothing beyond the
  radio horizon) and enters through the terminal's off-axis gain toward it: the terminal points
  at its satellite, high in the sky, the jammer sits near the horizon.
- ``uplink``: the satellites' receive beams. The jammer reaches the satellite over a slant path
  (free space) and enters through the beam's gain toward it (scan loss plus the roll-off away
  from the beam's centre).

The interference power enters the SINR (:func:`lifeline.links.budget.sinr_db`); a terminal whose
SINR the jammer pushes below the lowest MODCOD is out with reason ``jammed``
(:func:`outage_reason`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.constants import EARTH_MEAN_RADIUS_KM
from lifeline.links.budget import bandwidth_overlap_db, fspl_db

#: Jammer targets.
TARGETS = ("user_downlink", "uplink")

#: Effective Earth-radius factor k = 4/3 of the standard atmosphere (ITU-R P.834-9 §1; ITU-R
#: P.453-14 median refractivity gradient −40 N-units/km; references.md#jamming).
EFFECTIVE_EARTH_FACTOR = 4.0 / 3.0


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


def radio_horizon_km(height1_m: ArrayLike, height2_m: ArrayLike) -> NDArray[np.float64]:
    """Line-of-sight limit [km] between two antennas above smooth ground (k = 4/3).

    d = √(2 k R h1) + √(2 k R h2) ≈ 4.12 (√h1 + √h2) with h in metres and d in km.

    References
    ----------
    ITU-R P.834-9 §1 (effective Earth radius, k = 4/3); the rest is the tangent-line geometry
    of a sphere of radius k R.
    """
    k_r_m = EFFECTIVE_EARTH_FACTOR * EARTH_MEAN_RADIUS_KM * 1e3
    h1 = np.maximum(np.asarray(height1_m, dtype=float), 0.0)
    h2 = np.maximum(np.asarray(height2_m, dtype=float), 0.0)
    return (np.sqrt(2.0 * k_r_m * h1) + np.sqrt(2.0 * k_r_m * h2)) / 1e3


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
