"""Tests of lifeline.geo against Skyfield, closed forms and published values (references.md)."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skyfield.api import load, wgs84
from skyfield.framelib import itrs
from skyfield.iokit import parse_tle_file

from lifeline.geo import (
    destination_deg,
    enu_basis,
    geodetic_to_ecef_km,
    great_circle_km,
    ground_coverage_radius_km,
    look_angles,
    max_slant_range_km,
)

ONE_MM_KM = 1e-6
ONE_METRE_KM = 1e-3
# references.md computes its geometry values with a round 6371.0 km sphere.
ROUND_SPHERE_KM = 6371.0

# (lat_deg, lon_deg, alt_m): Azovstal (references.md#sites), poles, antimeridian, high site
SITES = [
    (47.098, 37.610, 10.0),
    (89.999, 0.0, 0.0),
    (-89.5, 123.0, 2800.0),
    (0.0, 180.0, 0.0),
    (-33.9, -70.7, 520.0),
    (64.8, -147.7, 4500.0),
]


def test_geodetic_to_ecef_matches_skyfield_wgs84():
    lat, lon, alt = (np.array(c) for c in zip(*SITES, strict=True))
    ours = geodetic_to_ecef_km(lat, lon, alt)
    ref = np.array([wgs84.latlon(a, b, elevation_m=c).itrs_xyz.km for a, b, c in SITES])
    np.testing.assert_allclose(ours, ref, rtol=0, atol=ONE_MM_KM)


def test_geodetic_to_ecef_closed_forms():
    # Equator: x = a; pole: z = b = a(1 − f). NIMA TR8350.2 Table 3.1 / 3.3.
    np.testing.assert_allclose(geodetic_to_ecef_km(0, 0, 0), [6378.137, 0, 0], atol=ONE_MM_KM)
    np.testing.assert_allclose(
        geodetic_to_ecef_km(90, 0, 1000.0), [0, 0, 6356.7523142 + 1.0], atol=ONE_MM_KM
    )


def test_look_angles_match_skyfield_altaz_for_real_starlink():
    """Only the topocentric transform is compared.

    Skyfield's ``(sat - topos).at(t).altaz()`` forms the difference vector in GCRS and rotates
    it with the topos's ITRS rotation followed by its geodetic latitude/longitude rotation. We
    feed ``look_angles`` both ends in that same ITRS frame (``frame_xyz(itrs)``; built-in
    timescale, no polar-motion table, so ITRS here is Skyfield's PEF-like frame). Whatever
    Earth-orientation model Skyfield uses cancels: the test checks geometry, not frames.
    """
    ts = load.timescale(builtin=True)
    path = files("lifeline.data") / "starlink-2022-08-17.tle"
    with path.open("rb") as f:
        sats = list(parse_tle_file(f, ts))[::300]  # ~10 satellites spread over the file
    t = ts.utc(2022, 8, 17, 12, np.arange(0, 100, 7.0))
    for lat, lon, alt in SITES:
        topos = wgs84.latlon(lat, lon, elevation_m=alt)
        site_km = topos.itrs_xyz.km
        for sat in sats:
            alt_ref, az_ref, dist_ref = (sat - topos).at(t).altaz()
            target_km = sat.at(t).frame_xyz(itrs).km.T  # (T, 3)
            elevation_deg, azimuth_deg, range_km = look_angles(lat, lon, site_km, target_km)
            np.testing.assert_allclose(elevation_deg, alt_ref.degrees, atol=1e-3)
            az_diff = (azimuth_deg - az_ref.degrees + 180.0) % 360.0 - 180.0
            # Azimuth is ill-defined at the zenith; all these targets are far from it.
            np.testing.assert_allclose(az_diff, 0.0, atol=1e-3)
            np.testing.assert_allclose(range_km, dist_ref.km, atol=ONE_METRE_KM)


def test_look_angles_cardinal_directions():
    site = geodetic_to_ecef_km(0.0, 0.0, 0.0)
    # At (0, 0) east = +y, north = +z, up = +x (enu_basis rows).
    np.testing.assert_allclose(enu_basis(0.0, 0.0), np.eye(3)[[1, 2, 0]], atol=1e-15)
    targets = site + np.array([[0, 0, 100.0], [0, 100.0, 0], [0, 0, -100.0], [100.0, 0, 0]])
    el, az, rng = look_angles(0.0, 0.0, site, targets)
    np.testing.assert_allclose(el, [0, 0, 0, 90], atol=1e-12)
    np.testing.assert_allclose(az, [0, 90, 180, 0], atol=1e-12)
    np.testing.assert_allclose(rng, 100.0, atol=1e-12)


def test_look_angles_broadcast_grid_equals_flat_pairs():
    rng = np.random.default_rng(1)
    lat = rng.uniform(-90, 90, 5)
    lon = rng.uniform(-180, 180, 5)
    site = geodetic_to_ecef_km(lat, lon, 0.0)
    sats = rng.normal(size=(7, 3))
    sats *= 6928.0 / np.linalg.norm(sats, axis=1, keepdims=True)
    grid = look_angles(lat[:, None], lon[:, None], site[:, None, :], sats[None, :, :])
    i, j = np.meshgrid(np.arange(5), np.arange(7), indexing="ij")
    flat = look_angles(lat[i.ravel()], lon[i.ravel()], site[i.ravel()], sats[j.ravel()])
    for g, f in zip(grid, flat, strict=True):
        assert g.shape == (5, 7)
        np.testing.assert_array_equal(g.ravel(), f)


def test_max_slant_range_facts_section_1():
    # references.md#min-elevation: slant range at 550 km, 25° / 40° / 90°: 1,123 / 812 / 550 km.
    got = max_slant_range_km(550.0, np.array([25.0, 40.0, 90.0]), ROUND_SPHERE_KM)
    np.testing.assert_allclose(got, [1123.0, 812.0, 550.0], atol=1.0)


def test_max_slant_range_out_of_domain_is_nan():
    assert np.isnan(max_slant_range_km(-1.0, 25.0))
    assert np.isnan(max_slant_range_km(550.0, 91.0))


def test_coverage_radius_facts_section_1():
    # references.md#min-elevation: coverage radius, 550 km, 25°: 940.5 km (R = 6371.0).
    got = ground_coverage_radius_km(550.0, 25.0, ROUND_SPHERE_KM)
    assert got == pytest.approx(940.5, abs=0.1)
    assert np.isnan(ground_coverage_radius_km(550.0, -5.0))


def test_coverage_radius_consistent_with_slant_range():
    # The coverage edge is the point at the maximum slant range: the chord to it follows from
    # the triangle R, R + h, d, and the arc must be R · central angle of that chord.
    h, eps, r = 550.0, np.array([10.0, 25.0, 40.0]), ROUND_SPHERE_KM
    d = max_slant_range_km(h, eps, r)
    central = np.arccos((r**2 + (r + h) ** 2 - d**2) / (2 * r * (r + h)))
    np.testing.assert_allclose(ground_coverage_radius_km(h, eps, r), r * central, rtol=1e-12)


@pytest.mark.parametrize(
    ("lat", "lon", "expected_km"),
    [  # references.md#gateways-pops: distances from Azovstal (haversine, R = 6371.0 km)
        (40.78875, 29.50939, 954.0),  # Muallim
        (54.87947, 23.84173, 1291.0),  # Kaunas
        (51.86417, 20.92105, 1313.0),  # Wola Krobowska
    ],
)
def test_great_circle_facts_section_7(lat, lon, expected_km):
    got = great_circle_km(47.098, 37.610, lat, lon, ROUND_SPHERE_KM)
    assert got == pytest.approx(expected_km, abs=0.5)
    # The default IUGG radius differs from 6371.0 km by 8.8 m, i.e. 1.4e-6 relative.
    assert great_circle_km(47.098, 37.610, lat, lon) == pytest.approx(got, rel=2e-6)


def test_great_circle_antipodes_and_identity():
    assert great_circle_km(10.0, 20.0, -10.0, -160.0) == pytest.approx(np.pi * 6371.0088)
    assert great_circle_km(10.0, 20.0, 10.0, 20.0) == 0.0


def test_destination_known_route_and_round_trip():
    """Williams' worked example (Aviation Formulary V1.47, "Lat/lon given radial and distance"
    is the inverse of his LAX-JFK distance example): from LAX (33°57' N, 118°24' W) along the
    initial course to JFK (66.0°) for the LAX-JFK distance (2,144 nm on a 1-minute-of-arc
    sphere), one lands on JFK (40°38' N, 73°47' W) within a few km."""
    nm = 1.852
    radius = 180 * 60 * nm / np.pi
    lat, lon = destination_deg(33 + 57 / 60, -(118 + 24 / 60), 66.0, 2144 * nm, radius)
    assert great_circle_km(lat, lon, 40 + 38 / 60, -(73 + 47 / 60), radius) < 10.0
    # Round trip: the distance back is what was travelled, for any bearing.
    rng = np.random.default_rng(3)
    lat0, lon0 = rng.uniform(-80, 80, 200), rng.uniform(-180, 180, 200)
    bearing, dist = rng.uniform(0, 360, 200), rng.uniform(0, 5000, 200)
    lat1, lon1 = destination_deg(lat0, lon0, bearing, dist)
    np.testing.assert_allclose(great_circle_km(lat0, lon0, lat1, lon1), dist, atol=1e-6)
    assert np.all((lon1 >= -180) & (lon1 < 180))


latitudes = st.floats(-90, 90)
longitudes = st.floats(-180, 180)
altitudes_m = st.floats(-400, 9000)
targets = arrays(float, 3, elements=st.floats(-5e4, 5e4))


@given(latitudes, longitudes, altitudes_m, latitudes, longitudes, altitudes_m)
def test_range_is_symmetric(lat1, lon1, alt1, lat2, lon2, alt2):
    p1 = geodetic_to_ecef_km(lat1, lon1, alt1)
    p2 = geodetic_to_ecef_km(lat2, lon2, alt2)
    _, _, r12 = look_angles(lat1, lon1, p1, p2)
    _, _, r21 = look_angles(lat2, lon2, p2, p1)
    assert abs(r12 - r21) < ONE_MM_KM


@given(latitudes, longitudes, altitudes_m, targets)
def test_angles_stay_in_range(lat, lon, alt, target):
    el, az, rng = look_angles(lat, lon, geodetic_to_ecef_km(lat, lon, alt), target)
    assert -90.0 <= el <= 90.0
    assert 0.0 <= az < 360.0
    assert rng >= 0.0
