"""Tests of lifeline.links.gsl against a dense brute-force computation and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from lifeline.constants import WGS84_A_KM
from lifeline.geo import enu_basis, geodetic_to_ecef_km, look_angles, max_slant_range_km
from lifeline.links.gsl import build_sat_tree, search_radius_km, visible_pairs

MAX_ALTITUDE_KM = 600.0


def random_sats(rng, n, low_km=540.0, high_km=570.0):
    """Points uniform in direction, at 540–570 km over the equatorial radius (Gen1 shells,
    references.md#min-elevation)."""
    u = rng.normal(size=(n, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    return u * (WGS84_A_KM + rng.uniform(low_km, high_km, size=(n, 1)))


def random_sites(rng, n):
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lon = rng.uniform(-180, 180, n)
    alt = rng.uniform(0, 3000, n)
    return lat, lon, geodetic_to_ecef_km(lat, lon, alt)


def dense_pairs(lat, lon, site, eps, sats, valid):
    """Reference: every (site, sat) pair through the dense look-angle grid."""
    el, az, rng_km = look_angles(lat[:, None], lon[:, None], site[:, None], sats[None])
    ok = (el >= np.asarray(eps)[:, None]) & valid[None]
    i, j = np.nonzero(ok)
    order = np.lexsort((-el[i, j], i))
    i, j = i[order], j[order]
    return i, j, el[i, j], az[i, j], rng_km[i, j]


def assert_same(pairs, ref):
    np.testing.assert_array_equal(pairs.site, ref[0])
    np.testing.assert_array_equal(pairs.sat, ref[1])
    np.testing.assert_allclose(pairs.elevation_deg, ref[2], atol=1e-9)
    np.testing.assert_allclose(pairs.range_km, ref[4], atol=1e-9)


def test_matches_dense_brute_force():
    rng = np.random.default_rng(7)
    lat, lon, site = random_sites(rng, 300)
    eps = rng.choice([10.0, 25.0, 40.0], size=300)
    sats = random_sats(rng, 1500)
    valid = rng.random(1500) > 0.1
    pairs = visible_pairs(site, lat, lon, eps, sats, valid, MAX_ALTITUDE_KM)
    ref = dense_pairs(lat, lon, site, eps, sats, valid)
    assert len(ref[0]) > 1000  # the comparison is not vacuous
    assert_same(pairs, ref)
    assert not np.isin(pairs.sat, np.flatnonzero(~valid)).any()


def test_dense_pairs_respect_closed_form_bound():
    # Every satellite seen at ε or higher lies within the search radius (computed from the
    # law of cosines, Cakaj et al. 2014) — checked on the dense grid, independently of the tree.
    rng = np.random.default_rng(3)
    lat, lon, site = random_sites(rng, 400)
    sats = random_sats(rng, 3000, 599.0, 600.0)  # right at the altitude limit: the worst case
    i, _, _, _, rng_km = dense_pairs(lat, lon, site, np.full(400, 25.0), sats, np.ones(3000, bool))
    bound = search_radius_km(site, lat, lon, np.full(400, 25.0), MAX_ALTITUDE_KM)
    assert np.all(rng_km <= bound[i])
    # Sanity against the spherical textbook figure: a 25° mask at 600 km on the mean sphere
    # gives ~1,200 km; the ellipsoid adds at most tens of km.
    assert np.all(bound < max_slant_range_km(600.0 + 25.0, 24.5, 6356.0))


def test_satellites_exactly_at_the_mask_and_altitude_limit_are_found():
    # Place satellites on the limiting sphere at 1e-6 deg above each site's mask, all round
    # the horizon: the geometry where a too-small search radius would drop them.
    lat = np.array([0.0, 30.0, 45.0, 60.0, 89.9, -45.0, 45.0])
    lon = np.array([0.0, 50.0, -120.0, 179.9, 10.0, 180.0, -180.0])
    alt_m = np.array([0.0, 0.0, 0.0, 2000.0, 0.0, 5000.0, -100.0])
    site = geodetic_to_ecef_km(lat, lon, alt_m)
    eps = 25.0 + 1e-6
    az = np.radians(np.arange(0.0, 360.0, 15.0))
    enu = np.stack(
        [np.cos(np.radians(eps)) * np.sin(az), np.cos(np.radians(eps)) * np.cos(az)]
        + [np.full_like(az, np.sin(np.radians(eps)))],
        axis=-1,
    )
    direction = enu @ enu_basis(lat, lon)  # (sites, az, 3) in ECEF
    s_dot_u = np.einsum("nk,nak->na", site, direction)
    shell_km = WGS84_A_KM + MAX_ALTITUDE_KM - 1e-6  # 1 mm inside, clear of rounding
    d = -s_dot_u + np.sqrt(s_dot_u**2 - np.sum(site**2, axis=1)[:, None] + shell_km**2)
    sats = (site[:, None] + d[..., None] * direction).reshape(-1, 3)
    pairs = visible_pairs(site, lat, lon, 25.0, sats, np.ones(len(sats), bool), MAX_ALTITUDE_KM)
    owner = np.repeat(np.arange(len(lat)), len(az))
    for k in range(len(lat)):
        assert set(pairs.sat[pairs.site == k]) >= set(np.flatnonzero(owner == k))


def test_poles_and_antimeridian():
    rng = np.random.default_rng(11)
    lat = np.array([90.0, -90.0, 0.0, 0.0, 65.0])
    lon = np.array([0.0, 0.0, 180.0, -180.0, -179.99])
    site = geodetic_to_ecef_km(lat, lon, 0.0)
    sats = random_sats(rng, 4000)
    valid = np.ones(4000, bool)
    pairs = visible_pairs(site, lat, lon, 25.0, sats, valid, MAX_ALTITUDE_KM)
    assert_same(pairs, dense_pairs(lat, lon, site, np.full(5, 25.0), sats, valid))
    # lon 180 and -180 are the same place.
    np.testing.assert_array_equal(pairs.sat[pairs.site == 2], pairs.sat[pairs.site == 3])


def test_shared_tree_and_max_range():
    rng = np.random.default_rng(5)
    lat, lon, site = random_sites(rng, 100)
    sats = random_sats(rng, 2000)
    valid = np.ones(2000, bool)
    valid[::3] = False
    tree = build_sat_tree(sats, valid)
    a = visible_pairs(site, lat, lon, 25.0, sats, valid, MAX_ALTITUDE_KM)
    b = visible_pairs(site, lat, lon, 25.0, sats, valid, MAX_ALTITUDE_KM, tree=tree)
    assert_same(b, (a.site, a.sat, a.elevation_deg, None, a.range_km))
    capped = visible_pairs(site, lat, lon, 25.0, sats, valid, MAX_ALTITUDE_KM, max_range_km=800.0)
    short = a.range_km <= 800.0
    assert 0 < short.sum() < len(a.site)
    np.testing.assert_array_equal(capped.sat, a.sat[short])
    np.testing.assert_array_equal(capped.site, a.site[short])


def test_invalid_and_non_finite_satellites_never_appear():
    rng = np.random.default_rng(2)
    lat, lon, site = random_sites(rng, 50)
    sats = random_sats(rng, 500)
    sats[::7] = np.nan  # e.g. an SGP4 failure row left marked valid
    valid = rng.random(500) > 0.5
    pairs = visible_pairs(site, lat, lon, 10.0, sats, valid, MAX_ALTITUDE_KM)
    allowed = valid & np.isfinite(sats).all(axis=1)
    assert len(pairs.sat) > 0
    assert allowed[pairs.sat].all()


def test_empty_inputs():
    rng = np.random.default_rng(0)
    lat, lon, site = random_sites(rng, 4)
    sats = random_sats(rng, 10)
    none_valid = visible_pairs(site, lat, lon, 25.0, sats, np.zeros(10, bool), MAX_ALTITUDE_KM)
    assert none_valid.site.shape == (0,) and none_valid.sat.dtype.kind == "i"
    no_sites = visible_pairs(np.empty((0, 3)), [], [], [], sats, np.ones(10, bool), MAX_ALTITUDE_KM)
    assert no_sites.sat.shape == (0,)


def test_satellite_above_altitude_limit_raises():
    sats = np.array([[WGS84_A_KM + 700.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="max_altitude_km"):
        visible_pairs(
            geodetic_to_ecef_km([0.0], [0.0], 0.0), [0.0], [0.0], 25.0, sats, [True], 600.0
        )


@pytest.mark.parametrize("k", [1, 3, 8])
def test_best_visible_equals_brute_force(k):
    """The k-nearest fast path with its elevation bound and fallback gives exactly the
    dense answer: the highest usable satellite above each site's mask."""
    from lifeline.links.gsl import SiteSet
    from lifeline.network.assign import best_visible

    rng = np.random.default_rng(11 + k)
    lat, lon, site = random_sites(rng, 400)
    eps = rng.choice([10.0, 25.0, 40.0], size=400)
    sats = random_sats(rng, 700)  # sparse enough that some sites see nothing usable
    valid = rng.random(700) > 0.05
    usable = rng.random(700) > 0.3
    sites = SiteSet.prepare(site, lat, lon, eps)
    best = best_visible(sites, build_sat_tree(sats, valid), sats, MAX_ALTITUDE_KM, usable, k=k)

    el, _, _ = look_angles(lat[:, None], lon[:, None], site[:, None], sats[None])
    above = (el >= eps[:, None]) & valid[None]
    ranked = np.where(above & usable[None], el, -np.inf)
    expect = np.where(np.isfinite(ranked.max(axis=1)), ranked.argmax(axis=1), -1)
    assert (expect >= 0).sum() > 100 and (expect < 0).sum() > 20  # both cases exercised
    np.testing.assert_array_equal(best.sat, expect)
    np.testing.assert_array_equal(best.sees_any, above.any(axis=1))
    ok = expect >= 0
    np.testing.assert_allclose(best.elevation_deg[ok], ranked.max(axis=1)[ok], atol=1e-9)


def random_horizon(rng, n):
    """Obstruction masks: per site a few walls (sectors of random width and height, like a
    courtyard or a trench) over a clear sky; a quarter of the sites have none."""
    horizon = np.zeros((n, 360))
    for i in range(n):
        if rng.random() < 0.25:
            continue
        for _ in range(rng.integers(1, 5)):
            a0, width = rng.integers(0, 360), rng.integers(10, 200)
            bins = np.arange(a0, a0 + width) % 360
            horizon[i, bins] = np.maximum(horizon[i, bins], rng.uniform(20, 85))
    return horizon


@pytest.mark.parametrize("k", [1, 8])
def test_best_visible_with_horizon_equals_brute_force(k):
    """With obstruction masks, best_visible still equals the dense answer (look_angles'
    azimuth into 1-degree bins), and ``obstructed`` is exactly 'satellites above the elevation
    mask, none clear of the horizon'. The exhaustive form (site_view + best_of_view, what
    sweeps keep between samples) gives the same."""
    from lifeline.links.gsl import SiteSet, find_visible, site_view
    from lifeline.network.assign import best_of_view, best_visible

    rng = np.random.default_rng(5 + k)
    n = 400
    lat, lon, site = random_sites(rng, n)
    eps = rng.choice([10.0, 25.0], size=n)
    sats = random_sats(rng, 900)
    valid = rng.random(900) > 0.05
    usable = rng.random(900) > 0.3
    horizon = random_horizon(rng, n)
    sites = SiteSet.prepare(site, lat, lon, eps, horizon)
    tree = build_sat_tree(sats, valid)
    best = best_visible(sites, tree, sats, MAX_ALTITUDE_KM, usable, k=k)

    el, az, _ = look_angles(lat[:, None], lon[:, None], site[:, None], sats[None])
    above = (el >= eps[:, None]) & valid[None]
    clear = el >= horizon[np.arange(n)[:, None], np.floor(az).astype(int) % 360]
    ranked = np.where(above & clear & usable[None], el, -np.inf)
    expect = np.where(np.isfinite(ranked.max(axis=1)), ranked.argmax(axis=1), -1)
    obstructed = above.any(axis=1) & ~(above & clear).any(axis=1)
    assert obstructed.sum() > 10 and (expect >= 0).sum() > 100  # every case exercised
    np.testing.assert_array_equal(best.sat, expect)
    np.testing.assert_array_equal(best.sees_any, (above & clear).any(axis=1))
    np.testing.assert_array_equal(best.obstructed, obstructed)
    # The kept view of every satellite in sight ranks the same, for any usable set and subset.
    view = site_view(sites, tree, sats, MAX_ALTITUDE_KM)
    for chosen in (view, view.take(np.arange(n)[::-1][: n // 2])):
        index = np.arange(n) if chosen is view else np.arange(n)[::-1][: n // 2]
        again = best_of_view(chosen, usable)
        np.testing.assert_array_equal(again.sat, expect[index])
        np.testing.assert_array_equal(again.sees_any, (above & clear).any(axis=1)[index])
        np.testing.assert_array_equal(again.obstructed, obstructed[index])
    # find_visible drops the pairs behind the mask, and only those.
    pairs = find_visible(sites, tree, sats, MAX_ALTITUDE_KM)
    i, j = np.nonzero(above & clear)
    assert sorted(zip(pairs.site, pairs.sat, strict=True)) == sorted(zip(i, j, strict=True))


@pytest.mark.parametrize("k", [1, 8])
def test_best_visible_with_range_limits_equals_brute_force(k):
    """Per-site range limits (Hypatia-style GSL range rule): the best satellite is the highest
    usable one within range and above the mask, as in the dense computation; find_visible keeps
    exactly the in-range pairs."""
    from lifeline.links.gsl import SiteSet, find_visible
    from lifeline.network.assign import best_visible

    rng = np.random.default_rng(21 + k)
    n = 300
    lat, lon, site = random_sites(rng, n)
    eps = rng.choice([0.0, 10.0, 25.0], size=n)
    limit = rng.choice([800.0, 1100.0, 1500.0, np.inf], size=n)
    sats = random_sats(rng, 800)
    valid = rng.random(800) > 0.05
    usable = rng.random(800) > 0.3
    sites = SiteSet.prepare(site, lat, lon, eps, max_range_km=limit)
    tree = build_sat_tree(sats, valid)
    best = best_visible(sites, tree, sats, MAX_ALTITUDE_KM, usable, k=k)

    el, _, dist = look_angles(lat[:, None], lon[:, None], site[:, None], sats[None])
    ok = (el >= eps[:, None]) & valid[None] & (dist <= limit[:, None])
    ranked = np.where(ok & usable[None], el, -np.inf)
    expect = np.where(np.isfinite(ranked.max(axis=1)), ranked.argmax(axis=1), -1)
    assert (expect >= 0).sum() > 50 and (expect < 0).sum() > 20
    np.testing.assert_array_equal(best.sat, expect)
    np.testing.assert_array_equal(best.sees_any, ok.any(axis=1))
    assert not best.obstructed.any()
    pairs = find_visible(sites, tree, sats, MAX_ALTITUDE_KM)
    i, j = np.nonzero(ok)
    assert sorted(zip(pairs.site, pairs.sat, strict=True)) == sorted(zip(i, j, strict=True))
