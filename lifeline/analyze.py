"""Analyses of a pair-mode run (``pairs.parquet``), the ones Hypatia users run.

For every pair: RTT min / max / max − min over the connected steps, the geodesic RTT (great
circle at c, both ways), stretch (RTT / geodesic RTT, at the min and the max RTT), hop counts,
the number of path changes and a log of them (time, old path, new path). Across pairs:
percentiles of each figure, and top-10 lists (largest RTT swing, most path changes).

As in Hypatia's ``analyze_rtt.py``, the great circle is taken on a sphere of the WGS72 radius
6378.135 km; the first path of a pair is not a change, and a step with no path counts as a
path (so losing and regaining the connection are two changes), as in ``analyze_path.py``.

References
----------
Hypatia ``satgenpy/satgen/post_analysis/analyze_rtt.py`` and ``analyze_path.py``
(Kassing et al., IMC 2020).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lifeline.constants import C_KM_S
from lifeline.errors import LifelineError
from lifeline.geo import great_circle_km
from lifeline.results import atomic_path, write_json

__all__ = ["AnalysisError", "PairAnalysis", "analyze"]

#: Sphere radius of Hypatia's geodesic distances [km] (WGS72, analyze_rtt.py;
#: references.md#hypatia).
GEODESIC_RADIUS_KM = 6378.135
_PERCENTILES = (0, 10, 50, 90, 100)


class AnalysisError(LifelineError):
    """A pair-mode output folder cannot be analysed.

    Attributes
    ----------
    file : str
    allowed : str
    """

    def __init__(self, file: str, allowed: str) -> None:
        self.file = file
        self.allowed = allowed
        super().__init__(f"{file}: {allowed}")


@dataclass(frozen=True)
class PairAnalysis:
    """Result of :func:`analyze`.

    Attributes
    ----------
    pairs : pyarrow.Table
        One row per pair (written to ``analysis/pairs_summary.parquet``).
    path_changes : pyarrow.Table
        One row per path change (``analysis/path_changes.parquet``).
    summary : dict
        Distributions across pairs and top-10 lists (``analysis/summary.json``).
    """

    pairs: pa.Table
    path_changes: pa.Table
    summary: dict


def _row_hash(table: pa.Table) -> np.ndarray:
    """A 64-bit fingerprint of each row's path (equal paths, equal hashes)."""
    path = table.column("path").combine_chunks()
    offsets = path.offsets.to_numpy()
    values = path.values.to_numpy().astype(np.uint64) + np.uint64(1)
    lengths = np.diff(offsets)
    row = np.repeat(np.arange(len(lengths)), lengths)
    position = (np.arange(len(values)) - offsets[:-1][row]).astype(np.uint64)
    with np.errstate(over="ignore"):
        mixed = values * np.uint64(0x9E3779B97F4A7C15) ^ (position * np.uint64(0xBF58476D1CE4E5B9))
        mixed ^= mixed >> np.uint64(31)
        hashed = np.zeros(len(lengths), dtype=np.uint64)
        np.add.at(hashed, row, mixed * np.uint64(0x94D049BB133111EB))
    return hashed ^ lengths.astype(np.uint64)


def _percentiles(values: np.ndarray) -> dict[str, float | None]:
    values = values[np.isfinite(values)]
    if not len(values):
        return {f"p{p}": None for p in _PERCENTILES}
    found = np.percentile(values, _PERCENTILES)
    return {f"p{p}": float(v) for p, v in zip(_PERCENTILES, found, strict=True)}


def analyze(out_dir: str | Path, write: bool = True) -> PairAnalysis:
    """Analyse ``out_dir/pairs.parquet`` (and ``pairs_meta.json``) from a pair-mode run.

    Parameters
    ----------
    out_dir : path
        The folder a pair-mode run wrote.
    write : bool
        Write ``out_dir/analysis/{pairs_summary.parquet, path_changes.parquet, summary.json}``.

    Returns
    -------
    PairAnalysis

    Raises
    ------
    AnalysisError
        Missing or unreadable files.
    """
    folder = Path(out_dir)
    table_path, meta_path = folder / "pairs.parquet", folder / "pairs_meta.json"
    for path in (table_path, meta_path):
        if not path.is_file():
            raise AnalysisError(str(path), "missing: run `lifeline hypatia ... --out DIR` first")
    try:
        table = pq.read_table(table_path)
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise AnalysisError(str(table_path), f"a pairs table and its metadata ({exc})") from None

    n_steps = int(meta["n_steps"])
    n_rows = table.num_rows
    if n_steps <= 0 or n_rows % n_steps:
        raise AnalysisError(str(table_path), f"{n_rows} rows is not a multiple of {n_steps} steps")
    n_pairs = n_rows // n_steps
    shape = (n_steps, n_pairs)
    src = table.column("src_id").to_numpy()[:n_pairs]
    dst = table.column("dst_id").to_numpy()[:n_pairs]
    time_s = table.column("time_s").to_numpy().reshape(shape)[:, 0]
    connected = table.column("connected").to_numpy(zero_copy_only=False).reshape(shape)
    rtt = table.column("rtt_ms").to_numpy().reshape(shape)
    hops = pc.fill_null(table.column("hops"), -1).to_numpy().reshape(shape).astype(float)
    hops[~connected] = np.nan
    key = _row_hash(table).reshape(shape)

    with warnings.catch_warnings():
        # A pair never connected has an all-NaN column: its min and max are NaN, as wanted.
        warnings.simplefilter("ignore", RuntimeWarning)
        rtt_min = np.nanmin(np.where(connected, rtt, np.nan), axis=0)
        rtt_max = np.nanmax(np.where(connected, rtt, np.nan), axis=0)
    changed = key[1:] != key[:-1]
    n_changes = changed.sum(axis=0)
    stations = meta["ground_stations"]
    lat = np.array([g["lat_deg"] for g in stations])
    lon = np.array([g["lon_deg"] for g in stations])
    names = [g["name"] for g in stations]
    geodesic_km = great_circle_km(lat[src], lon[src], lat[dst], lon[dst], GEODESIC_RADIUS_KM)
    geodesic_rtt_ms = 2.0 * geodesic_km / C_KM_S * 1e3
    with np.errstate(divide="ignore", invalid="ignore"):
        stretch_min = rtt_min / geodesic_rtt_ms
        stretch_max = rtt_max / geodesic_rtt_ms

    pairs = pa.table(
        {
            "src": [names[i] for i in src],
            "dst": [names[j] for j in dst],
            "src_id": src.astype(np.int32),
            "dst_id": dst.astype(np.int32),
            "connected_pct": 100.0 * connected.mean(axis=0),
            "rtt_min_ms": rtt_min,
            "rtt_max_ms": rtt_max,
            "rtt_swing_ms": rtt_max - rtt_min,
            "geodesic_km": geodesic_km,
            "geodesic_rtt_ms": geodesic_rtt_ms,
            "stretch_min": stretch_min,
            "stretch_max": stretch_max,
            "hops_min": np.nanmin(np.where(connected, hops, np.inf), axis=0),
            "hops_max": np.nanmax(np.where(connected, hops, -np.inf), axis=0),
            "path_changes": n_changes.astype(np.int64),
        }
    )

    step_index, pair_index = np.nonzero(changed)
    new_rows = (step_index + 1) * n_pairs + pair_index
    old_rows = step_index * n_pairs + pair_index
    path_column = table.column("path")
    log = pa.table(
        {
            "time_s": time_s[step_index + 1],
            "src": [names[i] for i in src[pair_index]],
            "dst": [names[j] for j in dst[pair_index]],
            "old_path": path_column.take(pa.array(old_rows, pa.int64())),
            "new_path": path_column.take(pa.array(new_rows, pa.int64())),
        }
    )

    def top10(values: np.ndarray, label: str) -> list[dict]:
        order = np.argsort(-np.nan_to_num(values, nan=-np.inf), kind="stable")[:10]
        return [
            {"src": names[src[k]], "dst": names[dst[k]], label: float(values[k])} for k in order
        ]

    summary = {
        "source": meta.get("source", ""),
        "conventions": meta.get("conventions", ""),
        "n_pairs": n_pairs,
        "n_steps": n_steps,
        "step_s": meta.get("step_s"),
        "connected_pct": float(100.0 * connected.mean()),
        "distributions_across_pairs": {
            name: _percentiles(np.asarray(values, dtype=float))
            for name, values in (
                ("rtt_min_ms", rtt_min),
                ("rtt_max_ms", rtt_max),
                ("rtt_swing_ms", rtt_max - rtt_min),
                ("stretch_max", stretch_max),
                ("path_changes", n_changes),
            )
        },
        "top10_rtt_swing_ms": top10(rtt_max - rtt_min, "rtt_swing_ms"),
        "top10_path_changes": top10(n_changes.astype(float), "path_changes"),
    }
    if write:
        target = folder / "analysis"
        target.mkdir(exist_ok=True)
        for name, data in (("pairs_summary", pairs), ("path_changes", log)):
            with atomic_path(target / f"{name}.parquet") as tmp:
                pq.write_table(data, tmp, compression="zstd")
        write_json(target / "summary.json", _finite(summary))
    return PairAnalysis(pairs=pairs, path_changes=log, summary=summary)


def _finite(value):
    """JSON-safe copy: non-finite floats become None."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
