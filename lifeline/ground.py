"""Ground from data: which listed gateways and PoPs can serve a set of sites.

A gateway can carry a site's traffic on a bent pipe when one satellite sees both at once. On a
sphere, a satellite at altitude ``h`` is seen at elevation ``ε`` or more from every point within
the central angle ``λ(h, ε) = arccos(R cos ε / (R + h)) − ε`` of the point below it
(:func:`lifeline.geo.ground_coverage_radius_km`), so a site and a gateway can share a satellite
exactly when their great-circle distance is at most ``R λ(h, ε_site) + R λ(h, ε_gateway)``: the
satellite sits on the great circle between them. :func:`gateways_in_reach` tests that for every
(site, gateway) pair at once; with laser links a farther gateway can also serve, but the
bent-pipe set is the one a planner can count on and the one that decides ground outages.

The shipped lists (``lifeline/data/starlink-gateways.csv``, ``starlink-pops.csv``;
``lifeline/data/PROVENANCE.md``) carry no commissioning dates, only the date of each list
(``references.md#gateways-pops``). :func:`auto_ground` keeps the rows listed by the scenario's
date; a scenario older than every list takes the earliest list and says so in its notes, since
that list is the closest evidence there is.

Functions here take plain rows (dicts, as :func:`lifeline.io.sites.read_gateways_csv` returns)
and arrays; nothing reads a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.constants import MIN_ELEVATION_DEG
from lifeline.geo import great_circle_km, ground_coverage_radius_km

__all__ = [
    "GATEWAY_LISTS",
    "POP_LISTS",
    "AutoGround",
    "auto_ground",
    "gateways_in_reach",
    "nearest_index",
    "shared_reach_km",
]

#: Gateway list columns and the date each list was published (the commit that added it;
#: references.md#gateways-pops).
GATEWAY_LISTS = {"listed_2022_12": date(2022, 12, 3), "listed_2024_01": date(2024, 1, 21)}
#: PoP list sources and their dates (references.md#gateways-pops).
POP_LISTS = {"starperf2-pops-2024": date(2024, 1, 21), "starlink-geoip-map-2026": date(2026, 4, 16)}
#: Gateway notes that mean the site carries no user traffic (lifeline/data/PROVENANCE.md,
#: "Starlink gateways", column ``note``).
EXCLUDED_NOTES = ("e-band", "tt&c", "backhaul only", "license pending")
#: A label the list itself marks as unconfirmed ("Possible site: Central Village, JM").
UNCONFIRMED_PREFIX = "possible site"


def shared_reach_km(
    orbit_altitude_km: ArrayLike,
    site_min_elevation_deg: ArrayLike,
    gateway_min_elevation_deg: ArrayLike,
) -> NDArray:
    """Farthest great-circle distance at which a site and a gateway can see one satellite.

    Parameters
    ----------
    orbit_altitude_km : array_like
        Satellite altitude above the sphere [km].
    site_min_elevation_deg, gateway_min_elevation_deg : array_like
        The two elevation masks [deg], in [0, 90].

    Returns
    -------
    ndarray
        ``R (λ_site + λ_gateway)`` [km], broadcasting the inputs; NaN where an input is out of
        range (as :func:`lifeline.geo.ground_coverage_radius_km`).

    References
    ----------
    J. R. Wertz, W. J. Larson (eds.), "Space Mission Analysis and Design", 3rd ed., 1999, §5.2:
    the central angle of a coverage circle from the law of cosines; two circles around the
    sub-satellite point overlap the two sites when the central angles add up to their distance.
    """
    return ground_coverage_radius_km(
        orbit_altitude_km, site_min_elevation_deg
    ) + ground_coverage_radius_km(orbit_altitude_km, gateway_min_elevation_deg)


def gateways_in_reach(
    site_lat_deg: ArrayLike,
    site_lon_deg: ArrayLike,
    site_min_elevation_deg: ArrayLike,
    gateway_lat_deg: ArrayLike,
    gateway_lon_deg: ArrayLike,
    gateway_min_elevation_deg: ArrayLike,
    orbit_altitude_km: float,
) -> NDArray:
    """Which gateways can share a satellite with which sites (bent pipe).

    Parameters
    ----------
    site_lat_deg, site_lon_deg, site_min_elevation_deg : (n,) array_like [deg]
    gateway_lat_deg, gateway_lon_deg, gateway_min_elevation_deg : (g,) array_like [deg]
    orbit_altitude_km : float
        Altitude of the shell [km]; the highest shell gives the widest reach.

    Returns
    -------
    reach : (n, g) bool
        True where the site–gateway distance is at most :func:`shared_reach_km`.
    """

    def column(a: ArrayLike) -> NDArray:
        return np.atleast_1d(np.asarray(a, dtype=float))[:, None]

    def row(a: ArrayLike) -> NDArray:
        return np.atleast_1d(np.asarray(a, dtype=float))[None, :]

    s_lat, s_lon, s_el = column(site_lat_deg), column(site_lon_deg), column(site_min_elevation_deg)
    g_lat, g_lon = row(gateway_lat_deg), row(gateway_lon_deg)
    g_el = row(gateway_min_elevation_deg)
    distance_km = great_circle_km(s_lat, s_lon, g_lat, g_lon)
    return distance_km <= shared_reach_km(orbit_altitude_km, s_el, g_el)


def nearest_index(
    lat_deg: ArrayLike, lon_deg: ArrayLike, to_lat_deg: ArrayLike, to_lon_deg: ArrayLike
) -> NDArray:
    """Index of the nearest of the ``to`` points (great circle) for each point.

    Returns
    -------
    (n,) int
    """
    d = great_circle_km(
        np.atleast_1d(lat_deg)[:, None],
        np.atleast_1d(lon_deg)[:, None],
        np.atleast_1d(to_lat_deg)[None, :],
        np.atleast_1d(to_lon_deg)[None, :],
    )
    return np.argmin(d, axis=1)


@dataclass(frozen=True)
class AutoGround:
    """The ground a scenario gets from the shipped lists.

    Attributes
    ----------
    gateways : list of dict
        Scenario ``[[gateways]]`` tables (``name``, ``lat_deg``, ``lon_deg``,
        ``min_elevation_deg``, ``max_satellites``), nearest to a site first.
    pops : list of dict
        ``[[pops]]`` tables: the nearest listed PoP of each gateway, once each.
    notes : list of str
        What the selection assumed (the list used, rows the date excluded), for the report.
    distance_km : list of float
        Each gateway's distance to its nearest site [km], in the order of ``gateways``.
    """

    gateways: list[dict]
    pops: list[dict]
    notes: list[str] = field(default_factory=list)
    distance_km: list[float] = field(default_factory=list)


def _lists_by(dates: dict[str, date], on: date) -> tuple[list[str], str | None]:
    """The lists published by ``on``; else the earliest, with a note saying so."""
    known = [k for k, d in dates.items() if d <= on]
    if known:
        return known, None
    first = min(dates, key=dates.get)
    return [first], (
        f"no list is older than {on.isoformat()}; the earliest ({first}, "
        f"{dates[first].isoformat()}) is used as the closest evidence"
    )


def _unique_name(name: str, used: set[str]) -> str:
    out, k = name, 2
    while out in used:
        out, k = f"{name} ({k})", k + 1
    used.add(out)
    return out


def auto_ground(
    site_lat_deg: ArrayLike,
    site_lon_deg: ArrayLike,
    site_min_elevation_deg: ArrayLike,
    on: date,
    orbit_altitude_km: float,
    gateway_rows: Sequence[dict],
    pop_rows: Sequence[dict],
) -> AutoGround:
    """Gateways within bent-pipe reach of any site, listed by ``on``, and their PoPs.

    Parameters
    ----------
    site_lat_deg, site_lon_deg, site_min_elevation_deg : (n,) array_like [deg]
    on : datetime.date
        The scenario's start date.
    orbit_altitude_km : float
        Shell altitude [km] (the highest shell of the constellation).
    gateway_rows, pop_rows : sequences of dict
        Rows of the shipped lists (:func:`lifeline.io.sites.read_gateways_csv`,
        :func:`~lifeline.io.sites.read_pops_csv`).

    Returns
    -------
    AutoGround
        Empty ``gateways`` when none is in reach (the caller says so).

    Notes
    -----
    Kept rows are Ka band (or rows of the 2022 list, which has no band), carry user traffic
    (no E-band, TT&C, backhaul-only or licence-pending note) and are not marked by the list as
    a possible site only. A gateway's minimum elevation is
    its listed value, else :data:`lifeline.constants.MIN_ELEVATION_DEG`; its antenna count
    (the list of the chosen date) becomes ``max_satellites``. Rows of one site in both lists
    (within 5 km, PROVENANCE.md) are one row already.
    """
    notes: list[str] = []
    gw_lists, note = _lists_by(GATEWAY_LISTS, on)
    if note:
        notes.append("Gateways: " + note + ".")
    rows = [
        r
        for r in gateway_rows
        if any(r.get(k) for k in gw_lists)
        and r.get("band") in ("Ka", None)
        and not any(n in str(r.get("note") or "").lower() for n in EXCLUDED_NOTES)
        and not str(r.get("name", "")).lower().startswith(UNCONFIRMED_PREFIX)
    ]
    if not rows:
        return AutoGround([], [], notes)
    g_lat = np.array([r["lat_deg"] for r in rows], dtype=float)
    g_lon = np.array([r["lon_deg"] for r in rows], dtype=float)
    g_el = np.array([r.get("min_elevation_deg") or MIN_ELEVATION_DEG for r in rows], dtype=float)
    s_lat = np.atleast_1d(np.asarray(site_lat_deg, dtype=float))
    s_lon = np.atleast_1d(np.asarray(site_lon_deg, dtype=float))
    reach = gateways_in_reach(
        s_lat, s_lon, site_min_elevation_deg, g_lat, g_lon, g_el, orbit_altitude_km
    )
    distance = great_circle_km(s_lat[:, None], s_lon[:, None], g_lat[None, :], g_lon[None, :])
    nearest_km = distance.min(axis=0)
    keep = np.flatnonzero(reach.any(axis=0))
    keep = keep[np.lexsort((np.array([rows[i]["name"] for i in keep]), nearest_km[keep]))]
    antennas_key = "antenna_count_2022_12" if gw_lists == ["listed_2022_12"] else "antenna_count"
    used: set[str] = set()
    gateways = []
    for i in keep:
        r = rows[i]
        antennas = r.get(antennas_key) or r.get("antenna_count")
        table = {
            "name": _unique_name(str(r["name"]), used),
            "lat_deg": float(r["lat_deg"]),
            "lon_deg": float(r["lon_deg"]),
            "min_elevation_deg": float(g_el[i]),
        }
        if antennas:
            table["max_satellites"] = int(antennas)
        gateways.append(table)
    pop_lists, note = _lists_by(POP_LISTS, on)
    if note:
        notes.append("PoPs: " + note + ".")
    pops_listed = [p for p in pop_rows if p.get("source") in pop_lists]
    pops: list[dict] = []
    if gateways and pops_listed:
        p_lat = np.array([p["lat_deg"] for p in pops_listed], dtype=float)
        p_lon = np.array([p["lon_deg"] for p in pops_listed], dtype=float)
        home = nearest_index(g_lat[keep], g_lon[keep], p_lat, p_lon)
        used_pops: set[str] = set()
        for j in dict.fromkeys(home.tolist()):
            p = pops_listed[j]
            pops.append(
                {
                    "name": _unique_name(str(p["name"]), used_pops),
                    "lat_deg": float(p["lat_deg"]),
                    "lon_deg": float(p["lon_deg"]),
                }
            )
    return AutoGround(gateways, pops, notes, [float(x) for x in nearest_km[keep]])
