"""Every model that takes a place is valid at the edges of its domain: latitude ±90 (the South
Pole station is at -90) and longitude ±180 (the antimeridian), in geo.py, links/ and orbits/.

Expected values come from closed forms on the WGS84 ellipsoid (NIMA TR8350.2: a = 6378.137 km,
1/f = 298.257223563, so the semi-minor axis b = a (1 - f) = 6356.752314245 km) or from the
model's own value a short step inside the edge (a model is continuous there).
"""

from __future__ import annotations

import numpy as np
import pytest

from lifeline.constants import EARTH_MEAN_RADIUS_KM, WGS84_A_KM, WGS84_F
from lifeline.geo import (
    destination_deg,
    enu_basis,
    geodetic_to_ecef_km,
    great_circle_km,
    look_angles,
    travel_times_s,
)
from lifeline.links import atmosphere, budget, capacity, gsl, isl, jamming
from lifeline.orbits import libastro, propagate, walker

WGS84_B_KM = WGS84_A_KM * (1.0 - WGS84_F)  # 6356.752314245 km, NIMA TR8350.2 Table 3.3
ONE_MM_KM = 1e-6
EDGES = [(-90.0, 0.0), (90.0, 0.0), (-90.0, 180.0), (90.0, -180.0), (0.0, 180.0), (0.0, -180.0)]


@pytest.mark.parametrize("lat, lon", EDGES)
def test_geodetic_to_ecef_at_poles_and_antimeridian(lat, lon):
    ecef = geodetic_to_ecef_km(lat, lon, 0.0)
    if abs(lat) == 90:
        # A pole lies on the axis, at the semi-minor axis b, whatever the longitude.
        np.testing.assert_allclose(ecef, [0.0, 0.0, np.sign(lat) * WGS84_B_KM], atol=ONE_MM_KM)
    else:
        # On the equator at ±180°: x = -a.
        np.testing.assert_allclose(ecef, [-WGS84_A_KM, 0.0, 0.0], atol=ONE_MM_KM)


@pytest.mark.parametrize("lat, lon", EDGES)
def test_enu_basis_is_orthonormal_and_up_is_outward(lat, lon):
    basis = enu_basis(lat, lon)
    np.testing.assert_allclose(basis @ basis.T, np.eye(3), atol=1e-12)
    up = basis[2]
    outward = geodetic_to_ecef_km(lat, lon, 0.0)
    assert np.dot(up, outward) / np.linalg.norm(outward) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("lat, lon", EDGES)
def test_look_angles_to_a_satellite_straight_overhead(lat, lon):
    site = geodetic_to_ecef_km(lat, lon, 0.0)
    sat = geodetic_to_ecef_km(lat, lon, 550e3)
    elevation, azimuth, range_km = look_angles(lat, lon, site, sat)
    assert elevation == pytest.approx(90.0, abs=1e-6)  # the ellipsoid normal points at it
    assert range_km == pytest.approx(550.0, abs=ONE_MM_KM)
    assert np.isfinite(azimuth)


def test_great_circle_across_the_antimeridian_and_pole():
    one_degree_km = EARTH_MEAN_RADIUS_KM * np.pi / 180  # arc of 1° on the mean sphere
    assert great_circle_km(0.0, 179.5, 0.0, -179.5) == pytest.approx(one_degree_km, rel=1e-12)
    assert great_circle_km(0.0, 180.0, 0.0, -180.0) == pytest.approx(0.0, abs=ONE_MM_KM)
    # Pole to pole: half a circumference, whatever the longitudes.
    assert great_circle_km(90.0, 37.0, -90.0, -180.0) == pytest.approx(
        np.pi * EARTH_MEAN_RADIUS_KM, rel=1e-12
    )


def test_destination_from_a_pole_and_across_the_antimeridian():
    one_degree_km = EARTH_MEAN_RADIUS_KM * np.pi / 180
    lat, _ = destination_deg(90.0, 0.0, 180.0, one_degree_km)
    assert lat == pytest.approx(89.0, abs=1e-9)  # every way from the North Pole is south
    lat, lon = destination_deg(0.0, 179.5, 90.0, one_degree_km)
    assert lat == pytest.approx(0.0, abs=1e-9)
    assert np.mod(lon + 180.0, 360.0) - 180.0 == pytest.approx(-179.5, abs=1e-9)


def test_travel_times_over_the_pole():
    # 1° of arc from 89.5° N over the pole to 89.5° N on the other side, at 111.19 km/h ≈ 1 h.
    speed_kmh = EARTH_MEAN_RADIUS_KM * np.pi / 180
    t = travel_times_s([89.5, 90.0, 89.5], [0.0, 0.0, 180.0], speed_kmh)
    np.testing.assert_allclose(t, [0.0, 1800.0, 3600.0], rtol=1e-9)


@pytest.mark.parametrize("lat, lon", EDGES)
def test_gsl_sees_a_satellite_overhead(lat, lon):
    site = geodetic_to_ecef_km(lat, lon, 0.0).reshape(1, 3)
    sat = geodetic_to_ecef_km(lat, lon, 550e3).reshape(1, 3)
    sites = gsl.SiteSet.prepare(site, [lat], [lon], [25.0])
    tree = gsl.build_sat_tree(sat, [True])
    pairs = gsl.find_visible(sites, tree, sat, max_altitude_km=600.0)
    assert list(pairs.sat) == [0]
    assert pairs.elevation_deg[0] == pytest.approx(90.0, abs=1e-6)
    assert pairs.range_km[0] == pytest.approx(550.0, abs=ONE_MM_KM)


def test_cell_index_at_the_edges():
    cells = capacity.cell_index(
        [90.0, -90.0, 0.0, 0.0, 45.0], [0.0, 0.0, 180.0, -180.0, 180.0], 25.0
    )
    assert len(set(cells.tolist())) == 4  # ±180 on one parallel is one place: one cell
    assert cells[2] == cells[3]
    # Around a pole the last row is a ring of at most 25 km radius, 2π·25/25 ≈ 6 cells long: a
    # pole's sites at every longitude fall in a handful of cells, not one per longitude.
    lons = np.linspace(-180.0, 180.0, 721)
    for pole in (90.0, -90.0):
        ring = capacity.cell_index(np.full_like(lons, pole), lons, 25.0)
        assert 1 <= len(set(ring.tolist())) <= 6


def test_budget_off_nadir_from_a_pole_site():
    # Straight overhead the satellite looks at nadir, at the pole as anywhere.
    sat_radius_km = WGS84_B_KM + 550.0
    assert budget.off_nadir_deg(90.0, sat_radius_km, WGS84_B_KM) == pytest.approx(0.0, abs=1e-9)


def test_jamming_geometry_between_pole_sites():
    # A jammer 1° of arc from a South-Pole terminal: its free-space range and interference are
    # finite; the same pair across the antimeridian gives the same numbers.
    a = geodetic_to_ecef_km(-90.0, 0.0, 2.0)
    b1 = geodetic_to_ecef_km(-89.0, 180.0, 2.0)
    b2 = geodetic_to_ecef_km(-89.0, -180.0, 2.0)
    r1, r2 = np.linalg.norm(a - b1), np.linalg.norm(a - b2)
    assert r1 == pytest.approx(r2, abs=ONE_MM_KM)
    i = jamming.interference_dbw(30.0, 10.0, 240.0, r1, 11.7, 0.0)
    assert np.isfinite(i)


@pytest.mark.parametrize("lat, lon", EDGES)
def test_libastro_site_at_the_edges(lat, lon):
    site = libastro.libastro_site_km([lat], [lon], 0.0)[0]
    f = libastro.LIBASTRO_FLATTENING
    if abs(lat) == 90:
        polar_km = libastro.LIBASTRO_EARTH_RADIUS_KM * (1.0 - f)  # g2 of GetSitPosition at ±90
        np.testing.assert_allclose(site, [0.0, 0.0, np.sign(lat) * polar_km], atol=1e-6)
    else:
        np.testing.assert_allclose(site, [-libastro.LIBASTRO_EARTH_RADIUS_KM, 0, 0], atol=1e-6)


def test_polar_walker_shell_passes_over_both_poles_with_lasers():
    # Inclination 90°: a satellite at argument of latitude 90° is over the North Pole.
    shell = walker.walker_delta(550.0, 90.0, 4, 4, 1, "2022-08-17T12:00:00Z")
    constellation = propagate.Constellation.from_shells([shell])
    period_s = 2 * np.pi / walker.circular_mean_motion_rad_min(550.0) * 60.0
    times = np.datetime64("2022-08-17T12:00:00", "ns") + np.arange(0, int(period_s), 60).astype(
        "timedelta64[s]"
    )
    r, _, error = propagate.propagate_ecef(constellation.satrecs, times)
    assert not error.any()
    assert np.isfinite(r).all()
    z_over_r = r[..., 2] / np.linalg.norm(r, axis=-1)
    assert z_over_r.max() > np.cos(np.radians(1.0)) and z_over_r.min() < -np.cos(np.radians(1.0))
    edges = isl.plus_grid(constellation.plane, constellation.slot)
    lengths = isl.isl_lengths_km(r[0], edges)
    assert len(edges) == 2 * 4 * 4 and np.isfinite(lengths).all()


SOUTH_POLE_STATION = (-90.0, 0.0)


@pytest.mark.parametrize("lat, lon", [(-90.0, 0.0), (-90.0, 180.0), (90.0, -180.0), (90.0, 0.0)])
def test_atmosphere_is_finite_at_the_poles(lat, lon):
    table = atmosphere.attenuation_table(
        [lat], [lon], 11.7, 1.0, 0.48, 0.6, elevation_grid_deg=[25.0, 90.0]
    )
    for name in ("gas_db", "cloud_db", "scintillation_db", "rain_db", "rain_event_db"):
        assert np.isfinite(getattr(table, name)).all(), name
    # Continuous at the pole: within 1 % of the value 0.1° away (same longitude).
    near = atmosphere.attenuation_table(
        [np.sign(lat) * 89.9], [lon], 11.7, 1.0, 0.48, 0.6, elevation_grid_deg=[25.0, 90.0]
    )
    for name in ("gas_db", "scintillation_db"):
        np.testing.assert_allclose(getattr(table, name), getattr(near, name), rtol=0.01)


def test_atmosphere_same_on_both_sides_of_the_antimeridian():
    a = atmosphere.attenuation_table(
        [45.0], [180.0], 11.7, 1.0, 0.48, 0.6, elevation_grid_deg=[30.0, 40.0]
    )
    b = atmosphere.attenuation_table(
        [45.0], [-180.0], 11.7, 1.0, 0.48, 0.6, elevation_grid_deg=[30.0, 40.0]
    )
    for name in ("gas_db", "cloud_db", "scintillation_db", "rain_db", "rain_event_db"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-12, err_msg=name)


def test_atmosphere_unchanged_away_from_the_poles():
    # The polar fill only replaces NaN: a mid-latitude site keeps itur's own value.
    lat, lon = np.array([47.1, -33.9]), np.array([37.5, 151.2])
    got = atmosphere.scintillation_db(lat, lon, 11.7, 30.0, 1.0, 0.48, 0.6)
    from itur.models import itu618

    raw = itu618.scintillation_attenuation(lat, lon, 11.7, 30.0, 1.0, 0.48, 0.6).value
    np.testing.assert_array_equal(got, raw)
