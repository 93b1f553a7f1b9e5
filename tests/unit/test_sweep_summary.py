"""Sweep correlations need enough samples and carry their confidence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lifeline.cli.sweep import _unknowns_table
from lifeline.stats import MIN_CORRELATION_SAMPLES
from lifeline.sweep import summarize_sweep


def _table(n: int) -> pd.DataFrame:
    # Availability falls one point per hour of gateway outage: a perfect rank correlation of
    # -1; the rate does not move.
    hours = np.arange(n, dtype=float)
    return pd.DataFrame(
        {
            "sample": range(n),
            "status": "ok",
            "terminal": "A",
            "availability_pct": 100.0 - hours,
            "rtt_ms_p50": 40.0 + hours,
            "throughput_down_mbps_p50": 25.0,
            "throughput_up_mbps_p50": 5.0,
            "gateway_outage_h": hours,
        }
    )


def test_four_samples_give_no_correlation():
    summary = summarize_sweep(_table(4))
    (u,) = summary["terminals"]["A"]["unknowns"]
    assert u["spearman_availability"] is None and u["spearman_availability_ci95"] is None
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(_unknowns_table(summary))
    assert f"only 4 samples; correlations need {MIN_CORRELATION_SAMPLES}" in console.export_text()


def test_enough_samples_give_rho_and_its_interval():
    summary = summarize_sweep(_table(20))
    (u,) = summary["terminals"]["A"]["unknowns"]
    assert u["spearman_availability"] == -1.0
    assert u["spearman_rtt_p50"] == 1.0
    assert u["spearman_throughput_p50"] is None  # constant rate
    # rho = -1 is clipped to -0.999999 before Fisher's z: the interval is a sliver at -1.
    low, high = u["spearman_availability_ci95"]
    assert low == -1.0 and high < -0.99
    assert u["note"] == ""
