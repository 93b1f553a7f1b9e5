"""Ground–satellite links: which satellites each ground site sees above its minimum elevation.

One instant at a time. Ground sites do not move, so they are prepared once (:class:`SiteSet`:
a KD-tree over the sites, their local-level bases and search-radius terms); at each instant a
KD-tree over the valid satellites is built and the two trees are joined for all pairs closer than
the largest search radius (the farthest a satellite at or below the altitude limit can be while
above a site's elevation mask). The exact geodetic elevation is then computed for those
candidates only, so no (site × satellite) matrix is ever built.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from lifeline.constants import WGS84_A_KM
from lifeline.geo import enu_basis, max_slant_range_km

#: Added to every search radius so rounding in the tree never drops a pair exactly at the edge.
SEARCH_MARGIN_KM = 1e-3

#: Azimuth bins of a horizon mask: one per degree.
HORIZON_BINS = 360


@dataclass(frozen=True)
class SatTree:
    """A KD-tree over the valid satellites at one instant.

    Attributes
    ----------
    tree : scipy.spatial.cKDTree
        Tree over the valid satellites' ECEF positions [km].
    sat_index : ndarray of int, shape (S_valid,)
        Satellite index (into the original ``(S,)`` arrays) of each tree point.
    max_radius_km : float
        Largest distance of a valid satellite from the Earth's centre [km] (0 if none).
    """

    tree: cKDTree
    sat_index: NDArray[np.intp]
    max_radius_km: float


@dataclass(frozen=True)
class GSLPairs:
    """Visible (site, satellite) pairs, sorted by site, then by descending elevation.

    Attributes
    ----------
    site : ndarray of int, shape (M,)
        Site index.
    sat : ndarray of int, shape (M,)
        Satellite index.
    elevation_deg : ndarray, shape (M,)
        Geodetic elevation of the satellite at the site [deg].
    range_km : ndarray, shape (M,)
        Slant range [km].
    """

    site: NDArray[np.intp]
    sat: NDArray[np.intp]
    elevation_deg: NDArray[np.float64]
    range_km: NDArray[np.float64]


@dataclass(frozen=True)
class SiteSet:
    """Ground sites prepared once for repeated visibility queries.

    Attributes
    ----------
    ecef_km : ndarray, shape (N, 3)
        Site positions [km].
    lat_deg, lon_deg, min_elevation_deg : ndarray, shape (N,)
        Geodetic latitude, longitude and elevation mask [deg].
    up : ndarray, shape (N, 3)
        Local vertical (ellipsoid normal) unit vectors, see :func:`lifeline.geo.enu_basis`.
    sin_min_elevation : ndarray, shape (N,)
        ``sin(min_elevation_deg)``: a target is above the mask iff ``up >= range · sin ε``.
    radius_km : ndarray, shape (N,)
        Geocentric distance of each site [km].
    vertical_offset_deg : ndarray, shape (N,)
        Angle between the ellipsoid normal and the geocentric radius at each site [deg]
        (up to 0.19° at 45° latitude): geodetic and geocentric elevations differ by at most it.
    tree : scipy.spatial.cKDTree or None
        Tree over the site positions (None when there are no sites).
    horizon_deg : ndarray, shape (N, 360), or None
        Obstruction (horizon) mask: the lowest elevation a satellite needs at each site in each
        1-degree azimuth bin ``[b, b + 1)`` from north [deg]; None: no obstruction anywhere.
    east, north : ndarray, shape (N, 3), or None
        Local east and north unit vectors (for azimuths; only with a horizon mask).
    max_range_km : ndarray, shape (N,), or None
        Longest usable slant range of each site [km] (``inf``: no limit), a rule besides the
        elevation mask; None: no site has one.
    """

    ecef_km: NDArray[np.float64]
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    min_elevation_deg: NDArray[np.float64]
    up: NDArray[np.float64]
    sin_min_elevation: NDArray[np.float64]
    radius_km: NDArray[np.float64]
    vertical_offset_deg: NDArray[np.float64]
    tree: cKDTree | None
    horizon_deg: NDArray[np.float64] | None = None
    east: NDArray[np.float64] | None = None
    north: NDArray[np.float64] | None = None
    max_range_km: NDArray[np.float64] | None = None

    @classmethod
    def prepare(
        cls,
        site_ecef_km: ArrayLike,
        site_lat_deg: ArrayLike,
        site_lon_deg: ArrayLike,
        min_elevation_deg: ArrayLike,
        horizon_deg: ArrayLike | None = None,
        max_range_km: ArrayLike | None = None,
    ) -> SiteSet:
        """Precompute what every query needs (shapes as in :func:`visible_pairs`).

        ``horizon_deg`` (N, 360) is an optional obstruction mask and ``max_range_km`` (N,) an
        optional per-site range limit (see the class attributes).
        """
        ecef = np.asarray(site_ecef_km, dtype=float).reshape(-1, 3)
        n = len(ecef)
        lat = np.broadcast_to(np.asarray(site_lat_deg, dtype=float), (n,)).copy()
        lon = np.broadcast_to(np.asarray(site_lon_deg, dtype=float), (n,)).copy()
        eps = np.broadcast_to(np.asarray(min_elevation_deg, dtype=float), (n,)).copy()
        basis = enu_basis(lat, lon).reshape(n, 3, 3)
        up = basis[:, 2]
        if horizon_deg is not None:
            horizon_deg = np.asarray(horizon_deg, dtype=float).reshape(n, HORIZON_BINS)
        radius_km = np.linalg.norm(ecef, axis=-1)
        cos_offset = np.einsum("nj,nj->n", up, ecef) / np.where(radius_km > 0, radius_km, 1.0)
        return cls(
            ecef_km=ecef,
            lat_deg=lat,
            lon_deg=lon,
            min_elevation_deg=eps,
            up=up,
            sin_min_elevation=np.sin(np.radians(eps)),
            radius_km=radius_km,
            vertical_offset_deg=np.degrees(np.arccos(np.clip(cos_offset, -1.0, 1.0))),
            tree=cKDTree(ecef) if n else None,
            horizon_deg=horizon_deg,
            east=None if horizon_deg is None else basis[:, 0],
            north=None if horizon_deg is None else basis[:, 1],
            max_range_km=None
            if max_range_km is None
            else np.broadcast_to(np.asarray(max_range_km, dtype=float), (n,)).copy(),
        )

    def __len__(self) -> int:
        return len(self.ecef_km)

    def take(self, index: ArrayLike) -> SiteSet:
        """The sites at ``index``, prepared."""
        index = np.asarray(index, dtype=np.intp)
        return SiteSet.prepare(
            self.ecef_km[index],
            self.lat_deg[index],
            self.lon_deg[index],
            self.min_elevation_deg[index],
            None if self.horizon_deg is None else self.horizon_deg[index],
            None if self.max_range_km is None else self.max_range_km[index],
        )

    def clear_of_horizon(
        self, site: NDArray[np.intp], d_km: NDArray, elevation_deg: NDArray
    ) -> NDArray[np.bool_]:
        """Which (site, satellite) pairs clear the site's horizon mask.

        Parameters
        ----------
        site : (...) site index; d_km : (..., 3) satellite − site [km];
        elevation_deg : (...) the pairs' elevations [deg].
        """
        if self.horizon_deg is None:
            return np.ones(np.shape(site), dtype=bool)
        assert self.east is not None and self.north is not None
        east = np.einsum("...j,...j->...", self.east[site], d_km)
        north = np.einsum("...j,...j->...", self.north[site], d_km)
        # Azimuth from north, clockwise, in [0, 360): the bin is its integer part.
        azimuth_deg = np.mod(np.degrees(np.arctan2(east, north)), 360.0)
        b = np.minimum(azimuth_deg.astype(np.intp), HORIZON_BINS - 1)
        return elevation_deg >= self.horizon_deg[site, b]

    def search_radius_km(self, max_altitude_km: float) -> NDArray[np.float64]:
        """Per-site search radius [km]; see :func:`search_radius_km`."""
        geocentric_eps_deg = np.clip(self.min_elevation_deg - self.vertical_offset_deg, -90, 90)
        shell_radius_km = WGS84_A_KM + max_altitude_km
        return (
            max_slant_range_km(shell_radius_km - self.radius_km, geocentric_eps_deg, self.radius_km)
            + SEARCH_MARGIN_KM
        )


def build_sat_tree(sat_ecef_km: ArrayLike, sat_valid: ArrayLike) -> SatTree:
    """Build the KD-tree over the valid satellites, to share between several site sets.

    Parameters
    ----------
    sat_ecef_km : array_like, shape (S, 3)
        Satellite positions at one instant [km], Earth-fixed.
    sat_valid : array_like of bool, shape (S,)
        False for satellites to leave out (propagation error, out of band). Satellites with a
        non-finite position are left out too.

    Returns
    -------
    SatTree

    References
    ----------
    S. Maneewongvatana, D. M. Mount, "Analysis of approximate nearest neighbor searching with
    clustered point sets", arXiv cs/9901013, 1999 (the sliding-midpoint kd-tree in SciPy).
    """
    sat_ecef_km = np.asarray(sat_ecef_km, dtype=float).reshape(-1, 3)
    sat_valid = np.asarray(sat_valid, dtype=bool)
    if sat_valid.shape != sat_ecef_km.shape[:1]:
        raise ValueError(
            f"sat_valid has shape {sat_valid.shape}; expected {sat_ecef_km.shape[:1]} "
            "to match sat_ecef_km"
        )
    keep = sat_valid & np.isfinite(sat_ecef_km).all(axis=1)
    sat_index = np.flatnonzero(keep)
    points = sat_ecef_km[sat_index]
    max_radius_km = float(np.linalg.norm(points, axis=1).max()) if len(points) else 0.0
    # An unbalanced, non-compacted tree builds ~30% faster and is queried once per instant.
    tree = cKDTree(points, balanced_tree=False, compact_nodes=False)
    return SatTree(tree=tree, sat_index=sat_index, max_radius_km=max_radius_km)


def search_radius_km(
    site_ecef_km: ArrayLike,
    site_lat_deg: ArrayLike,
    site_lon_deg: ArrayLike,
    min_elevation_deg: ArrayLike,
    max_altitude_km: float,
) -> NDArray:
    """Farthest a satellite can be from a site and still be visible above its mask.

    Satellites are taken to lie within the sphere of radius ``WGS84_A_KM + max_altitude_km``
    about the Earth's centre (true for any altitude up to ``max_altitude_km`` above the WGS84
    ellipsoid or above a smaller sphere). The mask is geodetic, but the law-of-cosines bound
    holds for the elevation measured from the site's geocentric radial direction; the two
    verticals differ by the angle ``δ`` between the ellipsoid normal and the radius vector
    (up to 0.19° at 45° latitude), so a geodetic elevation ``≥ ε`` implies a geocentric one
    ``≥ ε − δ``. The bound is then :func:`lifeline.geo.max_slant_range_km` evaluated with the
    site's own geocentric radius and ``ε − δ``: exact, with no guessed margin.

    Parameters
    ----------
    site_ecef_km : array_like, shape (N, 3)
        Site positions [km].
    site_lat_deg, site_lon_deg : array_like, shape (N,)
        Geodetic latitude and longitude of the sites [deg].
    min_elevation_deg : array_like, shape (N,)
        Elevation mask of each site [deg].
    max_altitude_km : float
        Highest satellite altitude considered [km].

    Returns
    -------
    ndarray, shape (N,)
        Search radius [km], including ``SEARCH_MARGIN_KM``.

    References
    ----------
    S. Cakaj et al., "The Coverage Analysis for Low Earth Orbiting Satellites at Low
    Elevation", IJACSA 5(6), 2014 (slant range from the Earth-centre triangle).
    """
    sites = SiteSet.prepare(site_ecef_km, site_lat_deg, site_lon_deg, min_elevation_deg)
    return sites.search_radius_km(max_altitude_km)


def visible_pairs(
    site_ecef_km: ArrayLike,
    site_lat_deg: ArrayLike,
    site_lon_deg: ArrayLike,
    min_elevation_deg: ArrayLike,
    sat_ecef_km: ArrayLike,
    sat_valid: ArrayLike,
    max_altitude_km: float,
    tree: SatTree | None = None,
    max_range_km: float | None = None,
) -> GSLPairs:
    """All (site, satellite) pairs with the satellite at or above the site's elevation mask.

    Parameters
    ----------
    site_ecef_km : array_like, shape (N, 3)
        Site positions [km], Earth-fixed, consistent with the latitude/longitude.
    site_lat_deg, site_lon_deg : array_like, shape (N,)
        Geodetic latitude and longitude of the sites [deg].
    min_elevation_deg : array_like, shape (N,) or scalar
        Minimum elevation of each site [deg].
    sat_ecef_km : array_like, shape (S, 3)
        Satellite positions at the same instant, same frame [km].
    sat_valid : array_like of bool, shape (S,)
        Satellites that may be used.
    max_altitude_km : float
        No valid satellite is farther than ``WGS84_A_KM + max_altitude_km`` from the Earth's
        centre [km]; bounds the search radius.
    tree : SatTree, optional
        Tree from :func:`build_sat_tree` for these same ``sat_ecef_km``/``sat_valid``, to reuse
        between terminals and gateways at one instant. Built here when omitted.
    max_range_km : float, optional
        Extra upper limit on the slant range [km] (e.g. a maximum GSL length).

    Returns
    -------
    GSLPairs
        Sorted by site, then by descending elevation.

    Raises
    ------
    ValueError
        If shapes disagree, or a valid satellite lies beyond ``WGS84_A_KM + max_altitude_km``
        (it could be missed).

    References
    ----------
    B. Hofmann-Wellenhof, H. Lichtenegger, E. Wasle, "GNSS — Global Navigation Satellite
    Systems", Springer, 2008, §10.2.2 (elevation from the local-level system).
    """
    sites = SiteSet.prepare(site_ecef_km, site_lat_deg, site_lon_deg, min_elevation_deg)
    if tree is None:
        tree = build_sat_tree(sat_ecef_km, sat_valid)
    return find_visible(sites, tree, sat_ecef_km, max_altitude_km, max_range_km)


#: Below this many sites, per-site ball queries beat the tree-to-tree join (measured: 10 sites
#: 0.06 vs 0.33 ms, 100 sites 0.6 vs 0.9 ms, 1,000 sites 6.4 vs 5.0 ms, 4,408 satellites).
_BALL_QUERY_MAX_SITES = 300


def _candidates(
    sites: SiteSet, tree: SatTree, sat_ecef_km: NDArray, radius_km: NDArray
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """(site, satellite, distance_km) for every satellite within its site's search radius."""
    if len(sites) < _BALL_QUERY_MAX_SITES:
        hits = tree.tree.query_ball_point(sites.ecef_km, radius_km)
        counts = np.fromiter(map(len, hits), dtype=np.intp, count=len(sites))
        site = np.repeat(np.arange(len(sites)), counts)
        local = np.fromiter(chain.from_iterable(hits), dtype=np.intp, count=int(counts.sum()))
        sat = tree.sat_index[local]
        distance_km = np.linalg.norm(sat_ecef_km[sat] - sites.ecef_km[site], axis=-1)
        return site, sat, distance_km
    # One join of the two trees at the largest radius returns flat arrays (no Python lists).
    hits = sites.tree.sparse_distance_matrix(
        tree.tree, float(radius_km.max()), output_type="ndarray"
    )
    site = hits["i"].astype(np.intp)
    near = hits["v"] <= radius_km[site]
    return site[near], tree.sat_index[hits["j"][near]], hits["v"][near]


def find_visible(
    sites: SiteSet,
    tree: SatTree,
    sat_ecef_km: ArrayLike,
    max_altitude_km: float,
    max_range_km: float | None = None,
    use_horizon: bool = True,
) -> GSLPairs:
    """:func:`visible_pairs` for prepared sites and a prebuilt satellite tree (the hot path).

    Candidates come from per-site ball queries (few sites) or one join of the two trees
    (``cKDTree.sparse_distance_matrix``, many sites); each is kept if within its own site's
    radius and above its mask (``up / range >= sin ε``), and the elevation is computed for the
    kept pairs only. Sites with a horizon mask (:attr:`SiteSet.horizon_deg`) also drop the
    satellites behind it, unless ``use_horizon`` is False.
    """
    sat_ecef_km = np.asarray(sat_ecef_km, dtype=float).reshape(-1, 3)
    shell_radius_km = WGS84_A_KM + max_altitude_km
    if tree.max_radius_km > shell_radius_km:
        raise ValueError(
            f"a valid satellite is {tree.max_radius_km:.3f} km from the Earth's centre, beyond "
            f"WGS84_A_KM + max_altitude_km = {shell_radius_km:.3f} km; raise max_altitude_km "
            "or mark it invalid"
        )
    if len(sites) == 0 or len(tree.sat_index) == 0:
        empty_i, empty_f = np.zeros(0, dtype=np.intp), np.zeros(0)
        return GSLPairs(empty_i, empty_i.copy(), empty_f, empty_f.copy())

    radius_km = sites.search_radius_km(max_altitude_km)
    if max_range_km is not None:
        radius_km = np.minimum(radius_km, max_range_km + SEARCH_MARGIN_KM)
    if sites.max_range_km is not None:
        radius_km = np.minimum(radius_km, sites.max_range_km + SEARCH_MARGIN_KM)
    site, sat, distance_km = _candidates(sites, tree, sat_ecef_km, radius_km)
    # Only the "up" component is needed: sin(elevation) = up / range. Azimuths are left to
    # lifeline.geo.look_angles for the few pairs that need them (the serving satellites).
    d = sat_ecef_km[sat] - sites.ecef_km[site]
    up = np.einsum("mj,mj->m", sites.up[site], d)
    sin_elevation = up / distance_km
    keep = sin_elevation >= sites.sin_min_elevation[site]
    site, sat, sin_elevation, range_km = (
        site[keep],
        sat[keep],
        sin_elevation[keep],
        distance_km[keep],
    )
    elevation_deg = np.degrees(np.arcsin(np.clip(sin_elevation, -1.0, 1.0)))
    # sin ε >= sin ε_min is the mask test; re-check on the angle as documented, so rounding
    # can never admit a pair the angle says is below the mask.
    keep = elevation_deg >= sites.min_elevation_deg[site]
    if max_range_km is not None:
        keep &= range_km <= max_range_km
    if sites.max_range_km is not None:
        keep &= range_km <= sites.max_range_km[site]
    if use_horizon and sites.horizon_deg is not None:
        keep &= sites.clear_of_horizon(site, sat_ecef_km[sat] - sites.ecef_km[site], elevation_deg)
    site, sat, elevation_deg, range_km = site[keep], sat[keep], elevation_deg[keep], range_km[keep]
    # One float key sorts by site, then by descending elevation (|elevation| <= 90 < 256/2);
    # a single argsort is several times faster than a two-key lexsort.
    order = np.argsort(site * 256.0 - elevation_deg)
    return GSLPairs(
        site=site[order],
        sat=sat[order],
        elevation_deg=elevation_deg[order],
        range_km=range_km[order],
    )


@dataclass(frozen=True)
class SiteView:
    """Every satellite each site sees above its elevation mask at one instant, and whether it
    clears the site's horizon mask: what :func:`lifeline.network.assign.best_of_view` ranks,
    for any ``usable`` set.

    Attributes
    ----------
    n_sites : int
    pairs : GSLPairs
        Sorted by site, then by descending elevation (horizon mask not applied).
    clear : ndarray of bool, shape (M,)
        The pair clears the site's horizon mask (all True without one).
    """

    n_sites: int
    pairs: GSLPairs
    clear: NDArray[np.bool_]

    def take(self, index: NDArray[np.intp]) -> SiteView:
        """The view of the sites ``index`` (in that order, renumbered 0..len-1)."""
        local = np.full(self.n_sites, -1, dtype=np.intp)
        local[index] = np.arange(len(index))
        p = self.pairs
        keep = local[p.site] >= 0
        site = local[p.site[keep]]
        order = np.argsort(site, kind="stable")  # keeps descending elevation within a site
        sub = GSLPairs(
            site[order],
            p.sat[keep][order],
            p.elevation_deg[keep][order],
            p.range_km[keep][order],
        )
        return SiteView(len(index), sub, self.clear[keep][order])


def site_view(
    sites: SiteSet, tree: SatTree, sat_ecef_km: NDArray, max_altitude_km: float
) -> SiteView:
    """:class:`SiteView` of ``sites`` at one instant (arguments as :func:`find_visible`)."""
    pairs = find_visible(sites, tree, sat_ecef_km, max_altitude_km, use_horizon=False)
    d_km = sat_ecef_km[pairs.sat] - sites.ecef_km[pairs.site]
    clear = sites.clear_of_horizon(pairs.site, d_km, pairs.elevation_deg)
    return SiteView(len(sites), pairs, clear)
