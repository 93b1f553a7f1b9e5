"""Result tables: the one definition of their schema, atomic Parquet/JSON writing, summaries.

``terminals.parquet`` has one row per terminal per time step. The schema below is the only place
its columns are defined; units and descriptions travel in the Parquet field metadata and a schema
version in the file metadata.

Writes are atomic: a file is written under a temporary name in the same folder and renamed into
place only when complete, so a run that dies leaves no complete-looking file.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lifeline.errors import InputFileError
from lifeline.io.depth import parse_json
from lifeline.outdir import OutputDirError
from lifeline.reasons import REASONS
from lifeline.streams import MemoryStreams

if TYPE_CHECKING:  # the summary reads a scenario's fields; results sit below the config layer
    from lifeline.config import Scenario

log = logging.getLogger(__name__)

SCHEMA_VERSION = "2"  # 2: throughput, capacity and demand each way


def _field(name: str, type_: pa.DataType, unit: str, description: str) -> pa.Field:
    return pa.field(name, type_, metadata={"unit": unit, "description": description})


_DICT_STR = pa.dictionary(pa.int32(), pa.string())

TERMINALS_SCHEMA = pa.schema(
    [
        _field("time_utc", pa.timestamp("ns", tz="UTC"), "UTC", "instant of the time step"),
        _field("time_s", pa.float64(), "s", "seconds since the scenario start"),
        _field("terminal", _DICT_STR, "", "terminal name"),
        _field("connected", pa.bool_(), "", "the terminal has a path to a PoP"),
        _field("reason", _DICT_STR, "", "why not connected ('' when connected)"),
        _field("satellite", _DICT_STR, "", "serving satellite (null when not connected)"),
        _field("elevation_deg", pa.float64(), "deg", "elevation of the serving satellite"),
        _field("azimuth_deg", pa.float64(), "deg", "azimuth of the serving satellite, from north"),
        _field("range_km", pa.float64(), "km", "slant range terminal to serving satellite"),
        _field("isl_hops", pa.int16(), "", "laser links on the path (null when not connected)"),
        _field("gateway", _DICT_STR, "", "gateway where the traffic lands"),
        _field("pop", _DICT_STR, "", "point of presence where the traffic leaves"),
        _field(
            "rtt_ms",
            pa.float64(),
            "ms",
            "round-trip time terminal to PoP = rtt_space_ms + rtt_ground_ms + rtt_access_ms",
        ),
        _field(
            "rtt_space_ms",
            pa.float64(),
            "ms",
            "space segment, both ways: terminal -> satellite -> lasers -> gateway, at c",
        ),
        _field(
            "rtt_ground_ms",
            pa.float64(),
            "ms",
            "gateway -> PoP fibre backhaul, both ways",
        ),
        _field(
            "rtt_access_ms",
            pa.float64(),
            "ms",
            "access link: scheduling, framing, queueing and processing (lifeline.links.access)",
        ),
        _field(
            "sinr_db",
            pa.float32(),
            "dB",
            "user downlink SINR from the serving satellite, jammers included (null without one)",
        ),
        _field("modcod", _DICT_STR, "", "DVB-S2X MODCOD stand-in ('' when down)"),
        _field(
            "capacity_down_mbps",
            pa.float32(),
            "Mbit/s",
            "downlink rate of the terminal alone in its beam (no other subscriber)",
        ),
        _field(
            "capacity_up_mbps",
            pa.float32(),
            "Mbit/s",
            "uplink rate of the terminal alone in its beam (no other subscriber)",
        ),
        _field("demand_down_mbps", pa.float32(), "Mbit/s", "users x download per user"),
        _field("demand_up_mbps", pa.float32(), "Mbit/s", "users x upload per user"),
        _field(
            "throughput_down_mbps",
            pa.float32(),
            "Mbit/s",
            "max-min fair share of the beam (with the cell's other subscribers), feeder and "
            "lasers, capped at demand (0 when down)",
        ),
        _field(
            "throughput_up_mbps",
            pa.float32(),
            "Mbit/s",
            "max-min fair share of the uplink beam (with the cell's other subscribers), capped "
            "at demand (0 when down)",
        ),
    ],
    metadata={"lifeline_schema_version": SCHEMA_VERSION, "table": "terminals"},
)


#: Schema of ``pairs.parquet`` (pair mode, :mod:`lifeline.pairmode`): one row per pair per step.
PAIRS_SCHEMA = pa.schema(
    [
        _field("time_utc", pa.timestamp("ns", tz="UTC"), "UTC", "instant of the time step"),
        _field("time_s", pa.float64(), "s", "seconds since the start (Hypatia: the TLE epoch)"),
        _field("src", _DICT_STR, "", "source ground-station name"),
        _field("dst", _DICT_STR, "", "destination ground-station name"),
        _field("src_id", pa.int32(), "", "source ground-station id (its node is S + id)"),
        _field("dst_id", pa.int32(), "", "destination ground-station id"),
        _field("connected", pa.bool_(), "", "a path exists"),
        _field("rtt_ms", pa.float64(), "ms", "round-trip time, 2 x path length / c (NaN if none)"),
        _field("hops", pa.int16(), "", "links on the path, GSLs included (null if none)"),
        _field(
            "path",
            pa.list_(pa.int32()),
            "",
            "node ids src .. dst; satellites 0..S-1, ground station g is S + g",
        ),
    ],
    metadata={"lifeline_schema_version": SCHEMA_VERSION, "table": "pairs"},
)


def dictionary_column(codes: np.ndarray, names: list[str]) -> pa.DictionaryArray:
    """A dictionary-encoded string column from integer codes (-1 → null)."""
    codes = np.asarray(codes, dtype=np.int32)
    mask = codes < 0
    indices = pa.array(np.where(mask, 0, codes), type=pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, pa.array(names, type=pa.string()))


def temp_beside(path: Path) -> Path:
    """A fresh temporary file in ``path``'s folder (same file system, so renaming is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    # mkstemp makes the file private (0600); results are for sharing: use the usual mode.
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)
    os.close(fd)
    return Path(tmp)


def fsync_path(path: Path) -> None:
    """Flush a file (or a folder's entries) to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: Path, durable: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    ``durable``: flush the file, then the folder's entry, to the disk before returning, so
    that after a power loss the file is either whole or absent (what a resume relies on; a
    rename alone may reach the disk before the data, leaving a 0-byte file).
    """
    path = Path(path)
    tmp = temp_beside(path)
    try:
        yield tmp
        if durable:
            fsync_path(tmp)
        os.replace(tmp, path)
        if durable:
            fsync_path(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path: Path, data: object, durable: bool = False) -> None:
    """Write JSON atomically (``durable``: see :func:`atomic_path`)."""
    with atomic_path(path, durable) as tmp:
        tmp.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")


def _runs(mask: np.ndarray) -> np.ndarray:
    """Lengths of the runs of True in a 1-D bool array."""
    padded = np.r_[False, mask, False].astype(np.int8)
    edges = np.diff(padded)
    return np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)


def _durations(runs_s: np.ndarray) -> dict:
    """Count and p50/p95/max of outage durations [s] (``None`` when there are none)."""
    if not len(runs_s):
        return {"count": 0, "p50_s": None, "p95_s": None, "max_s": None}
    p50, p95 = np.percentile(runs_s, [50, 95])
    return {
        "count": len(runs_s),
        "p50_s": round(float(p50), 3),
        "p95_s": round(float(p95), 3),
        "max_s": float(runs_s.max()),
    }


def summarize(
    acc: MemoryStreams,
    terminal_names: list[str],
    reason_names: tuple[str, ...],
    step_s: float,
) -> dict:
    """Per-terminal summary figures.

    For each terminal: availability [%] (share of steps connected), RTT p5/p50/p95 over the
    connected steps [ms], handovers (changes of serving satellite between consecutive connected
    steps), number of outages (maximal runs of disconnected steps), the longest outage [s], the
    disconnected time by reason [s], the share of time out because of obstructions [%], the
    time to first service [s] (``None`` if never served), and the outage duration distribution
    (count, p50/p95/max [s]) overall and per cause (a cause's outages are the maximal runs of
    steps with that reason; percentiles by linear interpolation, ``numpy.percentile``).

    With the RTT's parts: ``rtt_parts_ms_p50`` (space, ground, access: each part's own median,
    so they need not add up to ``rtt_ms_p50``) and ``rtt_parts_ms_mean`` with ``rtt_ms_mean``
    (means, which do add up).

    With throughput streams (the radio layer), for each direction (``down``, ``up``):
    throughput p5/p50 [Mbit/s] over the connected steps, the demand [Mbit/s] and the share of
    demand served [%] = Σ throughput / Σ demand over every step (outages serve nothing).
    """
    obstructed = reason_names.index("obstructed") if "obstructed" in reason_names else -1
    out = {}
    # One terminal at a time (its whole run; from disk for DiskStreams): memory holds one
    # terminal's steps, not the run's.
    for i, name in enumerate(terminal_names):
        c, rtt_i, s, reason_i, down_i, up_i, parts_i = acc.terminal(i)
        c = c.astype(bool)
        r = rtt_i[c].astype(float)
        both = c[1:] & c[:-1]
        outages = _runs(~c)
        codes = [k for k in range(1, len(reason_names)) if np.any(reason_i == k)]
        by_reason = {
            reason_names[k]: float(np.count_nonzero(reason_i == k) * step_s) for k in codes
        }
        pct = np.percentile(r, [5, 50, 95]) if len(r) else [None, None, None]
        first = int(np.argmax(c)) if c.any() else None
        out[name] = {
            "availability_pct": float(100.0 * c.mean()) if len(c) else 0.0,
            "rtt_ms_p5": None if pct[0] is None else round(float(pct[0]), 3),
            "rtt_ms_p50": None if pct[1] is None else round(float(pct[1]), 3),
            "rtt_ms_p95": None if pct[2] is None else round(float(pct[2]), 3),
            "handovers": int(np.count_nonzero(both & (s[1:] != s[:-1]))),
            "outages": len(outages),
            "longest_outage_s": float(outages.max() * step_s) if len(outages) else 0.0,
            "outage_s_by_reason": by_reason,
            "obstructed_pct": float(100.0 * np.mean(reason_i == obstructed)) if len(c) else 0.0,
            "time_to_first_service_s": None if first is None else first * step_s,
            "outage_durations": _durations(outages * step_s),
            "outage_durations_by_reason": {
                reason_names[k]: _durations(_runs(reason_i == k) * step_s) for k in codes
            },
        }
        if parts_i is not None and c.any():
            p = parts_i[c].astype(float)
            names = ("space", "ground", "access")
            out[name]["rtt_ms_mean"] = round(float(r.mean()), 3)
            out[name]["rtt_parts_ms_mean"] = {
                k: round(float(v), 3) for k, v in zip(names, p.mean(axis=0), strict=True)
            }
            out[name]["rtt_parts_ms_p50"] = {
                k: round(float(v), 3) for k, v in zip(names, np.median(p, axis=0), strict=True)
            }
        throughput = {"down": down_i, "up": up_i}
        demands = {"down": acc.demand_down_mbps, "up": acc.demand_up_mbps}
        for way in ("down", "up"):
            if throughput[way] is None or not len(c) or demands[way] is None:
                continue
            t = throughput[way].astype(float)
            p5, p50 = np.percentile(t[c], [5, 50]) if c.any() else (None, None)
            demand = float(demands[way][i])
            served = 100.0 * t.sum() / (demand * len(t)) if demand > 0 else None
            out[name] |= {
                f"throughput_{way}_mbps_p5": None if p5 is None else round(float(p5), 3),
                f"throughput_{way}_mbps_p50": None if p50 is None else round(float(p50), 3),
                f"demand_{way}_mbps": demand,
                f"demand_{way}_served_pct": None if served is None else round(float(served), 3),
            }
    return out


@dataclass(frozen=True)
class RunInfo:
    """Facts about a finished run, for the summary and the log (what the engine reports)."""

    n_satellites: int
    n_isl_links: int
    n_steps: int
    sgp4_error_samples: int
    out_of_band_samples: int
    events: list[dict]  # what each event hit (lifeline.events.Timeline.hits)
    power: dict[str, dict]  # per terminal with a power model (engine PowerTimeline.stats)
    assumptions: dict = field(default_factory=dict)  # what the run assumes (engine)


def build_summary(
    scenario: Scenario, info: RunInfo, acc: MemoryStreams, elapsed_s: float
) -> dict:
    """The content of ``summary.json``: the run's facts and every terminal's figures
    (:func:`summarize`, with its power statistics when it has a power model)."""
    tm = scenario.time
    terminals = summarize(acc, [t.name for t in scenario.terminals], REASONS, tm.step_s)
    for name, stats in info.power.items():
        terminals[name]["power"] = stats
    return {
        "lifeline_version": version("lifeline"),
        "scenario": scenario.name,
        "source": scenario.source,
        "start_utc": tm.start_utc.isoformat(),
        "end_utc": tm.end_utc.isoformat(),
        "step_s": tm.step_s,
        "slot_s": tm.slot_s,
        "n_steps": info.n_steps,
        "isl": scenario.network.isl,
        "assumptions": info.assumptions,
        "n_satellites": info.n_satellites,
        "n_isl_links": info.n_isl_links,
        "propagation_warnings": {
            "sgp4_error_samples": info.sgp4_error_samples,
            "out_of_band_samples": info.out_of_band_samples,
        },
        "events": info.events,
        "elapsed_s": round(elapsed_s, 3),
        "terminals": terminals,
    }


#: Per-terminal summary figures :func:`compare_summaries` puts side by side (if both have them).
COMPARED = (
    "availability_pct",
    "rtt_ms_p50",
    "rtt_ms_p95",
    "throughput_down_mbps_p50",
    "throughput_up_mbps_p50",
)


# What read_summary checks, for the fields report and compare use (older summaries may lack
# some; only `terminals` is required). "number": finite int or float, not a bool.
_SUMMARY_FIELDS = {
    "scenario": "text",
    "source": "text",
    "start_utc": "time",
    "end_utc": "time",
    "step_s": "positive",
    "slot_s": "positive",
    "n_steps": "count",
    "n_satellites": "count",
    "n_isl_links": "count",
    "isl": "bool",
    "events": "objects",
    "elapsed_s": "number",
}
# Per-terminal figures: each may also be null (no connected step, no radio layer).
_TERMINAL_FIGURES = {
    "availability_pct": "number",
    "rtt_ms_p5": "number",
    "rtt_ms_p50": "number",
    "rtt_ms_p95": "number",
    "handovers": "count",
    "outages": "count",
    "longest_outage_s": "number",
    "obstructed_pct": "number",
    "time_to_first_service_s": "number",
    "throughput_mbps_p5": "number",
    "throughput_mbps_p50": "number",
    "demand_mbps": "number",
    "demand_served_pct": "number",
    "throughput_down_mbps_p5": "number",
    "throughput_down_mbps_p50": "number",
    "throughput_up_mbps_p5": "number",
    "throughput_up_mbps_p50": "number",
    "demand_down_mbps": "number",
    "demand_up_mbps": "number",
    "demand_down_served_pct": "number",
    "demand_up_served_pct": "number",
    "outage_s_by_reason": "numbers",
    "outage_durations": "object",
    "outage_durations_by_reason": "object",
}
_KIND_ALLOWED = {
    "text": "a string",
    "time": "an ISO 8601 date-time string",
    "positive": "a finite number > 0",
    "number": "a finite number",
    "count": "an integer >= 0",
    "bool": "true or false",
    "object": "an object",
    "objects": "an array of objects",
    "numbers": "an object of finite numbers",
}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def _fits(kind: str, value: object) -> bool:
    if kind == "text":
        return isinstance(value, str)
    if kind == "time":
        try:
            datetime.fromisoformat(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return True
    if kind == "positive":
        return _is_number(value) and value > 0  # type: ignore[operator]
    if kind == "number":
        return _is_number(value)
    if kind == "count":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "objects":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    # "numbers"
    return isinstance(value, dict) and all(_is_number(v) for v in value.values())


def read_summary(out_dir: Path, *, need_terminals: bool = True) -> dict:
    """``out_dir/summary.json`` of a finished run, checked field by field.

    `need_terminals`: the per-terminal table must be there (``compare`` needs it; the report
    can take the terminals from ``terminals.parquet``).

    Raises
    ------
    InputFileError
        If the file is missing, unreadable, not JSON (naming its line), nested too deep, or a
        field that ``report`` or ``compare`` reads has the wrong type (naming the field, e.g.
        ``terminals['Kyiv'].rtt_ms_p50``, the value and what it should be).
    """
    path = Path(out_dir) / "summary.json"
    file = str(path)
    allowed = "the output folder of `lifeline run` (with a summary.json)"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(file, 0, "missing", allowed) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(file, 0, str(exc), f"a readable UTF-8 file; {allowed}") from None
    data = parse_json(text, file, f"valid JSON; {allowed}")
    if not isinstance(data, dict):
        raise InputFileError(
            file, 0, f"a JSON {type(data).__name__}", f"an object of terminals; {allowed}",
            column="terminals",
        )  # fmt: skip
    if not isinstance(data.get("terminals", None if need_terminals else {}), dict):
        raise InputFileError(
            file, 0, data.get("terminals"), f"an object of terminals; {allowed}", column="terminals"
        )
    for key, kind in _SUMMARY_FIELDS.items():
        if key in data and not _fits(kind, data[key]):
            raise InputFileError(file, 0, data[key], _KIND_ALLOWED[kind], column=key)
    for name, figures in data.get("terminals", {}).items():
        where = f"terminals[{name!r}]"
        if not isinstance(figures, dict):
            raise InputFileError(file, 0, figures, "an object of figures", column=where)
        for key, kind in _TERMINAL_FIGURES.items():
            value = figures.get(key)
            if value is not None and not _fits(kind, value):
                allowed_kind = f"{_KIND_ALLOWED[kind]} or null"
                raise InputFileError(file, 0, value, allowed_kind, column=f"{where}.{key}")
    return data


def compare_summaries(a: dict, b: dict) -> list[dict]:
    """Per-terminal figures of two runs and their differences (B − A).

    Terminals are matched by name (A's order, then those only in B). For each figure in
    :data:`COMPARED` that either run has: ``{figure}_a``, ``{figure}_b`` and ``{figure}_delta``
    (``None`` where a side lacks it). ``in`` says ``"both"``, ``"a"`` or ``"b"``.
    """
    ta, tb = a["terminals"], b["terminals"]
    names = list(ta) + [n for n in tb if n not in ta]
    figures = [
        f for f in COMPARED if any(f in t for t in ta.values()) or any(f in t for t in tb.values())
    ]
    rows = []
    for name in names:
        row: dict = {"terminal": name, "in": "both" if name in ta and name in tb else
                     ("a" if name in ta else "b")}  # fmt: skip
        for f in figures:
            va = ta.get(name, {}).get(f)
            vb = tb.get(name, {}).get(f)
            row[f"{f}_a"], row[f"{f}_b"] = va, vb
            row[f"{f}_delta"] = None if va is None or vb is None else round(vb - va, 6)
        rows.append(row)
    return rows


class TerminalsWriter:
    """Stream record batches of the terminals table into a Parquet file, atomically."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._tmp = temp_beside(self.path)
        self._writer = pq.ParquetWriter(self._tmp, TERMINALS_SCHEMA, compression="zstd")

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self, ok: bool) -> None:
        """Finish: rename into place when ``ok``, otherwise discard the partial file (also when
        closing fails, e.g. on a full disk: no half-written file stays behind)."""
        try:
            self._writer.close()
            if ok:
                os.replace(self._tmp, self.path)
        finally:
            self._tmp.unlink(missing_ok=True)


#: Folder of a run's completed chunks inside its output folder (see :class:`RunCheckpoint`).
PARTS_DIR = ".terminals.parts"
_CHUNK_KEY = b"lifeline.chunk"


class ResumeError(OutputDirError):
    """The finished chunks in an output folder cannot be used as asked (another run's, a
    corrupt manifest, or chunks a run without ``--resume``/``--fresh`` would discard)."""


def _chunk_ok(path: Path) -> bool:
    """Whether a chunk file is whole: a Parquet footer with the chunk's counters."""
    try:
        return _CHUNK_KEY in (pq.read_schema(path).metadata or {})
    except (OSError, pa.ArrowException):
        return False


class RunCheckpoint:
    """A run's completed time chunks, each in its own Parquet file under ``OUT/.terminals.parts``.

    Each file is written atomically and flushed to the disk (temporary name, fsync, rename,
    fsync of the folder), so a file there is a whole chunk even after a power loss;
    ``manifest.json`` names the run they belong to (a fingerprint of the resolved scenario,
    its TLE file and the lifeline version). A run killed midway leaves them. Then:

    - ``resume``: the chunks are kept and only the missing ones are computed; a chunk file
      that cannot be read (a 0-byte file from a power loss) is deleted and computed again (a
      warning says so); chunks of another run, or a manifest that cannot be read, are refused.
    - ``fresh``: the chunks are discarded (a warning gives their number) and the run starts over.
    - neither: refused while chunks are there, so finished work is never lost silently.

    The finished run removes the folder (:meth:`remove`).

    Attributes
    ----------
    recomputed : list of pathlib.Path
        Unreadable chunk files found on ``resume`` and removed.
    discarded : int
        Chunks dropped by ``fresh``.
    """

    def __init__(
        self, out_dir: Path, fingerprint: str, resume: bool, fresh: bool = False
    ) -> None:
        self.folder = Path(out_dir) / PARTS_DIR
        self.recomputed: list[Path] = []
        self.discarded = 0
        manifest = self.folder / "manifest.json"
        chunks = sorted(self.folder.glob("steps-*.parquet")) if self.folder.is_dir() else []
        if self.folder.exists() and fresh:
            self.discarded = len(chunks)
            if chunks:
                log.warning(
                    "%s: discarding %d finished chunks of an earlier run (--fresh)",
                    self.folder,
                    len(chunks),
                )
            shutil.rmtree(self.folder)
        elif self.folder.exists() and resume:
            self._check_manifest(manifest, fingerprint)
            for path in chunks:
                if not _chunk_ok(path):
                    log.warning("%s is unreadable (cut short by a crash?): computed again", path)
                    path.unlink()
                    self.recomputed.append(path)
        elif chunks:
            raise ResumeError(
                self.folder.parent,
                f"holds {len(chunks)} finished chunks of an interrupted run (in {PARTS_DIR})",
                "add --resume to finish that run, or --fresh to discard them and start over",
            )
        elif self.folder.exists():
            shutil.rmtree(self.folder)  # a manifest without chunks: nothing to keep
        self.folder.mkdir(parents=True, exist_ok=True)
        write_json(manifest, {"fingerprint": fingerprint}, durable=True)

    def _check_manifest(self, manifest: Path, fingerprint: str) -> None:
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            found = data["fingerprint"]
        except FileNotFoundError:
            raise ResumeError(
                manifest,
                "is missing, so the chunks beside it cannot be matched to a run",
                "run with --fresh to start over",
            ) from None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise ResumeError(
                manifest,
                f"is corrupt ({type(exc).__name__}), so the chunks cannot be matched to a run",
                "run with --fresh to start over",
            ) from None
        if found != fingerprint:
            raise ResumeError(
                self.folder,
                "holds completed chunks of another scenario, TLE file or lifeline version",
                "--resume with the scenario that was interrupted, or --fresh to discard them",
            )

    def _path(self, k0: int, k1: int) -> Path:
        return self.folder / f"steps-{k0:010d}-{k1:010d}.parquet"

    def has(self, k0: int, k1: int) -> bool:
        """Whether steps [k0, k1) were completed."""
        return self._path(k0, k1).is_file()

    def save(self, k0: int, k1: int, table: pa.Table, counts: dict[str, int]) -> None:
        """Keep a completed chunk's rows and its counters (atomically, flushed to the disk)."""
        meta = {**(table.schema.metadata or {}), _CHUNK_KEY: json.dumps(counts).encode()}
        with atomic_path(self._path(k0, k1), durable=True) as tmp:
            pq.write_table(table.replace_schema_metadata(meta), tmp, compression="zstd")

    def load(self, k0: int, k1: int) -> tuple[pa.Table, dict[str, int]]:
        """A completed chunk's rows (schema :data:`TERMINALS_SCHEMA`) and its counters."""
        path = self._path(k0, k1)
        try:
            table = pq.read_table(path)
            counts = json.loads(table.schema.metadata[_CHUNK_KEY])
        except (OSError, KeyError, ValueError, pa.ArrowException) as exc:
            raise ResumeError(
                path, f"unreadable ({exc})", "a chunk file written by lifeline run"
            ) from None
        return table.replace_schema_metadata(TERMINALS_SCHEMA.metadata), counts

    def remove(self) -> None:
        """Drop the chunks once the run's files are in place."""
        shutil.rmtree(self.folder, ignore_errors=True)


def remove_partials(out_dir: Path) -> list[Path]:
    """Delete the temporary files (``.NAME.*.partial``) a killed run left in ``out_dir``.

    Call it only while holding the folder's lock: another writer's are in use.
    """
    found = sorted(Path(out_dir).glob(".*.partial"))
    for path in found:
        path.unlink(missing_ok=True)
    return found


def _codes(column: pa.ChunkedArray, names: list[str]) -> np.ndarray:
    """Integer codes into ``names`` of a dictionary string column (-1 for null)."""
    array = column.combine_chunks()
    lookup = {name: i for i, name in enumerate(names)}
    values = np.array([lookup[v] for v in array.dictionary.to_pylist()] + [-1], dtype=np.int64)
    indices = array.indices.fill_null(len(values) - 1).to_numpy()
    return values[indices]


def accumulator_columns(
    table: pa.Table, n_terminals: int, satellite_names: list[str], reasons: list[str]
) -> tuple[np.ndarray, ...]:
    """(connected, rtt_ms, satellite, reason, throughput_down_mbps, throughput_up_mbps,
    rtt_parts_ms), each (steps, N) (the parts (steps, N, 3)), back from the rows of a chunk (what
    :meth:`lifeline.streams.MemoryStreams.add` takes)."""

    def grid(values: np.ndarray) -> np.ndarray:
        return values.reshape(-1, n_terminals)

    return (
        grid(table["connected"].to_numpy()),
        grid(table["rtt_ms"].to_numpy()),
        grid(_codes(table["satellite"], satellite_names)),
        grid(_codes(table["reason"], reasons)),
        grid(table["throughput_down_mbps"].to_numpy()),
        grid(table["throughput_up_mbps"].to_numpy()),
        np.stack(
            [grid(table[c].to_numpy()) for c in ("rtt_space_ms", "rtt_ground_ms", "rtt_access_ms")],
            axis=-1,
        ),
    )
