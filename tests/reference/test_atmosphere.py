"""Atmospheric attenuation against ITU-R's validation examples and references.md#itu-r-models.

Validation values: ITU-R Study Group 3's validation examples, in
``tests/reference/data/itu-r/validation-examples.toml`` with their sheet and row.
"""

import tomllib

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
from tests.reference.authorities import ITU_R

#: ITU-R's sheets give 9–10 digits; itur reproduces them to ~1e-6 dB.
VALEX_TOL_DB = 1e-3
#: references.md#itu-r-models rounds to 0.1 dB (0.01 dB for gas).
PUBLISHED_ROUNDING_DB = 0.05
#: Interpolating the per-site table at 1° and the rain-rate grid must stay well below the
#: models' own accuracy (P.618 quotes ~25–35 % r.m.s. for rain).
INTERPOLATION_TOL_DB = 0.1

AZOVSTAL = (47.098, 37.610)  # references.md#sites

VALEX = tomllib.loads((ITU_R / "validation-examples.toml").read_text(encoding="utf-8"))


def _ids(cases: list[dict]) -> list[str]:
    return [f"{c['sheet']}:{c.get('site', '')}:{c.get('p_pct', c.get('row'))}" for c in cases]


@pytest.mark.parametrize("case", VALEX["p618_13_rain"], ids=_ids(VALEX["p618_13_rain"]))
def test_p618_13_rain_validation(case):
    a = rain_attenuation_db(
        case["lat_deg"], case["lon_deg"], case["freq_ghz"], case["elevation_deg"], case["p_pct"],
        station_height_km=case["station_height_km"],
        polarization_tilt_deg=case["polarization_tilt_deg"],
    )  # fmt: skip
    assert a == pytest.approx(case["attenuation_db"], abs=VALEX_TOL_DB)


@pytest.mark.parametrize("case", VALEX["p838_3_specific_attenuation"])
def test_p838_3_specific_attenuation_validation(case):
    gamma = rain_specific_attenuation_db_km(
        case["rain_rate_mm_h"], case["freq_ghz"], case["elevation_deg"],
        case["polarization_tilt_deg"],
    )  # fmt: skip
    assert gamma == pytest.approx(case["specific_attenuation_db_km"], abs=VALEX_TOL_DB)


@pytest.mark.parametrize("case", VALEX["p676_12_gas"])
def test_p676_12_gas_validation(case):
    a = gaseous_attenuation_db(
        case["freq_ghz"], case["elevation_deg"], case["water_vapour_density_g_m3"],
        case["pressure_hpa"], case["temperature_k"],
        water_vapour_content_kg_m2=case["water_vapour_content_kg_m2"],
        station_height_km=case["station_height_km"],
    )  # fmt: skip
    assert a == pytest.approx(case["attenuation_db"], abs=VALEX_TOL_DB)


@pytest.mark.parametrize("case", VALEX["p840_8_cloud"])
def test_p840_cloud_validation(case):
    a = cloud_attenuation_db(
        case["lat_deg"], case["lon_deg"], case["freq_ghz"], case["elevation_deg"], case["p_pct"]
    )
    assert a == pytest.approx(case["attenuation_db"], abs=VALEX_TOL_DB)


@pytest.mark.parametrize("case", VALEX["p618_13_scintillation"])
def test_p618_13_scintillation_validation(case):
    a = scintillation_db(
        case["lat_deg"], case["lon_deg"], case["freq_ghz"], case["elevation_deg"], case["p_pct"],
        case["antenna_diameter_m"], case["antenna_efficiency"],
    )  # fmt: skip
    assert a == pytest.approx(case["attenuation_db"], abs=VALEX_TOL_DB)


def test_azovstal_values_of_facts():
    # references.md#itu-r-models (itur 0.4.0): Azovstal, 40° elevation, 11.7 GHz: rain 1.3 dB (0.1
    # %) and
    # 4.2 dB (0.01 %); 5.4 dB at 25° (0.01 %); gas 0.14 dB.
    rain = [rain_attenuation_db(*AZOVSTAL, 11.7, el, p) for el, p in
            ((40.0, 0.1), (40.0, 0.01), (25.0, 0.01))]  # fmt: skip
    np.testing.assert_allclose(rain, [1.3, 4.2, 5.4], atol=PUBLISHED_ROUNDING_DB)
    gas = site_gaseous_attenuation_db(*AZOVSTAL, 11.7, 40.0, 1.0)
    assert gas == pytest.approx(0.14, abs=0.005)


def test_rain_event_is_p618_at_that_rate():
    # An event at Azovstal's own R0.01 (27.8 mm/h, references.md#itu-r-models) gives the 0.01 %
    # attenuation.
    a = rain_event_attenuation_db(*AZOVSTAL, 11.7, 40.0, 27.8)
    assert a == pytest.approx(4.2, abs=PUBLISHED_ROUNDING_DB)
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
