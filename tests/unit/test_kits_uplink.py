"""Kits, the uplink budget, the cell load and their calibration to measured medians."""

import numpy as np
import pytest

from lifeline.constants import DEFAULT_CELL_LOAD, SAT_UPLINK_G_OVER_T_DB_K, USER_UPLINK_CHANNEL_MHZ
from lifeline.kits import DEFAULT_KIT, KITS, get_kit
from lifeline.links import budget as b
from lifeline.links.calibrate import (
    EUROPE_DOWNLOAD_MEDIANS_MBPS,
    EUROPE_UPLOAD_MEDIANS_MBPS,
    REFERENCE_ELEVATION_DEG,
    cell_load,
    reference_downlink_capacity_mbps,
    uplink_g_over_t_db_k,
)
from lifeline.links.capacity import background_users, share_with_background
from lifeline.links.jamming import uplink_interference_to_noise_db
from lifeline.links.modcod import capacity_mbps, load_modcod_table, select_modcod
from lifeline.links.uplink import uplink_esn0_db
from lifeline.power import DRAW_W_BY_MODEL

TABLE = load_modcod_table()


def test_kit_values_and_errors():
    # references.md#terminal-eirp: UT3-V1 43.6 dBW, UT3-V2 (Mini) 39.2 dBW after the 2023
    # modification; #terminal-power: Mini 20-40 W, Performance 110-150 W (middles 30, 130).
    assert get_kit("standard").eirp_dbw == 43.6
    assert get_kit("mini").eirp_dbw == 39.2
    assert get_kit("mini").draw_w == 30.0
    assert get_kit("performance") is KITS["flat-high-performance"]
    assert DEFAULT_KIT == "standard-actuated"
    assert DRAW_W_BY_MODEL["standard-actuated"] == 90.0  # measured 80-100 W, middle
    with pytest.raises(ValueError, match="'dish'.*standard-actuated"):
        get_kit("dish")


def test_uplink_esn0_hand_check():
    # 42.1 dBW, no scan loss, 812 km at 14.25 GHz: FSPL = 92.45 + 58.19 + 23.08 = 173.72 dB;
    # 1 dB implementation loss; G/T 0 dB/K; R_s = 62.5 / 1.1 = 56.82 Mbaud (77.54 dB·Hz):
    # Es/N0 = 42.1 − 173.72 − 1 + 0 + 228.60 − 77.54 = 18.44 dB.
    es = uplink_esn0_db(42.1, 0.0, 812.0, 0.0, 0.0)
    assert es == pytest.approx(18.44, abs=0.01)
    # Each dB of G/T is a dB of Es/N0.
    assert uplink_esn0_db(42.1, 0.0, 812.0, 0.0, 3.0) - es == pytest.approx(3.0, abs=1e-12)


def test_calibration_reproduces_the_shipped_defaults():
    # The defaults are the calibration's outputs (lifeline.links.calibrate): rerun it.
    alone = reference_downlink_capacity_mbps(TABLE)
    down = float(np.median(EUROPE_DOWNLOAD_MEDIANS_MBPS))
    up = float(np.median(EUROPE_UPLOAD_MEDIANS_MBPS))
    assert down == pytest.approx(122.185, abs=1e-9)  # median of 14 Ookla country medians
    assert up == 18.0  # DE 15.17, IT 18, PT 28.52
    assert alone == pytest.approx(575.39, abs=0.01)  # 16APSK 2/3 on 240 MHz at 56°
    assert cell_load(down, alone) == pytest.approx(DEFAULT_CELL_LOAD, abs=0.005)
    assert uplink_g_over_t_db_k(TABLE, up, DEFAULT_CELL_LOAD) == SAT_UPLINK_G_OVER_T_DB_K


def test_calibrated_kit_meets_the_measured_medians_at_the_reference():
    # With the defaults, one kit sharing its beam with DEFAULT_CELL_LOAD others gets the
    # measured medians: 122.2 Mbit/s down (by construction, to rounding of n) and >= 18 up.
    alone = reference_downlink_capacity_mbps(TABLE)
    assert share_with_background(alone, 1, DEFAULT_CELL_LOAD) == pytest.approx(122.2, abs=0.1)
    el = REFERENCE_ELEVATION_DEG
    rng = b.slant_range_km(el, 550.0)
    scan = b.scan_loss_db(b.off_nadir_deg(el, b.WGS84_A_KM + 550.0))
    es = uplink_esn0_db(get_kit(DEFAULT_KIT).eirp_dbw, scan, rng, 0.0)
    up_alone = capacity_mbps(TABLE, select_modcod(TABLE, es), USER_UPLINK_CHANNEL_MHZ)
    up = share_with_background(up_alone, 1, DEFAULT_CELL_LOAD)
    assert 18.0 <= up < 18.0 * 1.25  # one MODCOD step above the target at most


def test_background_users_by_hour_and_sharing():
    # A flat load, and a 24-h profile looked up at local mean solar time: 18:00 UTC at 30° E is
    # 20:00 local.
    assert background_users(0.0, 37.6, 3.0) == 3.0
    profile = np.arange(24.0)
    assert background_users(18 * 3600.0, 30.0, profile) == 20.0
    assert background_users(23.5 * 3600.0, 15.0, profile) == 0.0  # 00:30 local, next day
    # k kits with n others get k / (k + n) of the beam: 1 of 4 → 100 of 400; 0 kits get 0.
    np.testing.assert_allclose(
        share_with_background(400.0, [0, 1, 4], 3.0), [0, 100, 228.571428], atol=1e-5
    )


def test_uplink_jammer_interference_to_noise():
    # A 30 dBW jammer over 62.5 MHz, 600 km from the satellite at 14.25 GHz (FSPL 171.09 dB),
    # 5 dB below the beam peak, G/T 5 dB/K, noise in 56.82 Mbaud:
    # I/N = 30 − 171.09 − 5 + 5 + 228.60 − 77.54 = 9.97 dB.
    i_n = uplink_interference_to_noise_db(30.0, 62.5, 62.5, 62.5 / 1.1, 600.0, 14.25, 5.0, 5.0)
    assert i_n == pytest.approx(9.97, abs=0.01)
