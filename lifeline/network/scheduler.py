"""Serving-satellite assignment for one scheduling slot.

Starlink's global controller re-plans terminal-to-satellite assignments every 15 s, globally
synchronised (Tanveer et al., CoNEXT Companion 2023; Mohan et al., WWW 2024;
references.md#reconfiguration-interval).
lifeline assigns at each slot start and keeps the assignment for the slot unless the serving
satellite (or its path's feeder link) sets, which triggers a re-assignment at that step.

Policy ``max_elevation`` (the default): among the satellites a terminal sees above its minimum
elevation, the highest one that has a route to a PoP.

Outage causes, the ``reason`` column (:data:`REASONS`, codes are indices into it and stable):

==================== =========================================================================
``no_satellite``     no satellite above the terminal's elevation mask
``no_gateway_path``  satellites in view, none with a route to a live PoP
``ground_down``      as ``no_gateway_path``, but with the gateways and PoPs that events took
                     down there would have been a route (gateway/PoP outage, ground loss)
``satellite_failed`` every satellite in view has failed (a ``satellite_failure`` event)
``no_power``         the terminal has no power (a ``power_loss`` event)
``obstructed``       satellites above the elevation mask, all behind the terminal's horizon
                     mask (``terminals[].horizon_deg``)
``low_sinr``         a path, but its user downlink SINR is below the lowest MODCOD even without
                     jammers (rain, low elevation; :mod:`lifeline.radio`)
``jammed``           as ``low_sinr``, but only because of a ``[[jammers]]`` transmitter
==================== =========================================================================
"""

from __future__ import annotations

import numpy as np

from lifeline.links.jamming import REASON_JAMMED, REASON_LOW_SINR

#: Outage reasons written to the ``reason`` column (empty string when connected).
REASON_NONE = ""
REASON_NO_SATELLITE = "no_satellite"
REASON_NO_GATEWAY_PATH = "no_gateway_path"
REASON_GROUND_DOWN = "ground_down"
REASON_SATELLITE_FAILED = "satellite_failed"
REASON_NO_POWER = "no_power"
REASON_OBSTRUCTED = "obstructed"
REASONS = (
    REASON_NONE,
    REASON_NO_SATELLITE,
    REASON_NO_GATEWAY_PATH,
    REASON_GROUND_DOWN,
    REASON_SATELLITE_FAILED,
    REASON_NO_POWER,
    REASON_OBSTRUCTED,
    REASON_LOW_SINR,
    REASON_JAMMED,
)

SERVING_POLICIES = ("max_elevation",)


def outage_reason(
    serving_sat: np.ndarray, sees_any: np.ndarray, obstructed: np.ndarray | None = None
) -> np.ndarray:
    """Reason codes (into :data:`REASONS`) for an assignment.

    Parameters
    ----------
    serving_sat : (N,) int, the serving satellite (-1 when none) — under the ``max_elevation``
        policy, :func:`lifeline.links.gsl.best_visible` with the routable satellites as usable.
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
