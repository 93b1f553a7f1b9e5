"""Ground jammers: interference power, horizon, windows and outage reasons."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifeline.links.budget import (
    aperture_gain_dbi,
    carrier_to_noise_db,
    fspl_db,
    g_over_t_db_k,
    noise_power_dbw,
    off_axis_gain_dbi,
    sinr_db,
)
from lifeline.links.jamming import active, interference_dbw, outage_reason, radio_horizon_km
from lifeline.links.modcod import load_modcod_table, select_modcod

TABLE = load_modcod_table()


def test_interference_link_equation():
    # I = EIRP + 10 log10(240/480) − FSPL(10 km, 11.7 GHz) − L + G: a 30 dBW barrage jammer over
    # 480 MHz, 10 km away, 3 dB extra loss, seen at −10 dBi:
    # 30 − 3.0103 − (92.4478 + 20 + 21.3640) − 3 − 10 = −119.822 dBW.
    i = interference_dbw(30.0, 480.0, 240.0, 10.0, 11.7, -10.0, 3.0)
    assert i == pytest.approx(30 - 10 * np.log10(2) - fspl_db(10.0, 11.7) - 3 - 10, abs=1e-12)
    assert i == pytest.approx(-119.822, abs=1e-3)


@given(st.floats(0.1, 500.0), st.floats(1.0, 10.0))
def test_farther_jammer_interferes_less(range_km, factor):
    near = interference_dbw(30.0, 240.0, 240.0, range_km, 11.7, 0.0)
    far = interference_dbw(30.0, 240.0, 240.0, range_km * factor, 11.7, 0.0)
    assert far <= near


def test_radio_horizon():
    # 4/3 Earth: d ≈ 4.12 √h [km, m] per antenna (ITU-R P.834-9 k = 4/3): two 10 m masts → 26.1 km.
    assert radio_horizon_km(10.0, 10.0) == pytest.approx(2 * 4.12 * np.sqrt(10.0), abs=0.05)
    assert radio_horizon_km(0.0, 0.0) == 0.0


def test_active_windows():
    # Jammer 0 on [10, 20) and [30, 40); jammer 1 on [15, 35).
    on = active([5, 10, 15, 20, 35], [10, 30, 15], [20, 40, 35], [0, 0, 1], 2)
    np.testing.assert_array_equal(on, [[0, 0], [1, 0], [1, 1], [0, 1], [1, 0]])


def test_outage_reasons():
    # 0 up, 1 low_sinr (down even without the jammer), 2 jammed (down only with it).
    codes = outage_reason([5, -1, 5, -1], [5, -1, -1, 3])
    np.testing.assert_array_equal(codes, [0, 1, 2, 1])


def test_distance_to_the_jammer_decides_service():
    # A Starlink-like terminal (0.48 m, 60 %, 362.9 K: lifeline.links.budget defaults from
    # references.md#terminal-antenna) receiving 30 dBW per 240 MHz from a satellite 812 km away (550
    # km shell
    # at 40°, references.md#min-elevation), 1 dB implementation loss. Hand check:
    #   G = 10 log10(0.6 (π 0.48 / 0.025623)²) = 33.18 dBi; G/T = 33.18 − 25.60 = 7.58 dB/K;
    #   FSPL(812 km) = 171.99 dB; C/N = 30 − 171.99 − 1 + 7.58 + 228.60 − 83.80 = 9.37 dB;
    #   N = −228.60 + 25.60 + 83.80 = −119.20 dBW.
    # A 40 dBW jammer over the same 240 MHz, at the horizon, 40° off boresight: S.465-6 with
    # D/λ = 18.73: 52 − 12.73 − 25 log 40 = −0.78 dBi. At 5 / 50 / 500 km (FSPL 127.79 / 147.79 /
    # 167.79 dB): I = −88.57 / −108.57 / −128.57 dBW, SINR = −21.3 / −1.6 / 8.9 dB. With the 1 dB
    # margin the lowest MODCOD (QPSK 2/9, −2.85 dB, EN 302 307-2) needs −1.85 dB: jammed at 5 km,
    # down to QPSK 2/9 at 50 km, 8PSK 2/3 (6.62 dB) at 500 km.
    peak = aperture_gain_dbi(0.48, 11.7, 0.6)
    g_t = g_over_t_db_k(peak, 362.9)
    cn = carrier_to_noise_db(30.0, fspl_db(812.0, 11.7), g_t, 240.0, 1.0)
    noise = noise_power_dbw(362.9, 240.0)
    assert cn == pytest.approx(9.37, abs=0.01) and noise == pytest.approx(-119.20, abs=0.01)
    gain_to_jammer = off_axis_gain_dbi(40.0, peak, 0.48, 11.7)
    assert gain_to_jammer == pytest.approx(-0.78, abs=0.01)
    i = interference_dbw(40.0, 240.0, 240.0, np.array([5.0, 50.0, 500.0]), 11.7, gain_to_jammer)
    sinr = sinr_db(cn + noise, noise, i)
    np.testing.assert_allclose(sinr, [-21.26, -1.62, 8.90], atol=0.01)
    clear = select_modcod(TABLE, np.full(3, cn))
    jammed = select_modcod(TABLE, sinr)
    np.testing.assert_array_equal(outage_reason(clear, jammed), [2, 0, 0])
    assert [TABLE.names[int(k)] for k in jammed[1:]] == ["QPSK 2/9", "8PSK 2/3"]
