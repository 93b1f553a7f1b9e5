"""Serving-satellite assignment: which satellite serves each terminal at one instant.

Starlink's global controller re-plans terminal-to-satellite assignments every 15 s, globally
synchronised (Tanveer et al., CoNEXT Companion 2023; Mohan et al., WWW 2024;
references.md#reconfiguration-interval).
lifeline assigns at each slot start and keeps the assignment for the slot unless the serving
satellite (or its path's feeder link) sets, which triggers a re-assignment at that step.

Policies (``network.serving_policy``; :func:`choose_serving` scores every satellite a terminal
sees above its masks that has a route to a live PoP):

* ``min_rtt`` (the default): the lowest RTT to a live PoP (uplink + route, both ways), with
  hysteresis: a terminal keeps its satellite unless another is :data:`MIN_RTT_HYSTERESIS_MS`
  faster, so the choice does not flap between near-equal satellites. Starlink's controller
  chooses for latency among other things; a blind choice sent Azovstal over 107 laser hops
  where a 2-hop path existed.
* ``max_elevation``: the highest one.
* ``longest_visible``: the one that stays above the terminal's masks longest (asked for by
  Hypatia's users), within :data:`LOOKAHEAD_S`, kept until it sets.

The search for the highest usable satellite (:func:`best_visible`, and :func:`best_of_view`
over a kept :class:`lifeline.links.gsl.SiteView`) is exact; visibility itself (which satellites
a site sees) is :mod:`lifeline.links.gsl`. Outage codes are :data:`lifeline.reasons.REASONS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.links.gsl import SatTree, SiteSet, SiteView, site_view
from lifeline.reasons import (
    REASON_NO_GATEWAY_PATH,
    REASON_NO_SATELLITE,
    REASON_NONE,
    REASON_OBSTRUCTED,
    REASONS,
)


def outage_reason(
    serving_sat: np.ndarray, sees_any: np.ndarray, obstructed: np.ndarray | None = None
) -> np.ndarray:
    """Reason codes (into :data:`REASONS`) for an assignment.

    Parameters
    ----------
    serving_sat : (N,) int, the serving satellite (-1 when none) — under the ``max_elevation``
        policy, :func:`best_visible` with the routable satellites as usable.
    sees_any : (N,) bool, the terminal sees some satellite above its masks.
    obstructed : (N,) bool, optional: it sees satellites above its elevation mask, all behind
        its horizon mask.

    Returns
    -------
    (N,) int8: 0 when served, else ``no_gateway_path`` (satellites in view, none with a route),
    ``obstructed`` or ``no_satellite``.
    """
    unseen = REASONS.index(REASON_NO_SATELLITE)
    if obstructed is not None:
        unseen = np.where(obstructed, REASONS.index(REASON_OBSTRUCTED), unseen)
    return np.where(
        np.asarray(serving_sat) >= 0,
        REASONS.index(REASON_NONE),
        np.where(sees_any, REASONS.index(REASON_NO_GATEWAY_PATH), unseen),
    ).astype(np.int8)


def limit_per_site(pair_site: np.ndarray, max_per_site: np.ndarray) -> np.ndarray:
    """Keep at most ``max_per_site[site]`` pairs per site, the highest ones.

    Used for gateways, whose antennas track a limited number of satellites at once
    (usually 8 dishes per site, references.md#gateway-antennas).

    Parameters
    ----------
    pair_site : (M,) site of each pair, sorted by site, then by descending elevation (as
        :class:`lifeline.links.gsl.GSLPairs` are), so the first pairs of a site are its highest.
    max_per_site : (N,) int.

    Returns
    -------
    (M,) bool mask over the pairs.
    """
    pair_site = np.asarray(pair_site, dtype=np.int64)
    if len(pair_site) == 0:
        return np.zeros(0, dtype=bool)
    starts = np.flatnonzero(np.r_[True, pair_site[1:] != pair_site[:-1]])
    counts = np.diff(np.r_[starts, len(pair_site)])
    rank = np.arange(len(pair_site)) - np.repeat(starts, counts)
    return rank < np.asarray(max_per_site)[pair_site]


@dataclass(frozen=True)
class BestSatellite:
    """Each site's highest usable satellite above its mask.

    Attributes
    ----------
    sat : ndarray of int, shape (N,)
        Satellite index, -1 where no usable satellite is visible.
    elevation_deg : ndarray, shape (N,)
        Its elevation [deg] (NaN where none).
    sees_any : ndarray of bool, shape (N,)
        The site sees at least one satellite above its elevation mask and clear of its horizon
        mask, usable or not.
    obstructed : ndarray of bool, shape (N,)
        The site sees satellites above its elevation mask, but every one is behind its horizon
        mask (always False without a horizon mask).
    """

    sat: NDArray[np.intp]
    elevation_deg: NDArray[np.float64]
    sees_any: NDArray[np.bool_]
    obstructed: NDArray[np.bool_]


def max_elevation_at_range_deg(
    range_km: ArrayLike, site_radius_km: ArrayLike, max_sat_radius_km: float
) -> NDArray[np.float64]:
    """Highest geocentric elevation a satellite at this range can have [deg].

    From the Earth-centre triangle ``r² = ρ² + d² + 2ρd sin ε`` (law of cosines; ρ site radius,
    r satellite radius, d range): ``sin ε = (r² − ρ² − d²) / (2ρd)`` grows with r, so the
    largest satellite radius gives the bound. Decreasing in d.
    """
    d = np.asarray(range_km, dtype=float)
    rho = np.asarray(site_radius_km, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sin_eps = (max_sat_radius_km**2 - rho**2 - d**2) / (2.0 * rho * d)
    return np.degrees(np.arcsin(np.clip(sin_eps, -1.0, 1.0)))


def best_visible(
    sites: SiteSet,
    tree: SatTree,
    sat_ecef_km: ArrayLike,
    max_altitude_km: float,
    usable: ArrayLike,
    k: int = 8,
) -> BestSatellite:
    """Each site's highest satellite above its mask among the ``usable`` ones — exactly.

    Fast path: the ``k`` nearest satellites of every site in one ``cKDTree.query`` (plain
    arrays, no per-site lists), ranked by elevation. The answer is exact when no satellite
    outside those ``k`` could be higher: every other satellite is at least as far as the
    ``k``-th nearest, ``d_k``, and a satellite at range ``d_k`` can be at most
    :func:`max_elevation_at_range_deg` high (geocentric; geodetic differs by at most the site's
    vertical offset). Sites where that bound does not clear the best found elevation (or where
    no usable satellite is among the ``k``) fall back to the full pair search
    (:func:`find_visible`), so the result always equals the brute-force answer.

    Parameters
    ----------
    sites, tree, sat_ecef_km, max_altitude_km : as in :func:`find_visible`.
    usable : array_like of bool, shape (S,)
        Satellites that may serve (e.g. those with a route to a PoP).
    k : int
        Neighbours examined on the fast path.
    """
    sat_ecef_km = np.asarray(sat_ecef_km, dtype=float).reshape(-1, 3)
    usable = np.asarray(usable, dtype=bool)
    n = len(sites)
    best = BestSatellite(
        np.full(n, -1, dtype=np.intp),
        np.full(n, np.nan),
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=bool),
    )
    n_tree = len(tree.sat_index)
    if n == 0 or n_tree == 0:
        return best
    radius_km = sites.search_radius_km(max_altitude_km)
    kk = min(k, n_tree)
    dist_km, idx = tree.tree.query(sites.ecef_km, k=kk, distance_upper_bound=float(radius_km.max()))
    dist_km, idx = dist_km.reshape(n, kk), idx.reshape(n, kk)
    found = idx < n_tree
    sat = tree.sat_index[np.where(found, idx, 0)]
    d = sat_ecef_km[sat] - sites.ecef_km[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        sin_el = np.einsum("nj,nkj->nk", sites.up, d) / dist_km
    elevation_deg = np.degrees(np.arcsin(np.clip(np.where(found, sin_el, -1.0), -1.0, 1.0)))
    above = found & (elevation_deg >= sites.min_elevation_deg[:, None])
    if sites.max_range_km is not None:
        # Out of range counts as not in view at all (a link rule, not an obstruction).
        above &= dist_km <= sites.max_range_km[:, None]
    visible = above
    if sites.horizon_deg is not None:
        visible = above & sites.clear_of_horizon(np.arange(n)[:, None], d, elevation_deg)
    candidate = visible & usable[sat]
    ranked = np.where(candidate, elevation_deg, -np.inf)
    j = np.argmax(ranked, axis=1)
    rows = np.arange(n)
    top = ranked[rows, j]
    has = np.isfinite(top)
    best.sat[has] = sat[rows, j][has]
    best.elevation_deg[has] = top[has]
    best.sees_any[:] = visible.any(axis=1)
    best.obstructed[:] = above.any(axis=1) & ~best.sees_any

    # Exact when fewer than k satellites lie within the search radius (all were examined), or
    # when nothing beyond the k-th nearest can beat the best found.
    all_seen = ~found[:, -1]
    bound_deg = (
        max_elevation_at_range_deg(dist_km[:, -1], sites.radius_km, tree.max_radius_km)
        + sites.vertical_offset_deg
    )
    exact = all_seen | (has & (top > bound_deg))
    redo = np.flatnonzero(~exact)
    if len(redo):
        sub = best_of_view(site_view(sites.take(redo), tree, sat_ecef_km, max_altitude_km), usable)
        best.sat[redo] = sub.sat
        best.elevation_deg[redo] = sub.elevation_deg
        best.sees_any[redo] = sub.sees_any
        best.obstructed[redo] = sub.obstructed
    return best


def best_of_view(view: SiteView, usable: ArrayLike) -> BestSatellite:
    """Each site's highest ``usable`` satellite of a :class:`SiteView` (what
    :func:`best_visible` returns for the same instant: the exhaustive form of its search)."""
    usable = np.asarray(usable, dtype=bool)
    n = view.n_sites
    pairs, clear = view.pairs, view.clear
    best = BestSatellite(
        np.full(n, -1, dtype=np.intp),
        np.full(n, np.nan),
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=bool),
    )
    ok = clear & usable[pairs.sat]
    # Pairs come sorted by site, then descending elevation: the first usable one wins.
    site_ok = pairs.site[ok]
    first = np.r_[True, site_ok[1:] != site_ok[:-1]] if len(site_ok) else site_ok.astype(bool)
    best.sat[site_ok[first]] = pairs.sat[ok][first]
    best.elevation_deg[site_ok[first]] = pairs.elevation_deg[ok][first]
    best.sees_any[pairs.site[clear]] = True
    best.obstructed[pairs.site] = True  # above the elevation mask ...
    best.obstructed[best.sees_any] = False  # ... but none clear of the horizon
    return best


#: Serving policies of ``network.serving_policy``.
SERVING_POLICIES = ("min_rtt", "max_elevation", "longest_visible")

#: How far ahead ``longest_visible`` looks, and at what step [s] (assumption: a 550 km
#: satellite crosses a 25° mask in at most ~5 min, references.md#min-elevation).
LOOKAHEAD_S = 600.0
LOOKAHEAD_STEP_S = 10.0

#: How much lower another satellite's RTT must be before ``min_rtt`` moves a terminal off the
#: satellite it already has [ms] (assumption: about one access-delay band,
#: references.md#access-delay, a difference the terminal's own RTT could not tell apart).
MIN_RTT_HYSTERESIS_MS = 2.0


def choose_serving(
    pair_site: np.ndarray,
    pair_sat: np.ndarray,
    pair_score: np.ndarray,
    usable: np.ndarray,
    n_sites: int,
    previous: np.ndarray | None = None,
    hysteresis: float = 0.0,
) -> np.ndarray:
    """Each site's serving satellite: its usable pair with the lowest score.

    Parameters
    ----------
    pair_site, pair_sat : (M,) int
        Visible (site, satellite) pairs.
    pair_score : (M,) float
        Lower is better, in the policy's unit: RTT [ms] for ``min_rtt``, −elevation [deg]
        for ``max_elevation``, −time left in view [s] for ``longest_visible``.
    usable : (M,) bool
        Pairs that may serve (clear of the horizon mask, satellite working and routable).
    n_sites : int
    previous : (N,) int, optional
        Each site's satellite just before (−1: none). A site keeps it while its pair is usable
        and scores within ``hysteresis`` of the best, so the choice does not flap.
    hysteresis : float
        In the score's unit, >= 0.

    Returns
    -------
    (N,) int: the satellite, −1 where the site has no usable pair. Ties go to the lower
    satellite index.
    """
    ok = np.flatnonzero(np.asarray(usable, dtype=bool))
    site = np.asarray(pair_site, dtype=np.intp)[ok]
    sat = np.asarray(pair_sat, dtype=np.intp)[ok]
    score = np.asarray(pair_score, dtype=float)[ok]
    best_score = np.full(n_sites, np.inf)
    np.minimum.at(best_score, site, score)
    # Among each site's best-scoring pairs, the lowest satellite index.
    none = np.iinfo(np.intp).max
    chosen = np.full(n_sites, none, dtype=np.intp)
    np.minimum.at(chosen, site, np.where(score == best_score[site], sat, none))
    chosen[chosen == none] = -1
    if previous is not None:
        previous = np.asarray(previous, dtype=np.intp)
        stay = (previous[site] == sat) & (score <= best_score[site] + hysteresis)
        chosen[site[stay]] = sat[stay]
    return chosen
    order = ok[np.lexsort((pair_sat[ok], score[ok], pair_site[ok]))]
    site = pair_site[order]
    first = np.r_[True, site[1:] != site[:-1]]
    best = order[first]
    chosen[pair_site[best]] = pair_sat[best]
    if previous is not None:
        best_score = np.full(n_sites, np.inf)
        best_score[pair_site[best]] = score[best]
        previous = np.asarray(previous, dtype=np.intp)
        stay = ok[
            (previous[pair_site[ok]] == pair_sat[ok])
            & (score[ok] <= best_score[pair_site[ok]] + hysteresis)
        ]
        chosen[pair_site[stay]] = pair_sat[stay]
    return chosen
