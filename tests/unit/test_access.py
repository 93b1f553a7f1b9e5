"""The access-delay model (lifeline.links.access) against the measurements it stands for."""

from __future__ import annotations

import numpy as np
import pytest

from lifeline.links.access import (
    ACCESS_2022,
    ACCESS_2025,
    FRAME_MS,
    AccessProfile,
    access_profile_for,
    rtt_access_ms,
    terminal_key,
)

SLOT_STEPS = 15  # 15-s slots at 1-s steps (references.md#reconfiguration-interval)
DAY_STEPS = 86_400


def one_day(profile, n_terminals=20, seed=1):
    steps = np.arange(DAY_STEPS)
    return rtt_access_ms(
        profile, np.arange(n_terminals), steps // SLOT_STEPS, steps % SLOT_STEPS, seed
    )


def test_2022_median_is_the_ripe_atlas_access_share():
    """Mohan et al. (WWW 2024, references.md#access-delay): dish -> first hop median ~40 ms,
    of which propagation < 10 ms, so the access link's median is ~30 ms."""
    a = one_day(ACCESS_2022)
    assert np.median(a) == pytest.approx(30.0, abs=0.5)
    # Per terminal the level differs by a few ms (assumption: terminal_sd_ms = 2).
    per_terminal = np.median(a, axis=0)
    assert np.ptp(per_terminal) < 4 * 2 * ACCESS_2022.terminal_sd_ms + 1


def test_2022_spread_gives_the_belgian_inter_quartile_range():
    """Michel et al. (IMC 2022, references.md#measured-rtt): p25 ~40, p75 ~60 ms, a 20 ms
    inter-quartile range, taken to come mostly from the access link: one terminal's IQR over
    a day is 14-20 ms, and its lowest value leaves room for >= 8 ms of propagation under the
    20 ms minimum measured."""
    a = one_day(ACCESS_2022)[:, 0]
    p25, p75 = np.percentile(a, [25, 75])
    assert 14.0 <= p75 - p25 <= 20.0
    # 7.3 ms: bent pipe with both ends at zenith (references.md#physical-constants).
    assert 8.0 <= a.min() <= 20.0 - 7.3 + 5.0


def test_2025_profile_keeps_spacex_tail():
    """SpaceX, June 2025 (references.md#measured-rtt): < 1 % of US samples above 55 ms.
    With ~10 ms of US bent-pipe propagation, access + 10 ms stays under 55 ms at p99."""
    a = one_day(ACCESS_2025)
    assert np.median(a) == pytest.approx(15.0, abs=0.5)
    assert np.percentile(a + 10.0, 99) < 55.0


def test_steps_at_slot_boundaries_and_bands_within_a_slot():
    a = one_day(ACCESS_2022, n_terminals=3)
    by_slot = a.reshape(-1, SLOT_STEPS, 3)
    # Within a slot: only band values, n_bands of them, band_spacing apart.
    spread = by_slot.max(axis=1) - by_slot.min(axis=1)
    assert spread.max() <= (ACCESS_2022.n_bands - 1) * ACCESS_2022.band_spacing_ms + 1e-9
    offsets = (by_slot - by_slot.min(axis=1, keepdims=True)) / (2 * FRAME_MS)
    np.testing.assert_allclose(offsets, np.round(offsets), atol=1e-9)
    # Across a boundary the level steps: nearly always, and typically by more than the
    # whole band range within a slot.
    level = by_slot.mean(axis=1)
    jump = np.abs(np.diff(level, axis=0))
    assert np.mean(jump > 0.1) > 0.95
    assert np.median(jump) > np.median(spread)


def test_draws_are_reproducible_whatever_the_chunking():
    steps = np.arange(1200)
    full = rtt_access_ms(ACCESS_2022, [5, 9], steps // 15, steps % 15, seed=7)
    part = rtt_access_ms(ACCESS_2022, [9], steps[600:] // 15, steps[600:] % 15, seed=7)
    np.testing.assert_array_equal(full[600:, 1:], part)
    other_seed = rtt_access_ms(ACCESS_2022, [5, 9], steps // 15, steps % 15, seed=8)
    assert not np.array_equal(full, other_seed)


def test_boundary_spike_only_on_first_step():
    spiky = AccessProfile(**{**ACCESS_2022.__dict__, "boundary_spike_ms": 140.0})
    steps = np.arange(60)
    base = rtt_access_ms(ACCESS_2022, [1], steps // 15, steps % 15)
    diff = rtt_access_ms(spiky, [1], steps // 15, steps % 15) - base
    np.testing.assert_array_equal(diff[:, 0], np.where(steps % 15 == 0, 140.0, 0.0))


def test_profile_by_date_and_stable_keys():
    # SpaceX's March 2024 latency update (references.md#measured-rtt).
    assert access_profile_for("2022-05-11T00:00:00") is ACCESS_2022
    assert access_profile_for("2024-03-01T00:00:00") is ACCESS_2025
    assert terminal_key("Azovstal") == terminal_key("Azovstal") != terminal_key("Kyiv")
    assert 0 <= terminal_key("Azovstal") < 2**63
    with pytest.raises(ValueError):
        AccessProfile("bad", 30, 2, 15, 5, 36, 2.7, 3)
