"""A quick slice of the hostile fuzz (``tools/fuzz_inputs.py --surface hostile``).

hypothesis draws the case's random generator, so a failing case shrinks. Each family gets a
few cases (validation mostly, a run now and then: ~0.1 s a case); the families whose clean
handling lives in the output-safety and terminal-hygiene work (output paths, names printed in
tables, sweep seeds, scheduler addresses) are in :data:`PENDING` until that work is merged.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import fuzz_hostile as fh  # noqa: E402

#: Families that still fail on this branch: their fixes arrive with the output-safety branch
#: (lifeline.outdir, lifeline.cli.text, lifeline.daskutil). Move them to READY once merged.
PENDING = ("outpath", "names", "counts", "scheduler")
READY = tuple(f for f in fh.FAMILIES if f not in PENDING)


@pytest.fixture(scope="module")
def ctx():
    with tempfile.TemporaryDirectory(prefix="lifeline-hostile-") as tmp:
        context = fh.Context(Path(tmp))
        yield context
        context.close()


def _check(rng: random.Random, ctx: fh.Context, family: str) -> fh.Hostile:
    case = fh.hostile_case(rng, ctx, family)
    assert case.kind in ("ok", "error"), fh.describe(case)
    return case


@pytest.mark.parametrize("family", READY)
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,  # the same cases every run
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rng=st.randoms(use_true_random=False))
def test_hostile_family(rng: random.Random, ctx: fh.Context, family: str) -> None:
    _check(rng, ctx, family)


@pytest.mark.parametrize("family", ["nesting", "shells", "runfolder", "encodings", "csv"])
def test_families_reach_errors(ctx: fh.Context, family: str) -> None:
    # The fuzz must reach lifeline's own errors, not only pass: among six seeded cases of each
    # family at least one is a clean error (most are: these families are built to be invalid).
    kinds = [_check(random.Random(seed), ctx, family).kind for seed in range(6)]
    assert "error" in kinds


def test_checker_catches_an_escape() -> None:
    # The checker itself: an escape character in the output is a failure.
    from typer.testing import CliRunner, Result

    case = fh.Hostile("names", "self-test")
    result = Result(
        runner=CliRunner(),
        stdout_bytes=b"\x1b[31mred\n",
        stderr_bytes=b"",
        output_bytes=b"\x1b[31mred\n",
        return_value=None,
        exit_code=0,
        exception=None,
    )
    fh.check(case, "run", result)
    assert fh.settle(case, 0).kind == "failure"
    assert "escape character" in case.problems[0]
