"""Launch dates estimated from the elements (revolution number / mean motion), checked against
the launch dates that lifeline/data/PROVENANCE.md gives for the 2022-08-17 snapshot."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from lifeline.io.tle import last_launch_by, launch_estimates_utc, read_tle, scan_tle


@pytest.fixture(scope="module")
def august_2022():
    return read_tle(Path(str(files("lifeline.data").joinpath("starlink-2022-08-17.tle"))))


# PROVENANCE.md, "Note: using starlink-2022-08-17.tle for May 2022".
LAUNCHED = {(2022, 49): "2022-05-06", (2022, 51): "2022-05-13", (2022, 53): "2022-05-18"}


def test_estimates_within_a_week_of_the_launches(august_2022):
    estimate = launch_estimates_utc(august_2022)
    for key, day in LAUNCHED.items():
        error_days = (estimate[key] - np.datetime64(day)) / np.timedelta64(1, "D")
        assert abs(error_days) < 7, (key, estimate[key])


def test_may_2022_cut_matches_the_hand_made_preset(august_2022):
    # The default preset keeps launches up to 2022-049 (6 May) for 11 May 2022: 051-053
    # flew 13-18 May (PROVENANCE.md).
    assert last_launch_by(august_2022, np.datetime64("2022-05-11T00:00:00")) == "2022-049"
    assert last_launch_by(august_2022, np.datetime64("2019-01-01T00:00:00")) is None


def test_scan_agrees_with_the_full_parse(august_2022):
    path = Path(str(files("lifeline.data").joinpath("starlink-2022-08-17.tle")))
    columns = scan_tle(path)
    assert columns.intl_designator == august_2022.intl_designator
    # Epochs to the microsecond (the day-of-year field has 8 decimals, ~1 ms; SGP4 splits
    # the Julian date, the scan adds days to 1 January).
    error_ns = np.abs(columns.epoch_utc - august_2022.epoch_utc).astype(np.int64)
    assert error_ns.max() < 1_000
    assert launch_estimates_utc(columns).keys() == launch_estimates_utc(august_2022).keys()
    assert last_launch_by(columns, np.datetime64("2022-05-11T00:00:00")) == "2022-049"
