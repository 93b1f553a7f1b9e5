"""Pair mode: shortest paths over ISLs between ground stations, RTT per pair per time step.

This is what Hypatia computes (Kassing et al., IMC 2020): at each time step, for every pair of
ground stations, the shortest path ``src GS → satellite → … (ISLs) … → satellite → dst GS``,
with ground stations as path end points only (Hypatia's default
``algorithm_free_one_only_over_isls``), and its RTT = 2 × length / c.

Node numbering is Hypatia's: satellites ``0..S-1``, ground station ``g`` is node ``S + g``.

Modules: ``network`` (stations, satellites, lasers; the engine's inputs for a scenario),
``links`` (topology per step), ``route`` (SciPy Dijkstra, the reference; the default router is
:class:`lifeline.network.dynamic.DynamicRouter`), ``select`` (``--pairs`` text), ``output``
(``pairs.parquet``), ``run`` (the whole run).

How one step is computed (stages timed by :class:`StageTimes`):

1. **propagation**: SGP4 for all satellites at a block of steps at once, rotated into the frame
   of the ground stations (:mod:`lifeline.orbits.libastro` in the ``"hypatia"`` conventions).
2. **topology** (:func:`block_links`): ISL lengths for the fixed +Grid edge list (``inf`` when
   longer than the maximum, grazing too low or touching an invalid satellite); GSLs by range,
   measured only for the station-satellite candidates of one KD-tree join per run of steps
   (or, with an elevation mask, the terminal engine's visibility search per step).
3. **routing**: by default :class:`lifeline.network.dynamic.DynamicRouter`, one shortest-path
   tree per source station carried from step to step and repaired; with
   ``router="dijkstra"`` (:func:`solve_step`, the reference) one SciPy Dijkstra per source
   station on a graph with each station twice, as a source-only node (station → satellite)
   and a sink-only node (satellite → station), so no path relays through a station. Both give
   the same lengths bit for bit, and paths traced back from the trees.
4. **output**: an Arrow batch per block of steps, built and appended to the Parquet table by a
   background thread while the next block is computed.

References
----------
S. Kassing, D. Bhattacherjee, A. B. Águas, J. E. Saethre, A. Singla, "Exploring the 'Internet
from space' with Hypatia", ACM IMC 2020; Hypatia ``satgenpy/satgen/dynamic_state/
fstate_calculation.py`` (ground stations as end points), ``post_analysis/analyze_rtt.py``
(RTT = 2 × path length / c).
"""

from lifeline.pairmode.links import StepLinks, block_links, step_links
from lifeline.pairmode.network import (
    PairNetwork,
    PairSelectionError,
    positions_km,
    prepare,
    scenario_network,
)
from lifeline.pairmode.route import PairStep, Router, route_dijkstra, solve_step
from lifeline.pairmode.run import PairRunResult, StageTimes, run_pairs, run_scenario_pairs
from lifeline.pairmode.select import resolve_pairs

__all__ = [
    "PairNetwork",
    "PairRunResult",
    "PairSelectionError",
    "PairStep",
    "Router",
    "StageTimes",
    "StepLinks",
    "block_links",
    "positions_km",
    "prepare",
    "resolve_pairs",
    "route_dijkstra",
    "run_pairs",
    "run_scenario_pairs",
    "scenario_network",
    "solve_step",
    "step_links",
]
