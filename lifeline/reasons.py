"""Outage reasons: the strings of the ``reason`` column and their stable integer codes.

One list for the whole program: the assignment (:mod:`lifeline.network.assign`), the jamming
model (:mod:`lifeline.links.jamming`), the radio pass (:mod:`lifeline.radio`) and the summary
(:mod:`lifeline.results`) all code reasons as indices into :data:`REASONS`.

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

REASON_NONE = ""
REASON_NO_SATELLITE = "no_satellite"
REASON_NO_GATEWAY_PATH = "no_gateway_path"
REASON_GROUND_DOWN = "ground_down"
REASON_SATELLITE_FAILED = "satellite_failed"
REASON_NO_POWER = "no_power"
REASON_OBSTRUCTED = "obstructed"
REASON_LOW_SINR = "low_sinr"
REASON_JAMMED = "jammed"

#: Every reason, in code order (codes are indices and are stable: written files rely on them).
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
