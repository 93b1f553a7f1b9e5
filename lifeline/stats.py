"""Rank correlation with a confidence interval, for what a sweep's unknowns do to its results.

A Spearman correlation from a handful of samples means little: with 4 samples a ρ of 1.0 arises
by chance 1 time in 24. :func:`spearman_ci` therefore reports nothing below
:data:`MIN_CORRELATION_SAMPLES` and gives a 95 % interval otherwise, from Fisher's z transform
with the variance Fieller, Hartley and Pearson derived for Spearman's ρ, ``1.06 / (n − 3)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["MIN_CORRELATION_SAMPLES", "RankCorrelation", "spearman_ci"]

#: Fewest samples for a reported correlation: the interval below is accurate from n = 10 on
#: (D. G. Bonett, T. A. Wright, "Sample size requirements for estimating Pearson, Kendall and
#: Spearman correlations", Psychometrika 65(1), 2000, pp. 23-28).
MIN_CORRELATION_SAMPLES = 10
#: Two-sided 95 % normal quantile.
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman's ρ, its 95 % interval and the number of samples it rests on."""

    rho: float
    low: float
    high: float
    n: int

    @property
    def settled(self) -> bool:
        """The interval excludes 0: the samples say which way the unknown pushes."""
        return self.low > 0 or self.high < 0


def spearman_ci(x: ArrayLike, y: ArrayLike) -> RankCorrelation | None:
    """Spearman's rank correlation of the finite pairs, with a 95 % confidence interval.

    Returns
    -------
    RankCorrelation or None
        None with fewer than :data:`MIN_CORRELATION_SAMPLES` finite pairs or when either
        variable is constant over them.

    References
    ----------
    C. Spearman, Am. J. Psychol. 15(1), 1904 (the coefficient; ``scipy.stats.spearmanr``).
    E. C. Fieller, H. O. Hartley, E. S. Pearson, "Tests for rank correlation coefficients. I",
    Biometrika 44, 1957: var(atanh ρ̂) ≈ 1.06 / (n − 3).
    """
    from scipy.stats import spearmanr

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    has = np.isfinite(x) & np.isfinite(y)
    n = int(has.sum())
    if n < MIN_CORRELATION_SAMPLES or np.ptp(x[has]) == 0 or np.ptp(y[has]) == 0:
        return None
    rho = float(spearmanr(x[has], y[has]).statistic)
    half = _Z95 * np.sqrt(1.06 / (n - 3))
    z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    return RankCorrelation(rho, float(np.tanh(z - half)), float(np.tanh(z + half)), n)
