"""What runs of the same constellation, window and gateways share (the samples of a sweep).

:class:`SharedInputs` holds the satellites, laser links, each chunk's ephemeris and each
instant's geometry; :func:`shared_key` says which scenarios may share them. Sharing is explicit:
the caller passes a :class:`SharedInputs` to :func:`lifeline.api.run` (a sweep takes it from the
:class:`SharedInputsCache` it keeps per worker process); the engine keeps no state between runs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from lifeline.config import Scenario
from lifeline.engine.inputs import build_constellation, scenario_lasers
from lifeline.engine.instant import Context, Geometry
from lifeline.links.gsl import SiteView, site_view
from lifeline.orbits.propagate import Ephemeris

#: Instants a :class:`SharedInputs` keeps (about 0.37 MB each for the 2,233-satellite default,
#: measured: ~90 MB for the 1-hour sweep preset, so ~260 MB at the cap, three hours of 15-s
#: slots); later instants are recomputed by every run.
MAX_SHARED_INSTANTS = 720


def shared_key(scenario: Scenario) -> str:
    """What :class:`SharedInputs` depend on: the constellation, the time grid, the laser-link
    rules and the gateways. Runs with equal keys may share them."""
    net = scenario.network
    return json.dumps(
        {
            "constellation": scenario.constellation.model_dump(mode="json", warnings=False),
            "tle_path": str(scenario.constellation.tle_path),
            "hypatia_tle_path": str(scenario.constellation.hypatia_tle_path),
            "time": scenario.time.model_dump(mode="json", warnings=False),
            "isl": [
                net.isl,
                str(net.isl_path),
                net.isl_max_range_km,
                net.isl_min_grazing_altitude_km,
                net.laser_satellites,
            ],
            "gateways": [g.model_dump(mode="json", warnings=False) for g in scenario.gateways],
        },
        sort_keys=True,
        default=str,
    )


class SharedInstant(NamedTuple):
    """What runs share at one routing instant: the :class:`Geometry`, the fixed terminals'
    :class:`SiteView`, and the memo of their paths' later-step geometry
    (:func:`evaluate_paths`)."""

    geometry: Geometry
    terminal_view: SiteView
    path_memo: dict


class SharedInputs:
    """The inputs of a run that events, terminals and the radio layer cannot change: the
    satellites, the laser links, each chunk's ephemeris and each instant's :class:`Geometry`.

    Runs whose scenarios have the same :func:`shared_key` (the samples of a sweep) take them
    from here instead of recomputing them: built once per process, filled as the first run goes
    (up to :data:`MAX_SHARED_INSTANTS` instants) and read by the next. Satrec objects do not
    pickle, so each process (each Dask worker) has its own (:class:`SharedInputsCache`).
    """

    def __init__(self, scenario: Scenario) -> None:
        self.key = shared_key(scenario)
        start = np.datetime64(scenario.time.start_utc.replace(tzinfo=None), "ns")
        self.constellation = build_constellation(scenario)
        self.lasers = scenario_lasers(scenario, self.constellation, start)
        self._ephemerides: dict[tuple[int, int], Ephemeris] = {}
        self._geometry: dict[int, Geometry] = {}
        self._views: dict[tuple[int, str], SiteView] = {}
        self._paths: dict[tuple[int, str], dict] = {}

    def ephemeris(self, bounds: tuple[int, int], compute: Callable[[], Ephemeris]) -> Ephemeris:
        """The ephemeris of the chunk of steps ``bounds``, computed on first use."""
        if bounds not in self._ephemerides:
            self._ephemerides[bounds] = compute()
        return self._ephemerides[bounds]

    def instant(self, step: int, ctx: Context, compute: Callable[[], Geometry]) -> SharedInstant:
        """What output step ``step`` shares: its geometry (computed on first use), the view of
        ``ctx``'s fixed terminals and their path memo (keyed by :attr:`Context.terminal_key`)."""
        geom = self._cached(self._geometry, step, compute)
        key = (step, ctx.terminal_key)
        view = self._cached(
            self._views,
            key,
            lambda: site_view(ctx.terminal_sites, geom.tree, geom.sat_ecef_km, geom.max_alt_km),
        )
        return SharedInstant(geom, view, self._cached(self._paths, key, dict))

    @staticmethod
    def _cached(store: dict, key: Any, compute: Callable[[], Any]) -> Any:
        value = store.get(key)
        if value is None:
            value = compute()
            if len(store) < MAX_SHARED_INSTANTS:
                store[key] = value
        return value


class SharedInputsCache:
    """Holds the :class:`SharedInputs` of the last scenario key asked for.

    The owner decides how long inputs live: a sweep keeps one cache per worker process, so its
    samples reuse the satellites, ephemerides and geometry
    (:func:`lifeline.sweep.simulate_summary`); the engine itself keeps nothing between runs.
    Thread-safe (a Dask worker may run samples in several threads).
    """

    def __init__(self) -> None:
        self._inputs: SharedInputs | None = None
        self._lock = threading.Lock()

    def get(self, scenario: Scenario) -> SharedInputs:
        """The :class:`SharedInputs` for ``scenario``: the kept one if its key matches, else a
        new one (which replaces it)."""
        with self._lock:
            if self._inputs is None or self._inputs.key != shared_key(scenario):
                self._inputs = None  # free the old one before building the next
                self._inputs = SharedInputs(scenario)
            return self._inputs
