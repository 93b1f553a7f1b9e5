"""Gateways in bent-pipe reach of sites, from the shipped lists and the scenario's date."""

from __future__ import annotations

from datetime import date
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from lifeline.geo import destination_deg, great_circle_km
from lifeline.ground import auto_ground, gateways_in_reach, shared_reach_km
from lifeline.io.sites import read_gateways_csv, read_pops_csv

DATA = Path(str(files("lifeline.data")))
GATEWAYS = read_gateways_csv(DATA / "starlink-gateways.csv")
POPS = read_pops_csv(DATA / "starlink-pops.csv")
R_KM = 6371.0088  # IUGG mean radius, as lifeline.geo


def test_shared_reach_from_the_central_angle():
    # Wertz & Larson §5.2: λ = arccos(R cos ε / (R + h)) − ε. At h = 550 km, ε = 25°:
    # arccos(6371.0088 · cos 25° / 6921.0088) = 33.4585°, λ = 8.4585° → 940.5 km per side.
    lam = np.degrees(np.arccos(R_KM * np.cos(np.radians(25)) / (R_KM + 550))) - 25
    assert lam == pytest.approx(8.4585, abs=1e-4)
    assert shared_reach_km(550, 25, 25) == pytest.approx(2 * R_KM * np.radians(lam), rel=1e-12)
    # Lower masks reach farther; a higher shell too.
    assert shared_reach_km(550, 25, 15) > shared_reach_km(550, 25, 25)
    assert shared_reach_km(1200, 25, 25) > shared_reach_km(550, 25, 25)


def test_reach_boundary_is_the_shared_satellite():
    # A gateway just inside the reach sees, with the site, the satellite midway (both at
    # their masks); just outside, no point of the orbit is seen by both.
    reach = shared_reach_km(550, 25, 25)
    lat, lon = destination_deg(-21.14, -175.20, 80.0, np.array([reach - 1, reach + 1]))
    ok = gateways_in_reach([-21.14], [-175.20], [25], lat, lon, [25, 25], 550)
    assert ok.tolist() == [[True, False]]
    # Across the antimeridian the distance is the short way round.
    assert float(great_circle_km(-21.14, -175.20, lat[0], lon[0])) == pytest.approx(reach - 1)


def test_tonga_gets_suva_and_the_auckland_pop():
    # Nuku'alofa to Suva (-18.129, 178.468) is ~743 km (haversine), inside the 25°/15° reach
    # of 2,300.6 km; the New Zealand gateways (Clevedon 1,960 km and farther, with 25° masks:
    # reach 1,881 km) are not; Suva's nearest PoP of the 2024 list is Auckland (~2,150 km,
    # Sydney ~3,160 km).
    g = auto_ground([-21.14], [-175.20], [25], date(2022, 1, 20), 550, GATEWAYS, POPS)
    assert [x["name"] for x in g.gateways] == ["Suva"]
    assert g.gateways[0]["min_elevation_deg"] == 15.0  # the 2022-12 list's value
    assert g.gateways[0]["max_satellites"] == 4  # antenna_count_2022_12
    assert g.distance_km[0] == pytest.approx(743, abs=1)
    assert [p["name"] for p in g.pops] == ["AKL - AKLNZL1"]
    # January 2022 is older than every list: the earliest is used, and the notes say so.
    assert any("2022-12-03" in n for n in g.notes)


def test_newer_date_uses_the_newer_lists():
    g = auto_ground([-21.14], [-175.20], [25], date(2026, 3, 1), 550, GATEWAYS, POPS)
    assert g.gateways[0]["max_satellites"] == 5  # the 2024 list's antenna count
    assert g.notes == []


def test_mariupol_matches_the_hand_made_preset_neighbourhood():
    # PROVENANCE.md: Muallim 951 km, Kaunas 1,288 km, Wola Krobowska 1,309 km, Foggia 1,848
    # km from Mariupol; with 25° masks at 550 km the reach is 1,881.1 km (above), so these four.
    g = auto_ground([47.10], [37.55], [25], date(2022, 5, 11), 550, GATEWAYS, POPS)
    assert [x["name"] for x in g.gateways] == ["Muallim", "Kaunas", "Wola Krobowska", "Foggia"]
    assert [p["name"] for p in g.pops] == ["FRA - FRNTDEU1"]


def test_no_gateway_in_reach_mid_pacific():
    g = auto_ground([-30.0], [-140.0], [25], date(2026, 3, 1), 550, GATEWAYS, POPS)
    assert g.gateways == [] and g.pops == []


def test_excluded_notes_are_not_user_gateways():
    rows = [
        {"name": "A", "lat_deg": 0.0, "lon_deg": 0.0, "band": "Ka", "listed_2022_12": True,
         "note": "TT&C (X1)", "min_elevation_deg": 25.0},
        {"name": "B", "lat_deg": 0.0, "lon_deg": 1.0, "band": "E", "listed_2022_12": True,
         "note": "E-band", "min_elevation_deg": 25.0},
        {"name": "C", "lat_deg": 0.0, "lon_deg": 2.0, "band": None, "listed_2022_12": True,
         "note": None, "min_elevation_deg": None},
    ]  # fmt: skip
    pops = [{"name": "P", "lat_deg": 0.0, "lon_deg": 3.0, "source": "starperf2-pops-2024"}]
    g = auto_ground([0.0], [0.5], [25], date(2023, 1, 1), 550, rows, pops)
    assert [x["name"] for x in g.gateways] == ["C"]
    assert g.gateways[0]["min_elevation_deg"] == 25.0  # the default mask when none is listed


def test_a_possible_site_is_not_a_gateway():
    # The 2024 list's "Possible site: Central Village, JM" (18.02 N, 76.91 W) is unconfirmed;
    # Kingston, Jamaica is 10 km from it.
    g = auto_ground([17.99], [-76.79], [25], date(2026, 3, 1), 550, GATEWAYS, POPS)
    assert g.gateways and not any("Possible" in x["name"] for x in g.gateways)
