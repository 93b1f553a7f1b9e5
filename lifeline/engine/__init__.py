"""The engine: from a validated scenario to per-terminal, per-step connectivity and RTT.

It only orchestrates the pure stages (orbits → visibility → topology → routing → assignment)
and streams rows out. Per 600-s time chunk (:data:`CHUNK_S`) it propagates the constellation
once; per 15-s slot it:

1. interpolates every satellite at the slot start, builds a KD-tree over them and finds the
   satellites each terminal and each live gateway sees (``links/gsl.py``);
2. keeps each gateway's ``max_satellites`` highest satellites as feeder links, adds the +Grid laser
   links that are valid and in range, and the gateway→PoP fibre (``network/topology.py``);
3. runs one multi-source Dijkstra from all live PoPs (``network/routing.py``), giving every
   satellite its lowest-latency exit;
4. assigns each terminal the highest routable satellite it sees (``network/assign.py``);
5. evaluates every step of the slot along the slot's paths, re-planning where a link sets.

Modules, in the order a run uses them:

========== ====================================================================================
inputs     scenario → arrays (constellation, ground sites, terminal positions, power, lasers)
instant    one routing instant: network state, geometry, routing and assignment
slot       path evaluation over the steps of a slot
shared     what runs of the same constellation, window and gateways share (sweep samples)
run        chunking, the process pool, the radio pass, :func:`simulate`
========== ====================================================================================

The names below are what the rest of lifeline uses (the API, sweeps, pair mode, ``validate``);
everything else is internal to the engine.
"""

from lifeline.engine.inputs import Ground, build_constellation, build_ground, scenario_isl_edges
from lifeline.engine.run import CHUNK_S, ProgressCallback, RunInfo, chunk_bounds, simulate
from lifeline.engine.shared import SharedInputs, SharedInputsCache, shared_key

__all__ = [
    "CHUNK_S",
    "Ground",
    "ProgressCallback",
    "RunInfo",
    "SharedInputs",
    "SharedInputsCache",
    "build_constellation",
    "build_ground",
    "chunk_bounds",
    "scenario_isl_edges",
    "shared_key",
    "simulate",
]
