"""The user uplink (Ku, terminal → satellite): Es/N0 from the kit's EIRP and the satellite's G/T.

The terminal transmits its whole EIRP (:mod:`lifeline.kits`) in one uplink channel: the
14.0–14.5 GHz band is cut into 8 channels of 62.5 MHz and one terminal takes a whole channel
when it is free (references.md#uplink-channels). The satellite's Ku receive G/T is not public
(references.md#satellite-capacity: "satellite Ku receive gain / G/T ... not public"), so
:data:`lifeline.constants.SAT_UPLINK_G_OVER_T_DB_K` is *calibrated*: it is the G/T at which one
standard kit in a cell loaded as :data:`lifeline.constants.DEFAULT_CELL_LOAD` gets the measured
European median upload (:mod:`lifeline.links.calibrate`). A scenario can set its own
(``[radio] sat_uplink_g_over_t_db_k``); only then is uplink jamming allowed, because a jammer's
effect on the satellite is a ratio to the satellite's own noise.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.constants import (
    IMPLEMENTATION_LOSS_DB,
    ROLL_OFF,
    SAT_UPLINK_G_OVER_T_DB_K,
    USER_UPLINK_CHANNEL_MHZ,
    USER_UPLINK_FREQ_GHZ,
)
from lifeline.links.budget import carrier_to_noise_db, fspl_db, symbol_rate_mbaud

__all__ = ["uplink_esn0_db"]


def uplink_esn0_db(
    eirp_dbw: ArrayLike,
    scan_loss: ArrayLike,
    range_km: ArrayLike,
    attenuation_db: ArrayLike,
    sat_g_over_t_db_k: ArrayLike = SAT_UPLINK_G_OVER_T_DB_K,
    channel_mhz: ArrayLike = USER_UPLINK_CHANNEL_MHZ,
    freq_ghz: ArrayLike = USER_UPLINK_FREQ_GHZ,
    roll_off: ArrayLike = ROLL_OFF,
    implementation_loss_db: ArrayLike = IMPLEMENTATION_LOSS_DB,
) -> NDArray[np.float64]:
    """Es/N0 [dB] at the satellite of a terminal's uplink.

    Es/N0 = EIRP − scan − FSPL − A − L_impl + G/T_sat − k − 10 log10(R_s), with the terminal's
    whole EIRP in the channel and R_s = B / (1 + roll_off).

    Parameters
    ----------
    eirp_dbw : the kit's uplink EIRP [dBW].
    scan_loss : the satellite array's scan loss toward the terminal [dB].
    range_km : slant range [km]; attenuation_db : atmosphere at the uplink carrier [dB].
    sat_g_over_t_db_k : satellite receive G/T at the beam peak [dB/K].
    channel_mhz, freq_ghz, roll_off, implementation_loss_db : channel [MHz], carrier [GHz],
        roll-off, modem loss [dB].

    References
    ----------
    Maral & Bousquet, Satellite Communications Systems, 5th ed., 2009, §5.6 (uplink C/N0).
    """
    return carrier_to_noise_db(
        np.asarray(eirp_dbw, dtype=float) - np.asarray(scan_loss, dtype=float),
        fspl_db(range_km, freq_ghz),
        sat_g_over_t_db_k,
        symbol_rate_mbaud(channel_mhz, roll_off),
        np.asarray(attenuation_db, dtype=float) + np.asarray(implementation_loss_db, dtype=float),
    )
