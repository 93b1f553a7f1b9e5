"""MODCOD table and selection: ETSI values (references.md#dvb-s2-modcod), dP's rates
(references.md#del-portillo-budget)."""

import csv
import tomllib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifeline.errors import InputFileError
from lifeline.links.modcod import (
    capacity_mbps,
    load_modcod_table,
    select_modcod,
    spectral_efficiency_bps_hz,
)
from tests.reference.authorities import DEL_PORTILLO, ETSI_DIR

TABLE = load_modcod_table()
with (ETSI_DIR / "dvb-s2-modcod.csv").open(encoding="utf-8") as f:
    ETSI = list(csv.DictReader(f))
DP = tomllib.loads((DEL_PORTILLO / "starlink-forward-link.toml").read_text(encoding="utf-8"))
#: dP tabulates rates to 0.1 Mbit/s.
RATE_ROUNDING_MBPS = 0.15


def test_table_rows():
    # references.md#dvb-s2-modcod: 28 DVB-S2 MODCODs (EN 302 307-1 Table 13) + 12 DVB-S2X ones (EN
    # 302 307-2).
    assert len(TABLE) == 40
    for row in ETSI:
        k = TABLE.names.index(row["modcod"])
        assert TABLE.es_n0_db[k] == float(row["ideal_es_n0_db"])
        if row["spectral_efficiency_bit_per_symbol"]:
            assert TABLE.bits_per_symbol[k] == float(row["spectral_efficiency_bit_per_symbol"])
    # The most robust and the most efficient ends of the table.
    assert TABLE.names[0] == "QPSK 2/9" and TABLE.names[-1] == "256APSK 3/4"
    assert np.all(np.diff(TABLE.es_n0_db) >= 0)


@pytest.mark.parametrize("link", ["user_downlink", "gateway_uplink"])
def test_del_portillo_rates(link):
    # dP (tests/reference/data/del-portillo-2019): 16APSK 3/4 → 674.3 Mbit/s per 250 MHz;
    # 256APSK 3/4 → 2,682.1 Mbit/s per 500 MHz; both roll-off 0.1. At exactly the threshold
    # (zero margin, at EN 302 307's ideal Es/N0) the MODCOD closes.
    ref = DP[link]
    (threshold_db,) = [float(r["ideal_es_n0_db"]) for r in ETSI if r["modcod"] == ref["modcod"]]
    k = select_modcod(TABLE, threshold_db, margin_db=0.0)
    assert TABLE.names[int(k)] == ref["modcod"]
    rate = capacity_mbps(TABLE, k, ref["bandwidth_mhz"])
    assert rate == pytest.approx(ref["rate_mbps"], abs=RATE_ROUNDING_MBPS)
    eff = spectral_efficiency_bps_hz(TABLE, k)
    assert eff == pytest.approx(ref["spectral_efficiency_bps_hz"], abs=0.05)


def test_below_lowest_is_down_and_nan_is_down():
    m = select_modcod(TABLE, [-2.86, np.nan, -2.85], margin_db=0.0)
    assert list(m[:2]) == [-1, -1] and TABLE.names[int(m[2])] == "QPSK 2/9"
    assert capacity_mbps(TABLE, m[:2], 240.0).tolist() == [0.0, 0.0]


def test_dominated_modcod_is_skipped():
    # 16APSK 1/2-L (5.97 dB, 1.972253 bit/sym) beats QPSK 8/9 (6.20 dB, 1.766451): at 6.3 dB the
    # best that closes is 16APSK 1/2-L, not the one with the highest threshold.
    m = select_modcod(TABLE, 6.3, margin_db=0.0)
    assert TABLE.names[int(m)] == "16APSK 1/2-L"


@given(st.floats(-10, 30), st.floats(0, 10), st.floats(0, 3))
def test_efficiency_never_falls_with_sinr(sinr_db, more_db, margin_db):
    lo = spectral_efficiency_bps_hz(TABLE, select_modcod(TABLE, sinr_db, margin_db))
    hi = spectral_efficiency_bps_hz(TABLE, select_modcod(TABLE, sinr_db + more_db, margin_db))
    assert hi >= lo


def test_bad_table_names_line_and_column(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "# comment\nmodcod,modulation,code_rate,es_n0_db,bits_per_symbol,standard\n"
        "QPSK 1/2,QPSK,1/2,one,0.99,x\n"
    )
    with pytest.raises(InputFileError) as err:
        load_modcod_table(str(path))
    assert err.value.line == 3 and err.value.column == "es_n0_db" and err.value.value == "one"
    path.write_text("modcod,x\n")
    with pytest.raises(InputFileError) as err:
        load_modcod_table(str(path))
    assert err.value.line == 1


def test_uncongested_terminal_downlink_in_published_range():
    # The default user downlink (lifeline.links.budget constants) for one terminal alone in its
    # beam at 40° elevation on the 550 km shell: 812 km slant range (references.md#min-elevation),
    # clear sky
    # (gas 0.14 dB at Azovstal, references.md#itu-r-models), all of a 240 MHz channel. Hand check:
    #   EIRP 6.33 + 23.80 = 30.13 dBW; off-nadir 44.85° → scan loss 1.49 dB; FSPL 171.99 dB;
    #   G/T 7.58 dB/K; C/N = 30.13 − 171.99 − 1.49 − 0.14 − 1.0 + 7.58 + 228.60 − 83.80 = 7.89 dB;
    #   − 1 dB margin → 8PSK 2/3 (6.62 dB): 1.980636 / 1.1 × 240 = 432 Mbit/s.
    # Published range: Michel et al., IMC 2022 (references.md#measured-throughput): downloads "can
    # exceed
    # 300 Mbit/s" in Belgium, Jan–Apr 2022; Puchol's reading of early tests
    # (references.md#satellite-capacity): peak
    # single user ~700 Mbit/s on a 240 MHz channel.
    from lifeline import constants as k
    from lifeline.constants import WGS84_A_KM
    from lifeline.links import budget as b

    eirp = k.SAT_EIRP_DENSITY_DBW_PER_MHZ + 10 * np.log10(k.USER_CHANNEL_BANDWIDTH_MHZ)
    scan = b.scan_loss_db(b.off_nadir_deg(40.0, WGS84_A_KM + 550.0))
    gain = b.aperture_gain_dbi(
        k.TERMINAL_APERTURE_M, k.USER_DOWNLINK_FREQ_GHZ, k.TERMINAL_APERTURE_EFFICIENCY
    )
    cn = b.carrier_to_noise_db(
        eirp - scan,
        b.fspl_db(812.0, k.USER_DOWNLINK_FREQ_GHZ),
        b.g_over_t_db_k(gain, k.TERMINAL_SYSTEM_TEMPERATURE_K),
        k.USER_CHANNEL_BANDWIDTH_MHZ,
        0.14 + k.IMPLEMENTATION_LOSS_DB,
    )
    assert cn == pytest.approx(7.89, abs=0.02)
    modcod = select_modcod(TABLE, cn)
    rate = capacity_mbps(TABLE, modcod, k.USER_CHANNEL_BANDWIDTH_MHZ)
    assert TABLE.names[int(modcod)] == "8PSK 2/3"
    assert 300.0 <= rate <= 700.0
