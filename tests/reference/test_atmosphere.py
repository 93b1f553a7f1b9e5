"""Atmospheric attenuation against ITU-R's validation examples and FACTS.md §8.

Validation values: ITU-R Study Group 3 validation examples, file CG-3M3J-13-ValEx-Rev5_1.xlsx
(https://www.itu.int/en/ITU-R/study-groups/rsg3/ionotropospheric/), as extracted by ITU-Rpy into
``test/test_data/<rec>/*.csv`` (github.com/inigodelportillo/ITU-Rpy); each test names the sheet
and the row (London 51.5 N −0.14 E; Rome 41.9 N 12.49 E).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeline.links.atmosphere import (
    attenuation_table,
    cloud_attenuation_db,
    gaseous_attenuation_db,
    rain_attenuation_db,
    rain_event_attenuation_db,
    rain_specific_attenuation_db_km,
    scintillation_db,
    site_gaseous_attenuation_db,
    total_attenuation_db,
)
from lifeline.links.budget import (
    carrier_to_noise_db,
    g_over_t_db_k,
    sky_noise_temperature_k,
)

#: ITU-R's sheets give 9–10 digits; itur reproduces them to ~1e-6 dB.
VALEX_TOL_DB = 1e-3
#: FACTS.md §8 rounds to 0.1 dB (0.01 dB for gas).
FACTS_ROUNDING_DB = 0.05
#: Interpolating the per-site table at 1° and the rain-rate grid must stay well below the
#: models' own accuracy (P.618 quotes ~25–35 % r.m.s. for rain).
INTERPOLATION_TOL_DB = 0.1

AZOVSTAL = (47.098, 37.610)  # FACTS.md §7


def test_p618_13_rain_validation():
    # Sheet "P.618-13 A_Rain" (ITURP618-13_A_rain.csv): London, 14.25 GHz, el 31.07699124°,
    # hs 0.031382984 km, τ = 0: p = 1 % → 0.495317069 dB; p = 0.01 % → 6.798072267 dB. Rome,
    # 29 GHz, el 40.232036°, hs 0.046122988 km, p = 0.1 % → 10.73100773 dB.
    london = dict(station_height_km=0.031382984, polarization_tilt_deg=0.0)
    a1 = rain_attenuation_db(51.5, -0.14, 14.25, 31.07699124, 1.0, **london)
    a001 = rain_attenuation_db(51.5, -0.14, 14.25, 31.07699124, 0.01, **london)
    rome = rain_attenuation_db(
        41.9, 12.49, 29.0, 40.232036, 0.1, station_height_km=0.046122988,
        polarization_tilt_deg=0.0,
    )  # fmt: skip
    assert a1 == pytest.approx(0.495317069, abs=VALEX_TOL_DB)
    assert a001 == pytest.approx(6.798072267, abs=VALEX_TOL_DB)
    assert rome == pytest.approx(10.73100773, abs=VALEX_TOL_DB)


def test_p838_3_specific_attenuation_validation():
    # Sheet "P.838-3 Sp.Att" (ITURP838-3_rain_specific_attenuation.csv), first row:
    # R = 26.48052 mm/h, 14.25 GHz, el 31.07699124°, τ = 0 → 1.58130839 dB/km.
    gamma = rain_specific_attenuation_db_km(26.48052, 14.25, 31.07699124, 0.0)
    assert gamma == pytest.approx(1.58130839, abs=VALEX_TOL_DB)


def test_p676_12_gas_validation():
    # Sheet "P.676-12 A_Gas" (ITURP676-12_A_gas.csv), first row: 14.25 GHz, el 31.07699124°,
    # ρ 13.79653679 g/m³, T 283.6108756 K, P 1009.485611798 hPa, V_t 33.72946527 kg/m²,
    # h 0.031382984 km → 0.226874038 dB.
    a = gaseous_attenuation_db(
        14.25, 31.07699124, 13.79653679, 1009.485611798, 283.6108756,
        water_vapour_content_kg_m2=33.72946527, station_height_km=0.031382984,
    )  # fmt: skip
    assert a == pytest.approx(0.226874038, abs=VALEX_TOL_DB)


def test_p840_cloud_validation():
    # Sheet "P.840-8 A_Clouds" (ITURP840-8_cloud_attenuation.csv), first row: London,
    # 14.25 GHz, el 31.07699124°, p = 1 % → 0.45516982 dB (itur 0.4 implements P.840-7, which
    # gives the same value here).
    a = cloud_attenuation_db(51.5, -0.14, 14.25, 31.07699124, 1.0)
    assert a == pytest.approx(0.45516982, abs=VALEX_TOL_DB)


def test_p618_13_scintillation_validation():
    # Sheet "P.618-13 A_Scint" (ITURP618-13_A_sci.csv / A_rain.csv column A_scin), London,
    # 14.25 GHz, el 31.07699124°, p = 1 %, D = 1 m, η = 0.65 → 0.261931889 dB.
    a = scintillation_db(51.5, -0.14, 14.25, 31.07699124, 1.0, 1.0, 0.65)
    assert a == pytest.approx(0.261931889, abs=VALEX_TOL_DB)


def test_azovstal_values_of_facts():
    # FACTS.md §8 (itur 0.4.0): Azovstal, 40° elevation, 11.7 GHz: rain 1.3 dB (0.1 %) and
    # 4.2 dB (0.01 %); 5.4 dB at 25° (0.01 %); gas 0.14 dB.
    rain = [rain_attenuation_db(*AZOVSTAL, 11.7, el, p) for el, p in
            ((40.0, 0.1), (40.0, 0.01), (25.0, 0.01))]  # fmt: skip
    np.testing.assert_allclose(rain, [1.3, 4.2, 5.4], atol=FACTS_ROUNDING_DB)
    gas = site_gaseous_attenuation_db(*AZOVSTAL, 11.7, 40.0, 1.0)
    assert gas == pytest.approx(0.14, abs=0.005)


def test_rain_event_is_p618_at_that_rate():
    # An event at Azovstal's own R0.01 (27.8 mm/h, FACTS.md §8) gives the 0.01 % attenuation.
    a = rain_event_attenuation_db(*AZOVSTAL, 11.7, 40.0, 27.8)
    assert a == pytest.approx(4.2, abs=FACTS_ROUNDING_DB)
    assert rain_event_attenuation_db(*AZOVSTAL, 11.7, 40.0, 0.0) == 0.0


def test_total_combination():
    # P.618-13 §2.5: A_G + √((A_R + A_C)² + A_S²): 0.1 + √(3² + 4²) = 5.1.
    assert total_attenuation_db(0.1, 1.0, 2.0, 4.0) == pytest.approx(5.1, abs=1e-12)


@pytest.fixture(scope="module")
def table():
    # Two sites (Azovstal, Kyiv), user downlink, p = 1 %, the user terminal's 0.48 m aperture.
    return attenuation_table([47.098, 50.45], [37.610, 30.5233], 11.7, 1.0, 0.48, 0.6)


def test_table_interpolation_matches_direct_itur(table):
    # Off-grid elevations and rates against a direct itur evaluation of the same components.
    el = np.array([25.5, 40.3, 63.7, 81.2])
    rate = np.array([27.8, 4.0, 12.5, 170.0])
    direct_rain = rain_event_attenuation_db(*AZOVSTAL, 11.7, el, rate)
    gas = site_gaseous_attenuation_db(*AZOVSTAL, 11.7, el, 1.0)
    cloud = cloud_attenuation_db(*AZOVSTAL, 11.7, el, 1.0)
    scint = scintillation_db(*AZOVSTAL, 11.7, el, 1.0, 0.48, 0.6)
    direct = total_attenuation_db(gas, cloud, direct_rain, scint)
    np.testing.assert_allclose(table.attenuation_db(0, el, rate), direct,
                               atol=INTERPOLATION_TOL_DB)  # fmt: skip
    stat = table.statistical_attenuation_db(0, 40.0)
    expected = total_attenuation_db(
        gas[1:2], cloud[1:2], rain_attenuation_db(*AZOVSTAL, 11.7, 40.0, 1.0), scint[1:2]
    )
    assert stat == pytest.approx(expected[0], abs=INTERPOLATION_TOL_DB)


def test_table_out_of_grid_is_nan(table):
    out = table.attenuation_db(0, [4.0, 40.0], [0.0, 300.0])
    assert np.all(np.isnan(out))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 1), st.floats(25.0, 90.0), st.floats(0.0, 250.0), st.floats(0.0, 250.0))
def test_heavier_rain_never_raises_sinr(table, site, elevation_deg, r1, r2):
    # The property: more rain lowers C (attenuation) and raises N (sky noise,
    # P.618-13 §3), so SINR never rises. Budget: 30 dBW EIRP, 172 dB path, 33.2 dBi, 362.9 K.
    lo, hi = sorted((r1, r2))

    def sinr(rate):
        a = table.attenuation_db(site, elevation_deg, rate)
        t = 362.9 + sky_noise_temperature_k(a)
        return carrier_to_noise_db(30.0, 172.0, g_over_t_db_k(33.2, t), 240.0, a)

    assert sinr(hi) <= sinr(lo) + 1e-12
