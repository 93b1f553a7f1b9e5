"""Spearman's ρ with its interval; nothing from too few samples."""

from __future__ import annotations

import numpy as np
import pytest

from lifeline.stats import MIN_CORRELATION_SAMPLES, spearman_ci


def test_too_few_samples_give_nothing():
    x = np.arange(MIN_CORRELATION_SAMPLES - 1.0)
    assert spearman_ci(x, x) is None
    assert spearman_ci(np.arange(20.0), np.ones(20)) is None


def test_interval_by_hand():
    # 20 samples, y a noisy increasing function of x. The interval is
    # tanh(atanh ρ ± 1.96 sqrt(1.06 / 17)) (Fieller-Hartley-Pearson), computed here from ρ.
    rng = np.random.default_rng(1)
    x = np.arange(20.0)
    y = x + rng.normal(0, 6, 20)
    r = spearman_ci(x, y)
    half = 1.959963984540054 * np.sqrt(1.06 / 17)
    assert r.n == 20
    assert r.low == pytest.approx(np.tanh(np.arctanh(r.rho) - half))
    assert r.high == pytest.approx(np.tanh(np.arctanh(r.rho) + half))
    assert r.low < r.rho < r.high


def test_independent_noise_is_not_settled():
    rng = np.random.default_rng(7)
    r = spearman_ci(rng.normal(size=12), rng.normal(size=12))
    # 12 independent samples: the interval is ±0.6 wide around a small ρ and spans 0.
    assert r is not None and not r.settled
    assert r.high - r.low > 0.9
