"""Mutated scenario and TLE files never crash the CLI.

The mutation engine and the checks live in ``tools/fuzz_inputs.py`` (which runs 10,000 cases);
here hypothesis drives the same engine through ``st.randoms()``, so a failing case shrinks to
few mutations. A case is the tiny fixture (``tests/data/tiny.toml`` and ``tiny.tle``) after
1-3 mutations, run through ``lifeline validate`` and, when that passes, ``lifeline run --quiet
--out DIR``. Each command must exit 0 or 2 and raise nothing but SystemExit; exit 2 must come
from a LifelineError and print "error:", the file's name and no "Traceback"; a run that exits 0
must write a parseable summary.json and print nothing on stdout (see ``fuzz_inputs.violations``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import fuzz_inputs as fz  # noqa: E402

# End-to-end runs (seconds each): outside the quick loop `pytest -m "not slow"`.
pytestmark = pytest.mark.slow


def _check(case: fz.Case) -> fz.Outcome:
    with tempfile.TemporaryDirectory(prefix="lifeline-fuzz-") as tmp:
        outcome = fz.run_case(case, Path(tmp))
    assert not outcome.problems, fz.describe(case, outcome)
    assert outcome.kind in {"error", "ran", "late-error", "skipped"}
    return outcome


def test_fixture_runs():
    """The unmutated fixture is valid and runs (else every mutation would only test errors)."""
    outcome = _check(fz.base_case())
    assert outcome.kind == "ran"


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same 60 cases on every run, so CI is stable
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(rng=st.randoms(use_true_random=False))
def test_mutated_inputs_fail_cleanly_or_run(rng):
    _check(fz.mutate(rng))


def _scenario_edit(old: str, new: str) -> fz.Case:
    base = fz.base_case()
    assert base.scenario.count(old) == 1, old
    return fz.Case(base.scenario.replace(old, new), base.tle, (f"{old} -> {new}",))


def _tle_with_first_record_repeated() -> fz.Case:
    base = fz.base_case()
    first = "\n".join(base.tle.splitlines()[:3])
    return fz.Case(base.scenario, base.tle + first + "\n", ("first record repeated",))


# Inputs that once crashed or gave unclear messages (found by tools/fuzz_inputs.py), with a
# fragment of the message `lifeline validate` must now give (None: they must run).
REGRESSIONS = {
    # OverflowError in math.isfinite: TOML integers are unbounded.
    "huge integer": (
        _scenario_edit("lat_deg = 47.0958", "lat_deg = " + "9" * 400),
        "terminals[0].lat_deg = 999",
    ),
    # datetime64[ns] ends in 2262: year 1000 silently ran in 2169, 9999 overflowed.
    "start in year 1000": (
        _scenario_edit("start_utc = 2022-08-17T12:00:00Z", "start_utc = 1000-01-01T00:00:00Z"),
        "time.start_utc = '1000-01-01T00:00:00+00:00': a date-time in 1678-01-01..2262-01-01",
    ),
    "start in year 9999": (
        _scenario_edit("start_utc = 2022-08-17T12:00:00Z", "start_utc = 9999-12-31T23:58:00Z"),
        "time.start_utc = '9999-12-31T23:58:00+00:00': a date-time in 1678-01-01..2262-01-01",
    ),
    "offset date in year 1": (
        _scenario_edit("start_utc = 2022-08-17T12:00:00Z", "start_utc = 0001-01-01T00:00:00+01:00"),
        "time.start_utc = '0001-01-01T00:00:00+01:00': a date-time in 1678-01-01..2262-01-01",
    ),
    "duration 1e308": (
        _scenario_edit("duration_s = 120", "duration_s = 1e308"),
        "time.duration_s = 1e+308: a duration that ends by 2262-01-01",
    ),
    # 30 s / 5e-324 s = inf steps; a step under 1 ns rounds to 0 ns in the engine.
    "step 5e-324": (
        _scenario_edit("step_s = 10.0", "step_s = 5e-324"),
        "time.step_s = 5e-324: a step of at least 1e-09 s",
    ),
    "propagation step 1e-300": (
        _scenario_edit("propagation_step_s = 60.0", "propagation_step_s = 1e-300"),
        "time.propagation_step_s = 1e-300: a number in 1..600",
    ),
    # Named no line and showed "= None".
    "TOML cut inside a string": (
        fz.Case(fz.base_case().scenario + 'x = "unterminated', fz.base_case().tle),
        ", end of file = 'x = \"unterminated': valid TOML (Unterminated string)",
    ),
    # A warning logged through the first invocation's closed stderr printed a traceback.
    "duplicate TLE record": (_tle_with_first_record_repeated(), None),
}


@pytest.mark.parametrize(("case", "message"), REGRESSIONS.values(), ids=REGRESSIONS.keys())
def test_regressions(case, message):
    # Twice: the logging problem showed only from the second invocation in a process on.
    for _ in range(2):
        outcome = _check(case)
    if message is None:
        assert outcome.kind == "ran"
    else:
        assert outcome.kind == "error"
        assert message in outcome.results["validate"].output


def test_launched_by_before_every_launch():
    # Found by tools/fuzz_inputs.py (seed 0, case 5483). The fixture's earliest launch is
    # 2020-062 (tiny.tle, STARLINK-1742, international designator 20062BD).
    case = _scenario_edit(
        'tle_file = "tiny.tle"', 'tle_file = "tiny.tle"\nlaunched_by = "2020-001"'
    )
    outcome = _check(case)
    assert outcome.kind == "error"


# ----------------------------------------------------------------------------------------------
# The schema surface: every scenario, event, radio and sweep field (tools/fuzz_inputs.py
# --surface schema runs 10,000 of these)
# ----------------------------------------------------------------------------------------------


def _check_schema(case: fz.Case) -> fz.Outcome:
    with tempfile.TemporaryDirectory(prefix="lifeline-fuzz-") as tmp:
        outcome = fz.run_schema_case(case, Path(tmp))
    assert not outcome.problems, fz.describe(case, outcome)
    assert outcome.kind in {"error", "loaded"}
    return outcome


def test_schema_fixture_loads():
    """The unmutated schema fixture is a valid sweep file (else mutations only test errors)."""
    assert _check_schema(fz.schema_case()).kind == "loaded"


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(rng=st.randoms(use_true_random=False))
def test_mutated_schema_fails_cleanly_or_loads(rng):
    _check_schema(fz.mutate(rng, fz.schema_case(), tle_share=0.1))


def _schema_error(old: str, new: str) -> str:
    """The message of the schema fixture with `old` replaced by `new` (it must be an error)."""
    from lifeline.config import load_sweep

    base = fz.schema_case()
    assert base.scenario.count(old) == 1, old
    with tempfile.TemporaryDirectory(prefix="lifeline-fuzz-") as tmp:
        folder = Path(tmp)
        fz.base_case().write(folder)  # tiny.toml and tiny.tle, which the fixture extends
        (folder / fz.SCHEMA_NAME).write_text(base.scenario.replace(old, new), encoding="utf-8")
        with pytest.raises(fz.LifelineError) as info:
            load_sweep(folder / fz.SCHEMA_NAME)
    return str(info.value)


HUGE = "1" + "0" * 400  # a valid TOML integer with no float: OverflowError in math.isfinite
# (old text, new text, field named, what the message says is allowed): the allowed ranges are
# those the models declare (lifeline/config/).
SCHEMA_REGRESSIONS = {
    # Only the [time]/[[terminals]] checks guarded huge integers; these raised OverflowError.
    "event radius_km": (
        "radius_km = 100.0", f"radius_km = {HUGE}", "events[2].radius_km", "a number > 0"
    ),
    "event seed": ("seed = 7", f"seed = {HUGE}", "events[4].seed", "an integer >= 0"),
    "radio beams": (
        "beams_per_satellite = 32",
        f"beams_per_satellite = {HUGE}",
        "radio.beams_per_satellite",
        "an integer >= 1",
    ),
    "rain radius": ("radius_km = 30.0", f"radius_km = {HUGE}", "rain[0].radius_km", "a number > 0"),
    "jammer eirp": (
        "eirp_dbw = 30.0", f"eirp_dbw = {HUGE}", "jammers[0].eirp_dbw", "a number in -50..100"
    ),
    "sweep fraction": (
        "fraction = 0.1",
        f"fraction = {HUGE}",
        "sweep.isl_failure.fraction",
        "a number in 0..1, or [min, max] with min <= max in that range",
    ),
    "sweep grid value": (
        '"radio.margin_db" = [0.0, 1.0]',
        f'"radio.margin_db" = [{HUGE}]',
        'sweep.grid."radio.margin_db"',
        "a value the scenario accepts (radio.margin_db: a number >= 0)",
    ),
    # An event time whose UTC instant is past year 9999 overflowed in astimezone.
    "event time past 9999": (
        "end_utc = 2022-08-17T12:01:30Z",
        "end_utc = 9999-12-31T23:59:59-01:00",
        "events[1].end_utc",
        "a date-time in 1678-01-01..2262-01-01 (the span of the engine's nanosecond time grid)",
    ),
    "event time in year 99999": (
        "end_utc = 2022-08-17T12:01:30Z",
        'end_utc = "99999-01-01T00:00:00Z"',
        "events[1].end_utc",
        "an RFC 3339 date-time with a timezone, e.g. 2022-05-11T00:00:00Z",
    ),
}


@pytest.mark.parametrize(
    ("old", "new", "field", "allowed"), SCHEMA_REGRESSIONS.values(), ids=SCHEMA_REGRESSIONS.keys()
)
def test_schema_regressions(old, new, field, allowed):
    text = _schema_error(old, new)
    assert f"{fz.SCHEMA_NAME}: {field} = " in text
    assert text.endswith(f": {allowed}")
