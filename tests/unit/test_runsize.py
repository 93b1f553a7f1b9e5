"""Run-size estimates against measured runs (docs/benchmarks.md, "Whole runs", 2 workers)."""

from __future__ import annotations

import pytest

from lifeline.runsize import RunTooLargeError, check_memory, estimate_run


def test_gen1_hour_at_one_second_matches_the_benchmark():
    # gen1-1000t-1h-1s: 4,408 satellites, 1,000 terminals, 3,600 steps: 9.0 s, 976 MB measured.
    size = estimate_run(3600, 1.0, 15.0, 600, 1000, 4408, radio=False, workers=2)
    assert size.rows == 3_600_000
    assert 9.0 / 1.5 < size.wall_s < 9.0 * 1.5
    assert 976 / 1.5 < size.peak_mb < 976 * 1.5


def test_gen1_day_at_fifteen_seconds_matches_the_benchmark():
    # gen1-1000t-24h-15s: 5,760 steps (one per slot): 49.7 s, 717 MB measured.
    size = estimate_run(5760, 15.0, 15.0, 40, 1000, 4408, radio=False, workers=2)
    assert 49.7 / 1.5 < size.wall_s < 49.7 * 1.5
    assert 717 / 1.5 < size.peak_mb < 717 * 1.5


def test_millisecond_steps_for_a_day_are_refused():
    # step_s = 0.001 over 24 h on the default preset (2,233 satellites, 5 terminals): the
    # parent grew past 4.6 GB before; a slot alone is 15,000 instants of every satellite.
    size = estimate_run(86_400_000, 0.001, 15.0, 600_000, 5, 2233, radio=True, workers=2)
    assert size.peak_mb > 4.6 * 1024
    assert size.wall_s > 1500  # 432 million rows: about half an hour, not seconds
    with pytest.raises(RunTooLargeError) as info:
        check_memory("big.toml", size, budget_mb=4096)
    message = str(info.value)
    assert message.startswith("big.toml: this run needs about ")
    assert "86,400,000 steps x 5 terminals = 432,000,000 rows, 2,233 satellites" in message
    assert message.endswith("or --force to run it anyway")
    check_memory("big.toml", size, budget_mb=4096, force=True)  # forced: no error


def test_describe_and_estimate_text():
    size = estimate_run(3600, 1.0, 15.0, 600, 1000, 4408, radio=False, workers=2)
    assert size.describe() == "3,600 steps x 1,000 terminals = 3,600,000 rows, 4,408 satellites"
    assert size.estimate().startswith("about 10 s on 2 workers, peak memory about ")


def test_default_preset_matches_the_benchmark():
    # default (mariupol-2022, 24 h at 1 s, radio on): 2,233 satellites, 5 terminals, 18.4-20.2 s
    # and 929 MB measured.
    size = estimate_run(86400, 1.0, 15.0, 600, 5, 2233, radio=True, workers=2)
    assert 19.3 / 1.5 < size.wall_s < 19.3 * 1.5
    assert 929 / 1.5 < size.peak_mb < 929 * 1.5
