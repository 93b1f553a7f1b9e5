"""``pairs.parquet``: one Arrow batch per block of steps (:func:`pairs_batch`, schema
:data:`lifeline.results.PAIRS_SCHEMA`), written by a background thread (:func:`timed_write`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lifeline.pairmode.network import PairNetwork
from lifeline.pairmode.route import MS_PER_KM_ROUND_TRIP, PairStep
from lifeline.results import PAIRS_SCHEMA

#: Parquet options of pairs.parquet: dictionary pages only for the station names (times, RTTs
#: and paths gain nothing from them), RTTs byte-stream-split (their bytes compress better
#: grouped): 44 % smaller than the defaults and written faster (docs/benchmarks.md).
PARQUET_OPTIONS = {
    "compression": "zstd",
    "use_dictionary": ["src", "dst"],
    "column_encoding": {"rtt_ms": "BYTE_STREAM_SPLIT"},
}


def pairs_batch(
    network: PairNetwork,
    times_utc: np.ndarray,
    time_s: np.ndarray,
    pairs: np.ndarray,
    steps: list[PairStep],
) -> pa.Table:
    """One block of steps as rows of ``pairs.parquet`` (schema :data:`PAIRS_SCHEMA`)."""
    n_pairs = len(pairs)
    n_steps = len(steps)
    length = np.concatenate([s.length_km for s in steps])
    connected = np.isfinite(length)
    rtt = np.where(connected, length * MS_PER_KM_ROUND_TRIP, np.nan)
    counts = np.concatenate([np.diff(s.path_offsets) for s in steps])
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    flat = np.concatenate([s.path_flat for s in steps]).astype(np.int32, copy=False)
    src_codes = np.tile(pairs[:, 0].astype(np.int32), n_steps)
    dst_codes = np.tile(pairs[:, 1].astype(np.int32), n_steps)
    dictionary = _arrow_strings(network.gs_names)
    utc_ns = np.repeat(times_utc.astype("datetime64[ns]").view(np.int64), n_pairs)
    hops = np.where(connected, counts - 1, 0).astype(np.int16)
    columns = [
        _arrow(PAIRS_SCHEMA.field("time_utc").type, utc_ns),
        _arrow(pa.float64(), np.repeat(time_s, n_pairs).astype(float)),
        pa.DictionaryArray.from_arrays(_arrow(pa.int32(), src_codes), dictionary),
        pa.DictionaryArray.from_arrays(_arrow(pa.int32(), dst_codes), dictionary),
        _arrow(pa.int32(), src_codes),
        _arrow(pa.int32(), dst_codes),
        _arrow(pa.bool_(), connected),
        _arrow(pa.float64(), rtt),
        _arrow(pa.int16(), hops, valid=connected),
        pa.ListArray.from_arrays(_arrow(pa.int32(), offsets), _arrow(pa.int32(), flat)),
    ]
    return pa.Table.from_arrays(columns, schema=PAIRS_SCHEMA)


def _arrow(type_: pa.DataType, values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """An Arrow array over a NumPy array's memory (``valid``: False → null).

    Built from buffers: pyarrow's NumPy conversion (``pa.array``) imports pandas the first time
    it runs, 0.3-0.6 s per process.
    """
    n = len(values)
    if type_ == pa.bool_():
        values = np.packbits(values, bitorder="little")
    elif values.dtype.itemsize * 8 != type_.bit_width:
        raise TypeError(f"{values.dtype} values for an Arrow {type_} array")
    bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(type_, n, [bitmap, pa.py_buffer(np.ascontiguousarray(values))])


def _arrow_strings(names: Sequence[str]) -> pa.Array:
    """An Arrow string array, from buffers as :func:`_arrow`."""
    encoded = [name.encode() for name in names]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), data])


def timed_write(writer: pq.ParquetWriter, table: Callable[[], pa.Table]) -> float:
    """Build a batch and write it (in the writer thread; pyarrow releases the GIL while it
    encodes and compresses); seconds spent."""
    t0 = time.perf_counter()
    writer.write_table(table())
    return time.perf_counter() - t0


def json_limit(value_km: float | np.ndarray) -> float | list | None:
    """A length limit for JSON: None where there is none (inf)."""
    array = np.asarray(value_km, dtype=float)
    out = np.where(np.isfinite(array), array, np.nan).tolist()
    return [None if v != v else v for v in out] if array.ndim else (None if out != out else out)
