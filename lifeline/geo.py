"""Ground geometry: WGS84 positions, topocentric look angles, distances on the Earth.

Pure NumPy functions that broadcast over leading axes; positions are Earth-fixed (ECEF/ITRS)
Cartesian vectors in km with xyz on the last axis. No atmospheric refraction anywhere.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.constants import EARTH_MEAN_RADIUS_KM, WGS84_A_KM, WGS84_F

#: First eccentricity squared of the WGS84 ellipsoid, e² = f(2 − f). NIMA TR8350.2
#: (references.md#wgs84).
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)


def geodetic_to_ecef_km(lat_deg: ArrayLike, lon_deg: ArrayLike, alt_m: ArrayLike) -> NDArray:
    """Earth-fixed Cartesian position of geodetic coordinates on the WGS84 ellipsoid.

    Parameters
    ----------
    lat_deg : array_like
        Geodetic latitude [deg], in [-90, 90].
    lon_deg : array_like
        Longitude [deg], east positive.
    alt_m : array_like
        Height above the ellipsoid [m].

    Returns
    -------
    ndarray, shape (..., 3)
        ECEF position [km]; the inputs broadcast to ``...``.

    References
    ----------
    NIMA TR8350.2, "Department of Defense World Geodetic System 1984", 3rd ed., 2000:
    Table 3.1 (a, 1/f) and the geodetic-to-Cartesian relations of its §4.
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    alt_km = np.asarray(alt_m, dtype=float) / 1000.0
    sin_lat = np.sin(lat)
    cos_lat = np.cos(lat)
    # Radius of curvature in the prime vertical, N(φ) = a / sqrt(1 − e² sin²φ).
    n_km = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat**2)
    x = (n_km + alt_km) * cos_lat * np.cos(lon)
    y = (n_km + alt_km) * cos_lat * np.sin(lon)
    z = (n_km * (1.0 - WGS84_E2) + alt_km) * sin_lat
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def enu_basis(lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray:
    """Local east, north and up unit vectors (ellipsoid normal) in ECEF.

    Parameters
    ----------
    lat_deg : array_like
        Geodetic latitude [deg].
    lon_deg : array_like
        Longitude [deg], east positive.

    Returns
    -------
    ndarray, shape (..., 3, 3)
        Rows are east, north, up [unitless], so ``basis @ d`` turns an ECEF vector ``d`` into
        its (east, north, up) components.

    References
    ----------
    B. Hofmann-Wellenhof, H. Lichtenegger, E. Wasle, "GNSS — Global Navigation Satellite
    Systems", Springer, 2008, §10.2.2 (local-level system).
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    lat, lon = np.broadcast_arrays(lat, lon)
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    sin_lon, cos_lon = np.sin(lon), np.cos(lon)
    zero = np.zeros_like(lat)
    east = np.stack([-sin_lon, cos_lon, zero], axis=-1)
    north = np.stack([-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat], axis=-1)
    up = np.stack([cos_lat * cos_lon, cos_lat * sin_lon, sin_lat], axis=-1)
    return np.stack([east, north, up], axis=-2)


def look_angles(
    site_lat_deg: ArrayLike,
    site_lon_deg: ArrayLike,
    site_ecef_km: ArrayLike,
    target_ecef_km: ArrayLike,
) -> tuple[NDArray, NDArray, NDArray]:
    """Elevation, azimuth and range of targets seen from ground sites.

    Elevation is geodetic: measured from the plane normal to the WGS84 ellipsoid at the site.
    Everything broadcasts: e.g. sites ``(N, 1)`` with ``site_ecef_km (N, 1, 3)`` against
    targets ``(1, S, 3)`` give ``(N, S)`` results; flat paired arrays ``(M,)``/``(M, 3)`` give
    ``(M,)``.

    Parameters
    ----------
    site_lat_deg, site_lon_deg : array_like, shape (...)
        Geodetic latitude and longitude of the site [deg]; they define the local vertical.
    site_ecef_km : array_like, shape (..., 3)
        Site position [km], e.g. from :func:`geodetic_to_ecef_km`.
    target_ecef_km : array_like, shape (..., 3)
        Target position in the same Earth-fixed frame [km].

    Returns
    -------
    elevation_deg : ndarray
        Elevation above the local horizontal [deg], in [-90, 90]. No refraction.
    azimuth_deg : ndarray
        Azimuth clockwise from north [deg], in [0, 360); 0 when the target is at the zenith,
        nadir or the site itself.
    range_km : ndarray
        Straight-line distance site–target [km].

    References
    ----------
    B. Hofmann-Wellenhof, H. Lichtenegger, E. Wasle, "GNSS — Global Navigation Satellite
    Systems", Springer, 2008, §10.2.2 (local-level system, azimuth and elevation).
    """
    lat = np.radians(np.asarray(site_lat_deg, dtype=float))
    lon = np.radians(np.asarray(site_lon_deg, dtype=float))
    d = np.asarray(target_ecef_km, dtype=float) - np.asarray(site_ecef_km, dtype=float)
    dx, dy, dz = d[..., 0], d[..., 1], d[..., 2]
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    sin_lon, cos_lon = np.sin(lon), np.cos(lon)
    # Components along the enu_basis rows, written out so no (..., 3, 3) array is built.
    east = -sin_lon * dx + cos_lon * dy
    north = -sin_lat * cos_lon * dx - sin_lat * sin_lon * dy + cos_lat * dz
    up = cos_lat * cos_lon * dx + cos_lat * sin_lon * dy + sin_lat * dz
    return angles_from_enu(east, north, up)


def angles_from_enu(
    east_km: ArrayLike, north_km: ArrayLike, up_km: ArrayLike
) -> tuple[NDArray, NDArray, NDArray]:
    """Elevation, azimuth and range from local east/north/up components of a line of sight.

    Parameters
    ----------
    east_km, north_km, up_km : array_like
        Components of the site→target vector in the site's local-level frame [km]
        (see :func:`enu_basis`).

    Returns
    -------
    elevation_deg, azimuth_deg, range_km : ndarray
        As in :func:`look_angles`.

    References
    ----------
    Hofmann-Wellenhof et al., "GNSS", Springer, 2008, §10.2.2.
    """
    east, north, up = (np.asarray(x, dtype=float) for x in (east_km, north_km, up_km))
    horizontal = np.hypot(east, north)
    elevation_deg = np.degrees(np.arctan2(up, horizontal))
    azimuth_deg = np.mod(np.degrees(np.arctan2(east, north)), 360.0)
    # np.mod(-1e-15, 360) rounds to 360.0; keep the documented half-open interval.
    azimuth_deg = np.where(azimuth_deg >= 360.0, 0.0, azimuth_deg)
    range_km = np.sqrt(horizontal**2 + up**2)
    return elevation_deg, azimuth_deg, range_km


def great_circle_km(
    lat1_deg: ArrayLike,
    lon1_deg: ArrayLike,
    lat2_deg: ArrayLike,
    lon2_deg: ArrayLike,
    earth_radius_km: ArrayLike = EARTH_MEAN_RADIUS_KM,
) -> NDArray:
    """Great-circle distance on a sphere (haversine formula).

    Parameters
    ----------
    lat1_deg, lon1_deg, lat2_deg, lon2_deg : array_like
        Latitudes and longitudes of the two ends [deg]; they broadcast.
    earth_radius_km : array_like, optional
        Sphere radius [km]; default the IUGG mean Earth radius, 6371.0088 km.

    Returns
    -------
    ndarray
        Distance along the sphere [km]. Treating the geodetic latitude as spherical makes the
        result differ from the ellipsoidal geodesic by up to about 0.5 %.

    References
    ----------
    R. W. Sinnott, "Virtues of the Haversine", Sky and Telescope 68(2), p. 159, 1984.
    H. Moritz, "Geodetic Reference System 1980", J. Geodesy 74, 2000 (mean radius R1).
    """
    lat1 = np.radians(np.asarray(lat1_deg, dtype=float))
    lat2 = np.radians(np.asarray(lat2_deg, dtype=float))
    dlat = lat2 - lat1
    dlon = np.radians(np.asarray(lon2_deg, dtype=float) - np.asarray(lon1_deg, dtype=float))
    h = np.sin(dlat / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2.0) ** 2
    # Rounding can push h a hair above 1 for antipodal points.
    return 2.0 * np.asarray(earth_radius_km, dtype=float) * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def destination_deg(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    bearing_deg: ArrayLike,
    distance_km: ArrayLike,
    earth_radius_km: float = EARTH_MEAN_RADIUS_KM,
) -> tuple[NDArray, NDArray]:
    """Where a great circle from a point leads after a distance: the inverse of
    :func:`great_circle_km` on the same sphere.

    Parameters
    ----------
    lat_deg, lon_deg : start [deg]; bearing_deg : initial course, clockwise from north [deg];
    distance_km : along the sphere [km]; they broadcast.

    Returns
    -------
    (lat_deg, lon_deg) of the end point, longitude in [-180, 180) [deg].

    References
    ----------
    E. Williams, "Aviation Formulary V1.47", "Lat/lon given radial and distance":
    lat2 = asin(sin lat1 cos d + cos lat1 sin d cos θ),
    lon2 = lon1 + atan2(sin θ sin d cos lat1, cos d − sin lat1 sin lat2), d = distance / R.
    """
    lat1 = np.radians(np.asarray(lat_deg, dtype=float))
    lon1 = np.radians(np.asarray(lon_deg, dtype=float))
    theta = np.radians(np.asarray(bearing_deg, dtype=float))
    d = np.asarray(distance_km, dtype=float) / earth_radius_km
    lat2 = np.arcsin(
        np.clip(np.sin(lat1) * np.cos(d) + np.cos(lat1) * np.sin(d) * np.cos(theta), -1, 1)
    )
    lon2 = lon1 + np.arctan2(
        np.sin(theta) * np.sin(d) * np.cos(lat1), np.cos(d) - np.sin(lat1) * np.sin(lat2)
    )
    return np.degrees(lat2), (np.degrees(lon2) + 180.0) % 360.0 - 180.0


def max_slant_range_km(
    orbit_altitude_km: ArrayLike,
    min_elevation_deg: ArrayLike,
    earth_radius_km: ArrayLike = EARTH_MEAN_RADIUS_KM,
) -> NDArray:
    """Slant range to a satellite seen at a given elevation, on a spherical Earth.

    ``d = sqrt((R + h)² − R² cos² ε) − R sin ε``: the law of cosines in the triangle Earth
    centre – site – satellite. A satellite at altitude ``h`` seen at elevation ``ε`` or higher
    is never farther than this.

    Parameters
    ----------
    orbit_altitude_km : array_like
        Satellite altitude above the sphere [km], >= 0.
    min_elevation_deg : array_like
        Elevation at the site [deg], in [-90, 90].
    earth_radius_km : array_like, optional
        Sphere radius (the site's distance from the Earth's centre) [km]; default the IUGG
        mean radius.

    Returns
    -------
    ndarray
        Slant range [km]; NaN where the altitude is negative or the elevation is outside
        [-90, 90].

    References
    ----------
    S. Cakaj et al., "The Coverage Analysis for Low Earth Orbiting Satellites at Low
    Elevation", IJACSA 5(6), 2014 (slant range from the Earth-centre triangle).
    """
    h = np.asarray(orbit_altitude_km, dtype=float)
    eps_deg = np.asarray(min_elevation_deg, dtype=float)
    r = np.asarray(earth_radius_km, dtype=float)
    eps = np.radians(eps_deg)
    with np.errstate(invalid="ignore"):
        d = np.sqrt((r + h) ** 2 - (r * np.cos(eps)) ** 2) - r * np.sin(eps)
    return np.where((h >= 0) & (np.abs(eps_deg) <= 90.0), d, np.nan)


def ground_coverage_radius_km(
    orbit_altitude_km: ArrayLike,
    min_elevation_deg: ArrayLike,
    earth_radius_km: ArrayLike = EARTH_MEAN_RADIUS_KM,
) -> NDArray:
    """Ground radius of a satellite's coverage circle (arc length from the sub-satellite point).

    The Earth central angle to the edge of coverage is ``λ = arccos(R cos ε / (R + h)) − ε``;
    the radius is ``R λ``.

    Parameters
    ----------
    orbit_altitude_km : array_like
        Satellite altitude above the sphere [km], >= 0.
    min_elevation_deg : array_like
        Minimum elevation at the edge of coverage [deg], in [0, 90].
    earth_radius_km : array_like, optional
        Sphere radius [km]; default the IUGG mean radius.

    Returns
    -------
    ndarray
        Arc length on the sphere [km]; NaN where the altitude is negative or the elevation is
        outside [0, 90].

    References
    ----------
    J. R. Wertz, W. J. Larson (eds.), "Space Mission Analysis and Design", 3rd ed.,
    Microcosm, 1999, §5.2 (Earth geometry viewed from space).
    """
    h = np.asarray(orbit_altitude_km, dtype=float)
    eps_deg = np.asarray(min_elevation_deg, dtype=float)
    r = np.asarray(earth_radius_km, dtype=float)
    eps = np.radians(eps_deg)
    with np.errstate(invalid="ignore"):
        central_angle = np.arccos(r * np.cos(eps) / (r + h)) - eps
    return np.where((h >= 0) & (eps_deg >= 0) & (eps_deg <= 90.0), r * central_angle, np.nan)


def travel_times_s(
    lat_deg: ArrayLike, lon_deg: ArrayLike, speed_kmh: float, depart_s: float = 0.0
) -> NDArray:
    """When a vehicle moving at a constant speed along great circles reaches each vertex [s].

    Parameters
    ----------
    lat_deg, lon_deg : (n,) vertices of the route [deg], in order.
    speed_kmh : ground speed [km/h], > 0.
    depart_s : time it leaves the first vertex [s].

    Returns
    -------
    (n,) arrival times [s]: ``depart_s + cumulative great-circle distance / speed``.

    References
    ----------
    Great-circle legs by :func:`great_circle_km` (haversine, IUGG mean radius).
    """
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    leg_km = great_circle_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
    return depart_s + np.concatenate([[0.0], np.cumsum(leg_km)]) * 3600.0 / speed_kmh
