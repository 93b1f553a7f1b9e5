"""Pair-mode analyses on a hand-made pairs table."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lifeline.analyze import GEODESIC_RADIUS_KM, AnalysisError, analyze
from lifeline.constants import C_KM_S
from lifeline.geo import great_circle_km
from lifeline.results import PAIRS_SCHEMA


def _write(folder, rows, n_steps):
    names = ["A", "B", "C"]
    dictionary = pa.array(names)
    cols = list(zip(*rows, strict=True))
    table = pa.Table.from_arrays(
        [
            pa.array(np.array(cols[0], dtype="datetime64[ns]"), pa.timestamp("ns", "UTC")),
            pa.array(cols[1], pa.float64()),
            pa.DictionaryArray.from_arrays(pa.array(cols[2], pa.int32()), dictionary),
            pa.DictionaryArray.from_arrays(pa.array(cols[3], pa.int32()), dictionary),
            pa.array(cols[2], pa.int32()),
            pa.array(cols[3], pa.int32()),
            pa.array(cols[4]),
            pa.array(cols[5], pa.float64()),
            pa.array(cols[6], pa.int16()),
            pa.array(cols[7], pa.list_(pa.int32())),
        ],
        schema=PAIRS_SCHEMA,
    )
    pq.write_table(table, folder / "pairs.parquet")
    meta = {
        "n_steps": n_steps,
        "step_s": 1.0,
        "ground_stations": [
            {"id": 0, "name": "A", "lat_deg": 0.0, "lon_deg": 0.0},
            {"id": 1, "name": "B", "lat_deg": 0.0, "lon_deg": 10.0},
            {"id": 2, "name": "C", "lat_deg": 10.0, "lon_deg": 0.0},
        ],
    }
    (folder / "pairs_meta.json").write_text(json.dumps(meta))


def test_rtt_changes_and_stretch(tmp_path):
    t = np.datetime64("2000-01-01T00:00:00", "ns")
    s = np.timedelta64(1, "s")
    rows = [
        # step 0
        (t, 0.0, 0, 1, True, 10.0, 3, [5, 0, 1, 6]),
        (t, 0.0, 0, 2, True, 20.0, 2, [5, 2, 7]),
        # step 1: A-B changes path, A-C loses its path
        (t + s, 1.0, 0, 1, True, 12.0, 3, [5, 0, 3, 6]),
        (t + s, 1.0, 0, 2, False, np.nan, None, []),
        # step 2: A-B same as step 1, A-C back
        (t + 2 * s, 2.0, 0, 1, True, 11.0, 3, [5, 0, 3, 6]),
        (t + 2 * s, 2.0, 0, 2, True, 21.0, 2, [5, 2, 7]),
    ]
    _write(tmp_path, rows, 3)
    result = analyze(tmp_path)
    pairs = result.pairs.to_pydict()
    assert pairs["rtt_min_ms"] == [10.0, 20.0]
    assert pairs["rtt_max_ms"] == [12.0, 21.0]
    assert pairs["rtt_swing_ms"] == [2.0, 1.0]
    assert pairs["path_changes"] == [1, 2]  # losing and regaining a path are two changes
    assert pairs["connected_pct"] == pytest.approx([100.0, 200.0 / 3])
    # 10 deg of longitude on the equator of a 6378.135 km sphere (Hypatia's geodesic).
    geodesic_km = great_circle_km(0, 0, 0, 10, GEODESIC_RADIUS_KM)
    assert pairs["geodesic_km"][0] == pytest.approx(2 * np.pi * 6378.135 / 36)
    assert pairs["stretch_max"][0] == pytest.approx(12.0 / (2e3 * geodesic_km / C_KM_S))
    log = result.path_changes.to_pydict()
    assert log["time_s"] == [1.0, 1.0, 2.0]
    assert log["old_path"][0] == [5, 0, 1, 6] and log["new_path"][0] == [5, 0, 3, 6]
    summary = json.loads((tmp_path / "analysis" / "summary.json").read_text())
    assert summary["top10_rtt_swing_ms"][0] == {"src": "A", "dst": "B", "rtt_swing_ms": 2.0}
    assert summary["top10_path_changes"][0]["path_changes"] == 2.0
    assert (tmp_path / "analysis" / "pairs_summary.parquet").is_file()


def test_missing_files(tmp_path):
    with pytest.raises(AnalysisError, match="missing"):
        analyze(tmp_path)
