"""Tests for lifeline.io.tle."""

from __future__ import annotations

import logging
from importlib.resources import files

import numpy as np
import pytest

from lifeline.errors import TLEError
from lifeline.io.tle import filter_launched_by, parse_tle, read_tle

DATA = files("lifeline.data")

# First two records of lifeline/data/starlink-2022-08-17.tle (CelesTrak GP data, see
# lifeline/data/PROVENANCE.md), copied verbatim.
NAME_A = "STARLINK-24"
L1_A = "1 44238U 19029D   22229.17555387  .00106534  00000+0  22460-2 0  9994"
L2_A = "2 44238  53.0031 183.2357 0002897 123.7131 236.4150 15.44417471179240"
NAME_B = "STARLINK-71"
L1_B = "1 44252U 19029T   22229.15356155  .00092076  00000+0  18178-2 0  9996"
L2_B = "2 44252  52.9924 177.9864 0003905 111.8634 248.2787 15.46410461179314"


def _with_checksum(line: str) -> str:
    """Recompute column 69 (CelesTrak TLE FAQ: digits add their value, '-' adds 1)."""
    body = line[:68]
    total = sum(int(c) for c in body if c.isdigit()) + body.count("-")
    return body + str(total % 10)


def _error(text: str) -> TLEError:
    with pytest.raises(TLEError) as info:
        parse_tle(text, "test.tle")
    assert info.value.file == "test.tle"
    return info.value


def test_three_line_record_fields():
    tles = parse_tle(f"{NAME_A}\n{L1_A}\n{L2_A}\n", "test.tle")
    assert tles.names == [NAME_A]
    assert tles.catalog.tolist() == [44238]
    assert tles.intl_designator == ["19029D"]
    assert tles.source == "test.tle"
    # Epoch 22229.17555387: day 229 of 2022 is 17 Aug; 0.17555387 d = 15167.854368 s
    # = 04:12:47.854368 (TLE epoch resolution 1e-8 d = 0.864 ms).
    expected = np.datetime64("2022-08-17T04:12:47.854368", "ns")
    assert abs(tles.epoch_utc[0] - expected) <= np.timedelta64(1, "us")
    assert tles.satrecs[0].error == 0


def test_two_line_records_crlf_blank_lines_and_zero_prefix():
    text = f"\r\n{L1_A}\r\n{L2_A}\r\n\r\n0 {NAME_B}  \r\n{L1_B}   \r\n{L2_B}\r\n\r\n"
    tles = parse_tle(text, "test.tle")
    assert tles.names == ["SAT-44238", NAME_B]
    assert tles.catalog.tolist() == [44238, 44252]
    assert len(tles) == 2


def test_checksum_error_names_the_line():
    bad = L1_A[:68] + "5"  # correct checksum is 4
    err = _error(f"{NAME_A}\n{bad}\n{L2_A}\n")
    assert err.line == 2
    assert "checksum" in err.reason and "5" in err.reason and "4" in err.reason


def test_truncated_line():
    err = _error(f"{NAME_A}\n{L1_A}\n{L2_A[:50]}\n{NAME_B}\n{L1_B}\n{L2_B}\n")
    assert err.line == 3
    assert "50 characters" in err.reason and "69" in err.reason


def test_mismatched_catalog_numbers():
    err = _error(f"{NAME_A}\n{L1_A}\n{L2_B}\n")
    assert err.line == 3
    assert "44252" in err.reason and "44238" in err.reason


def test_non_numeric_field_with_valid_checksum():
    bad = _with_checksum(L2_A[:8] + "  53.0x1" + L2_A[16:])
    err = _error(f"{NAME_A}\n{L1_A}\n{bad}\n")
    assert err.line == 3
    assert "inclination" in err.reason and "9-16" in err.reason


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (f"{NAME_A}\n{L2_A}\n", 2, "line 1"),
        (f"{L2_A}\n", 1, "line 2"),
        (f"{NAME_A}\n{L1_A}\n", 2, "followed by line 2"),
        (f"{NAME_A}\n", 1, "not followed"),
        (f"{NAME_A}\n{L1_A}\n\n{L2_A}\n", 3, "blank"),
    ],
)
def test_structure_errors(text, line, fragment):
    err = _error(text)
    assert err.line == line
    assert fragment in err.reason


def test_empty_text_is_an_error():
    err = _error("\n  \n")
    assert err.line == 0
    assert "no TLE records" in err.reason


def test_missing_file(tmp_path):
    path = tmp_path / "nope.tle"
    with pytest.raises(TLEError) as info:
        read_tle(path)
    assert (info.value.file, info.value.line, info.value.reason) == (str(path), 0, "file not found")


def test_duplicates_keep_newest_epoch(caplog):
    # Same satellite, epoch one day earlier (day 228 instead of 229).
    older = _with_checksum(L1_A.replace("22229.17555387", "22228.17555387"))
    text = f"{NAME_A}\n{L1_A}\n{L2_A}\nOLD\n{older}\n{L2_A}\n{NAME_B}\n{L1_B}\n{L2_B}\n"
    with caplog.at_level(logging.WARNING, logger="lifeline.io.tle"):
        tles = parse_tle(text, "test.tle")
    assert tles.names == [NAME_A, NAME_B]
    assert tles.epoch_utc[0] > np.datetime64("2022-08-17")
    assert "1 duplicate" in caplog.text


def test_real_snapshot_and_launch_filter():
    # Counts from lifeline/data/PROVENANCE.md, "starlink-2022-08-17.tle": 2746 Starlink
    # satellites; designators up to and including 2022-053 leave 2392.
    tles = read_tle(DATA / "starlink-2022-08-17.tle")
    assert len(tles) == 2746
    assert len(set(tles.catalog.tolist())) == 2746
    may = filter_launched_by(tles, "2022-053")
    assert len(may) == 2392
    assert all(d[:2] in {"19", "20", "21", "22"} for d in may.intl_designator)


def test_launch_filter_two_digit_years_and_bad_designator():
    iss = _with_checksum(L1_A[:9] + "98067A  " + L1_A[17:])  # 1998 launch
    future = _with_checksum(L1_B[:9] + "56001A  " + L1_B[17:])  # 2056 launch
    tles = parse_tle(f"ISS\n{iss}\n{L2_A}\nF\n{future}\n{L2_B}\n", "test.tle")
    assert filter_launched_by(tles, "1998-067").names == ["ISS"]
    assert filter_launched_by(tles, "1998-066").names == []
    assert filter_launched_by(tles, "2056-001").names == ["ISS", "F"]
    with pytest.raises(ValueError, match="YYYY-NNN"):
        filter_launched_by(tles, "22-049")


def test_subset_by_mask_and_index():
    tles = parse_tle(f"{NAME_A}\n{L1_A}\n{L2_A}\n{NAME_B}\n{L1_B}\n{L2_B}\n", "test.tle")
    assert tles.subset(np.array([False, True])).names == [NAME_B]
    assert tles.subset([1, 0]).catalog.tolist() == [44252, 44238]
    with pytest.raises(ValueError, match="mask"):
        tles.subset(np.array([True]))
