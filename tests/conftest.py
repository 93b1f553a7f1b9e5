"""Fixtures shared by every test layer.

Layers: ``tests/unit`` (fast, pure functions and tiny runs), ``tests/reference`` (against
references nobody here wrote; expected values in ``tests/reference/data`` with their sources),
``tests/integration`` (end-to-end runs, marked ``slow``). ``pytest -m "not slow"`` is the quick
loop; plain ``pytest`` runs everything.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import lifeline
from tests.helpers import first_minutes


@pytest.fixture(scope="session")
def preset_run() -> Callable[[str, float], lifeline.RunResult]:
    """``preset_run(preset, minutes)``: the preset's first minutes, run once per session.

    Several modules check the same preset window from different sides (geometry, events, the
    ground-loss story); the run is deterministic, so they share one result. Callers must not
    modify the returned tables.
    """
    done: dict[tuple[str, float], lifeline.RunResult] = {}

    def run(preset: str, minutes: float) -> lifeline.RunResult:
        key = (preset, float(minutes))
        if key not in done:
            done[key] = lifeline.run(first_minutes(preset, minutes))
        return done[key]

    return run
