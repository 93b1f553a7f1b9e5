"""The radio glue (lifeline/radio.py) on synthetic per-step arrays: SINR, MODCOD, sharing in
both directions with the cell's other subscribers, rain and jammers, and the models' checks."""

from datetime import UTC, datetime

import numpy as np
import pytest
from pydantic import ValidationError

from lifeline.config import Jammer, Radio, Rain
from lifeline.constants import SAT_UPLINK_G_OVER_T_DB_K
from lifeline.geo import geodetic_to_ecef_km
from lifeline.kits import get_kit
from lifeline.links.atmosphere import AttenuationTable
from lifeline.links.modcod import load_modcod_table
from lifeline.radio import prepare_radio, radio_columns, rain_rate_mm_h

START = datetime(2022, 5, 11, tzinfo=UTC)
# Azovstal and Kyiv (references.md#sites; Kyiv from the default preset's Wikipedia infobox).
LAT = np.array([47.098, 50.45])
LON = np.array([37.610, 30.5233])
ECEF = geodetic_to_ecef_km(LAT, LON, 0.0)
TABLE = load_modcod_table()
#: 1e-9 dB: the chain is closed-form, only rounding differs.
EXACT_DB = 1e-9


def _table(n_sites: int, rain_db_at_250: float = 0.0, freq_ghz=11.7) -> AttenuationTable:
    """A hand-made attenuation table: no gas, cloud or scintillation; rain attenuation linear
    from 0 dB at 0 mm/h to ``rain_db_at_250`` at 250 mm/h (so 100 mm/h gives 0.4 × that)."""
    el = np.array([5.0, 90.0])
    rate = np.array([0.0, 250.0])
    zero = np.zeros((n_sites, 2))
    event = np.zeros((n_sites, 2, 2))
    event[:, :, 1] = rain_db_at_250
    return AttenuationTable(freq_ghz, 50.0, el, rate, zero, zero, zero, zero, event)


#: An empty cell: no other subscriber shares the beam.
EMPTY = Radio(cell_load=0.0)


def _prep(config=EMPTY, rain=(), jammers=(), demand=(np.inf, np.inf), rain_db_at_250=0.0,
          demand_up=None, kit="standard-actuated"):  # fmt: skip
    """prepare_radio with hand-made tables (no itur)."""
    n = len(demand)
    return prepare_radio(
        config, rain, jammers, LAT[:n], LON[:n], [get_kit(kit)] * n, demand,
        demand if demand_up is None else demand_up, START, 86400.0,
        table=_table(n, rain_db_at_250), table_up=_table(n, rain_db_at_250, 14.25),
    )  # fmt: skip


NO_LINKS = (np.zeros((1, 1), int), np.full((1, 1), -1), np.zeros((1, 1)))  # one empty path


def _run(prep, t_s, sat, el, rng, links=NO_LINKS, n=2, conn=None, decide=None):
    shape = (len(t_s), n)
    return radio_columns(
        prep,
        t_s,
        np.ones(shape, bool) if conn is None else conn,
        np.broadcast_to(sat, shape),
        np.broadcast_to(el, shape),
        np.zeros(shape),
        np.broadcast_to(rng, shape),
        LAT[None, :n],
        LON[None, :n],
        ECEF[None, :n],
        *links,
        decide,
    )


def _by_hand_cn_db(el_deg: float, range_km: float) -> float:
    """Clear-sky Es/N0 with the [radio] defaults, written out term by term (Maral & Bousquet
    §5.6): EIRP density 6.33 dBW/MHz over 240 MHz, scan loss −10 log10 cos(off-nadir), FSPL
    (ITU-R P.525), 1 dB implementation loss, G = 10 log10(0.6 (π D/λ)²) with D = 0.48 m, T = 362.9
    K, noise in the symbol rate 240 / 1.1 Mbaud (references.md#terminal-antenna,
    #del-portillo-budget, #implementation-margin)."""
    r_site = float(np.linalg.norm(ECEF[0]))
    r_sat = np.sqrt(r_site**2 + range_km**2 + 2 * r_site * range_km * np.sin(np.radians(el_deg)))
    eta = np.arcsin(r_site / r_sat * np.cos(np.radians(el_deg)))
    lam = 299_792.458e3 / 11.7e9
    gain = 10 * np.log10(0.6 * (np.pi * 0.48 / lam) ** 2)
    fspl = 20 * np.log10(4 * np.pi * range_km * 1e3 / lam)
    eirp = 6.33 + 10 * np.log10(240.0)
    k_db = 10 * np.log10(1.380649e-23)
    return (eirp + 10 * np.log10(np.cos(eta)) - fspl - 1.0 + gain - 10 * np.log10(362.9)
            - k_db - 10 * np.log10(240e6 / 1.1))  # fmt: skip


def test_clear_sky_sinr_modcod_capacity_by_hand():
    prep = _prep(demand=(np.inf,))
    # 550 km shell seen at 40° from 812 km (references.md#min-elevation).
    out = _run(prep, [0.0], [7], 40.0, 812.0, n=1)
    assert out.sinr_db[0, 0] == pytest.approx(_by_hand_cn_db(40.0, 812.0), abs=EXACT_DB)
    # The best MODCOD whose threshold is below SINR − 1 dB margin (ETSI tables,
    # references.md#dvb-s2-modcod).
    ok = TABLE.es_n0_db <= out.sinr_db[0, 0] - 1.0
    best = np.argmax(np.where(ok, TABLE.bits_per_symbol, -1))
    assert TABLE.bits_per_symbol[out.modcod[0, 0]] == TABLE.bits_per_symbol[best]
    # Alone in its beam and under no link limit, it gets the whole channel: B × bits / 1.1.
    cap = 240.0 * TABLE.bits_per_symbol[best] / 1.1
    assert out.capacity_down_mbps[0, 0] == pytest.approx(cap, rel=1e-12)
    assert out.throughput_down_mbps[0, 0] == pytest.approx(cap, rel=1e-9)
    assert out.outage[0, 0] == 0


def test_demand_caps_throughput():
    out = _run(_prep(demand=(25.0,)), [0.0], [7], 40.0, 812.0, n=1)
    assert out.throughput_down_mbps[0, 0] == pytest.approx(25.0, rel=1e-9)


def test_one_beam_shared_max_min_fair():
    # Two terminals in one cell on one satellite share its beam in time: with capacities c1, c2
    # alone, equal rates x fill it when x/c1 + x/c2 = 1 (Bertsekas & Gallager §6.5.2).
    config = Radio(cell_size_km=2000.0, cell_load=0.0)  # both sites in one cell, no others
    prep = _prep(config)
    assert prep.cell[0] == prep.cell[1]
    out = _run(prep, [0.0], [3], np.array([[60.0, 30.0]]), np.array([[620.0, 1000.0]]))
    c1, c2 = out.capacity_down_mbps[0]
    assert c1 > c2 > 0
    x = 1.0 / (1.0 / c1 + 1.0 / c2)
    np.testing.assert_allclose(out.throughput_down_mbps[0], [x, x], rtol=1e-9)
    # A satellite with one beam for two busy cells hops it: each cell gets half the time.
    hop = _prep(Radio(beams_per_satellite=1, cell_load=0.0))
    assert hop.cell[0] != hop.cell[1]
    out = _run(hop, [0.0], [3], 40.0, 812.0)
    np.testing.assert_allclose(
        out.throughput_down_mbps[0], out.capacity_down_mbps[0] / 2, rtol=1e-9
    )


def test_shared_feeder_and_laser_links():
    # Different satellites, one feeder link of 100 Mbit/s (key 5) on paths 0 and 1: 50 each. At
    # step 1 the second terminal takes path 2, which also crosses a 30 Mbit/s laser link (key 9):
    # its own decision gives it 30 (Bertsekas & Gallager §6.5.2, by hand); the first keeps its 50
    # until its next decision (a slot start), where it gets the 70 left.
    path = np.array([[0, 1], [0, 2], [0, 2]])
    keys = np.array([[5, -1], [5, -1], [5, 9]])
    caps = np.array([[100.0, 0.0], [100.0, 0.0], [100.0, 30.0]])
    out = _run(_prep(), [0.0, 1.0, 2.0], np.array([[1, 2]]), 40.0, 812.0, (path, keys, caps),
               decide=[True, False, True])  # fmt: skip
    np.testing.assert_allclose(
        out.throughput_down_mbps, [[50.0, 50.0], [50.0, 30.0], [70.0, 30.0]], rtol=1e-9
    )


def test_shares_hold_between_decisions():
    # Decided at step 0 (alone in the beam: x = c(t0), the beam fully busy); at step 1 the
    # satellite is lower, so c(t1) < c(t0) and the terminal gets c(t1); at step 2, higher
    # again, it keeps x = c(t0).
    el = np.array([[60.0], [25.0], [80.0]])
    rng = np.array([[620.0], [1120.0], [560.0]])
    out = _run(_prep(demand=(np.inf,)), [0.0, 1.0, 2.0], 7, el, rng, n=1, decide=[1, 0, 0])
    c = out.capacity_down_mbps[:, 0]
    assert c[1] < c[0] <= c[2]
    np.testing.assert_allclose(out.throughput_down_mbps[:, 0], [c[0], c[1], c[0]], rtol=1e-12)
    # Asking for 25 Mbit/s only, the beam is mostly idle: the lower MODCOD still carries 25.
    out = _run(_prep(demand=(25.0,)), [0.0, 1.0, 2.0], 7, el, rng, n=1, decide=[1, 0, 0])
    np.testing.assert_allclose(out.throughput_down_mbps[:, 0], 25.0, rtol=1e-12)


def test_rain_event_lowers_sinr_where_and_when_it_falls():
    # 100 mm/h within 50 km of Azovstal for the first hour; 10 dB at 250 mm/h in the hand-made
    # table → 4 dB of rain fade, plus the sky noise it adds (ITU-R P.618-13 §3).
    rain = Rain(lat_deg=47.1, lon_deg=37.6, radius_km=50.0, rate_mm_h=100.0, end_s=3600.0)
    prep = _prep(rain=(rain,), rain_db_at_250=10.0)
    rate = rain_rate_mm_h(prep, [0.0, 3599.0, 3600.0], LAT[None], LON[None])
    np.testing.assert_array_equal(rate, [[100.0, 0.0], [100.0, 0.0], [0.0, 0.0]])
    out = _run(prep, [0.0, 3600.0], 7, 40.0, 812.0)
    t_sys = 362.9 + 275.0 * (1 - 10 ** (-0.4))
    drop = 4.0 + 10 * np.log10(t_sys / 362.9)
    assert out.sinr_db[1, 0] - out.sinr_db[0, 0] == pytest.approx(drop, abs=EXACT_DB)
    assert out.sinr_db[0, 1] == out.sinr_db[1, 1]  # Kyiv stays dry
    assert out.capacity_down_mbps[0, 0] < out.capacity_down_mbps[1, 0]


def test_jammer_near_terminal_takes_it_out_only_while_on_and_in_range():
    # 40 dBW over 240 MHz, 30 m mast, 5 km east of Azovstal, on for the first hour. Its radio
    # horizon is 4.12 (√30 + √2) ≈ 28 km (ITU-R P.834, k = 4/3); beyond it the smooth-Earth
    # diffraction loss (ITU-R P.526) grows ~2 dB/km, so at Kyiv (~640 km) it is > 1,000 dB
    # and nothing is left; at Azovstal it is ~40 dB above the carrier, so no MODCOD closes.
    jam = Jammer(
        lat_deg=47.098, lon_deg=37.676, alt_m=30.0, eirp_dbw=40.0, bandwidth_mhz=240.0,
        windows=({"end_s": 3600.0},),
    )  # fmt: skip
    prep = _prep(jammers=(jam,))
    out = _run(prep, [0.0, 3600.0], 7, 40.0, 812.0)
    np.testing.assert_array_equal(out.outage, [[2, 0], [0, 0]])  # 2: jammed
    assert out.throughput_down_mbps[0, 0] == 0 and out.modcod[0, 0] == -1
    clear = _run(_prep(), [0.0], 7, 40.0, 812.0)
    np.testing.assert_array_equal(out.sinr_db[1], clear.sinr_db[0])
    assert out.sinr_db[0, 1] == clear.sinr_db[0, 1]


def test_too_far_is_low_sinr_and_disconnected_rows_are_empty():
    prep = _prep()
    conn = np.array([[True, False]])
    out = _run(prep, [0.0], 7, 5.0, 40_000.0, conn=conn)
    assert out.outage[0, 0] == 1 and out.outage[0, 1] == 0  # 1: low_sinr
    assert np.isnan(out.sinr_db[0, 1]) and out.modcod[0, 1] == -1
    assert out.throughput_down_mbps[0].tolist() == [0.0, 0.0]


def test_models_check_their_fields():
    assert Radio().beams_per_satellite == 32
    with pytest.raises(ValidationError, match="250"):
        Rain(lat_deg=47, lon_deg=37, radius_km=10, rate_mm_h=300)
    with pytest.raises(ValidationError, match="uplink"):
        Jammer(lat_deg=47, lon_deg=37, eirp_dbw=40, bandwidth_mhz=240, target="downlink")
    assert Radio(cell_load=[1.0] * 24).cell_load == (1.0,) * 24
    with pytest.raises(ValidationError, match="24 numbers"):
        Radio(cell_load=[1.0] * 23)
    with pytest.raises(ValidationError, match="24 numbers"):
        Radio(cell_load=-1.0)
    with pytest.raises(ValidationError, match="S.580 needs"):
        Radio(antenna_pattern="S.580")
    with pytest.raises(ValidationError):
        Radio(beams=3)
    with pytest.raises(ValidationError, match="after start_s"):
        Rain(lat_deg=47, lon_deg=37, radius_km=10, rate_mm_h=5, start_s=10, end_s=5)


def test_background_users_share_the_beam_both_ways():
    # A kit alone among the run's terminals, with n = 3 others in its cell: max-min fair, each
    # of the four gets a quarter of the beam, down and up (Bertsekas & Gallager §6.5.2).
    alone = _run(_prep(demand=(np.inf,)), [0.0], [7], 40.0, 812.0, n=1)
    loaded = _run(_prep(Radio(cell_load=3.0), demand=(np.inf,)), [0.0], [7], 40.0, 812.0, n=1)
    assert loaded.capacity_down_mbps[0, 0] == alone.capacity_down_mbps[0, 0]
    assert loaded.throughput_down_mbps[0, 0] == pytest.approx(
        alone.capacity_down_mbps[0, 0] / 4, rel=1e-9
    )
    assert loaded.throughput_up_mbps[0, 0] == pytest.approx(
        alone.capacity_up_mbps[0, 0] / 4, rel=1e-9
    )
    # By local hour: 24 values, the hour at Azovstal's longitude (37.61° E: UTC + 2.5 h).
    profile = [0.0] * 24
    profile[2] = 3.0  # 02:00-03:00 local is 23:30-00:30 UTC: the run's first step (00:00 UTC)
    hourly = _run(_prep(Radio(cell_load=profile), demand=(np.inf,)), [0.0, 3600.0], [7], 40.0,
                  812.0, n=1)  # fmt: skip
    np.testing.assert_allclose(
        hourly.throughput_down_mbps[:, 0],
        [alone.capacity_down_mbps[0, 0] / 4, alone.capacity_down_mbps[0, 0]],
        rtol=1e-9,
    )


def test_uplink_by_hand_and_demand_each_way():
    # Uplink Es/N0: EIRP 42.1 dBW (standard-actuated, references.md#terminal-eirp) − scan −
    # FSPL(812 km, 14.25 GHz) − 1 dB + G/T_sat − k − 10 log10(62.5e6 / 1.1).
    out = _run(_prep(demand=(np.inf,)), [0.0], [7], 40.0, 812.0, n=1)
    r_site = float(np.linalg.norm(ECEF[0]))
    r_sat = np.sqrt(r_site**2 + 812.0**2 + 2 * r_site * 812.0 * np.sin(np.radians(40.0)))
    scan = -10 * np.log10(np.cos(np.arcsin(r_site / r_sat * np.cos(np.radians(40.0)))))
    lam = 299_792.458e3 / 14.25e9
    fspl = 20 * np.log10(4 * np.pi * 812e3 / lam)
    es = (42.1 - scan - fspl - 1.0 + SAT_UPLINK_G_OVER_T_DB_K - 10 * np.log10(1.380649e-23)
          - 10 * np.log10(62.5e6 / 1.1))  # fmt: skip
    ok = TABLE.es_n0_db <= es - 1.0
    best = np.max(np.where(ok, TABLE.bits_per_symbol, -1))
    assert out.capacity_up_mbps[0, 0] == pytest.approx(62.5 * best / 1.1, rel=1e-12)
    # Demand caps each direction on its own.
    capped = _run(_prep(demand=(25.0,), demand_up=(3.0,)), [0.0], [7], 40.0, 812.0, n=1)
    assert capped.throughput_down_mbps[0, 0] == pytest.approx(25.0, rel=1e-9)
    assert capped.throughput_up_mbps[0, 0] == pytest.approx(3.0, rel=1e-9)


def test_uplink_jammer_needs_and_uses_the_satellite_g_over_t():
    # A 50 dBW uplink jammer (100 W into a 30 dBi dish) next to Azovstal: refused without the
    # scenario's own satellite G/T; with it (here the calibrated value, set explicitly), the
    # jammer sits in the beam's main lobe: I/N ≈ 17.6 dB against a clear uplink Es/N0 of
    # 8.7 dB, which pushes the uplink below the lowest MODCOD: out, reason "jammed".
    from lifeline.config import scenario_from_dict
    from lifeline.errors import ScenarioError

    jam = dict(lat_deg=47.10, lon_deg=37.62, alt_m=10.0, eirp_dbw=50.0, bandwidth_mhz=62.5,
               target="uplink")  # fmt: skip
    base = {
        "name": "uplink-jammer",
        "time": {"start_utc": "2022-05-11T00:00:00Z", "duration_s": 60, "step_s": 15},
        "constellation": {"preset": "starlink-gen1"},
        "terminals": [{"name": "A", "lat_deg": 47.098, "lon_deg": 37.61}],
        "gateways": [{"name": "G", "lat_deg": 47.0, "lon_deg": 36.0}],
        "pops": [{"name": "P", "lat_deg": 47.0, "lon_deg": 36.0}],
        "jammers": [jam],
    }
    with pytest.raises(ScenarioError, match="sat_uplink_g_over_t_db_k"):
        scenario_from_dict(base)
    radio = Radio(cell_load=0.0, sat_uplink_g_over_t_db_k=SAT_UPLINK_G_OVER_T_DB_K)
    prep = _prep(radio, jammers=(Jammer(**jam),), demand=(np.inf,))
    # The satellite straight overhead (90°, 550 km): the jammer ~1 km away is 0.1° off the beam.
    out = _run(prep, [0.0], [7], 90.0, 550.0, n=1)
    clear = _run(_prep(radio, demand=(np.inf,)), [0.0], [7], 90.0, 550.0, n=1)
    assert clear.outage[0, 0] == 0 and clear.capacity_up_mbps[0, 0] > 0
    assert out.outage[0, 0] == 2 and out.throughput_up_mbps[0, 0] == 0.0
    # The downlink does not hear an uplink jammer.
    assert out.sinr_db[0, 0] == clear.sinr_db[0, 0]
