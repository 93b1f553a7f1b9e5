"""A run's per-terminal streams on disk, so the parent's memory does not grow with run length.

The summary needs every step of eight columns per terminal (connected, RTT, serving satellite,
reason, throughput and the RTT's space, ground and access parts: 26 bytes per terminal-step).
Kept in memory that is 2.2 GB for a day at 1 s with 1,000 terminals. :class:`DiskStreams`
writes each chunk's columns into one file per column, laid out terminal-major (all steps of
terminal 0, then terminal 1, ...): a chunk is written as one ``pwrite`` per terminal and column
into space reserved when the run starts, and the summary reads one terminal's steps at a time,
so memory holds a chunk while writing and one terminal while summarising.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["DiskStreams", "MemoryStreams", "TerminalColumns"]

#: One terminal's whole run: connected, rtt_ms, satellite, reason, throughput down and up
#: [Mbit/s] (None when not given) and the RTT's space, ground and access parts (steps, 3)
#: (None when not given).
TerminalColumns = tuple[
    NDArray[np.bool_], NDArray[np.float32], NDArray[np.int32], NDArray[np.int8],
    NDArray[np.float32] | None, NDArray[np.float32] | None, NDArray[np.float32] | None,
]  # fmt: skip

_COLUMNS = {
    "connected": np.dtype(np.bool_),
    "rtt_ms": np.dtype(np.float32),
    "satellite": np.dtype(np.int32),
    "reason": np.dtype(np.int8),
    "throughput_down_mbps": np.dtype(np.float32),
    "throughput_up_mbps": np.dtype(np.float32),
    "rtt_space_ms": np.dtype(np.float32),
    "rtt_ground_ms": np.dtype(np.float32),
    "rtt_access_ms": np.dtype(np.float32),
}
_PARTS = ("rtt_space_ms", "rtt_ground_ms", "rtt_access_ms")


def _values(
    connected: ArrayLike,
    rtt_ms: ArrayLike,
    satellite: ArrayLike,
    reason: ArrayLike,
    throughput_down_mbps: ArrayLike | None,
    throughput_up_mbps: ArrayLike | None,
    rtt_parts_ms: ArrayLike | None,
) -> dict[str, np.ndarray | None]:
    """A chunk's columns by name, each (steps, N) of its dtype (None where not given)."""
    values: dict[str, ArrayLike | None] = {
        "connected": connected,
        "rtt_ms": rtt_ms,
        "satellite": satellite,
        "reason": reason,
        "throughput_down_mbps": throughput_down_mbps,
        "throughput_up_mbps": throughput_up_mbps,
    }
    parts = None if rtt_parts_ms is None else np.asarray(rtt_parts_ms)
    for k, name in enumerate(_PARTS):
        values[name] = None if parts is None else parts[..., k]
    return {
        name: None if v is None else np.asarray(v, dtype=_COLUMNS[name])
        for name, v in values.items()
    }


class MemoryStreams:
    """Per-terminal streams kept in memory (in-memory runs, small runs), by chunk.

    Attributes
    ----------
    n_terminals : int
    demand_down_mbps, demand_up_mbps : ndarray (N,) or None
        Each terminal's demand [Mbit/s], set by the engine.
    """

    def __init__(self, n_terminals: int) -> None:
        self.n_terminals = n_terminals
        self.demand_down_mbps: NDArray[np.float64] | None = None
        self.demand_up_mbps: NDArray[np.float64] | None = None
        self._chunks: dict[str, list[np.ndarray]] = {name: [] for name in _COLUMNS}

    def add(
        self,
        connected: ArrayLike,
        rtt_ms: ArrayLike,
        satellite: ArrayLike,
        reason: ArrayLike,
        throughput_down_mbps: ArrayLike | None = None,
        throughput_up_mbps: ArrayLike | None = None,
        rtt_parts_ms: ArrayLike | None = None,
    ) -> None:
        """Append a chunk: arrays of shape (steps, N); ``rtt_parts_ms`` (steps, N, 3): the
        space, ground and access parts of the RTT."""
        for name, value in _values(
            connected,
            rtt_ms,
            satellite,
            reason,
            throughput_down_mbps,
            throughput_up_mbps,
            rtt_parts_ms,
        ).items():
            if value is not None:
                self._chunks[name].append(value)

    @property
    def n_steps(self) -> int:
        return sum(len(c) for c in self._chunks["connected"])

    def has(self, name: str) -> bool:
        """Whether column ``name`` was given."""
        return bool(self._chunks[name])

    def _column(self, name: str, i: int) -> np.ndarray:
        chunks = self._chunks[name]
        if not chunks:
            return np.zeros(0, dtype=_COLUMNS[name])
        return np.concatenate([c[:, i] for c in chunks])

    def terminal(self, i: int) -> TerminalColumns:
        """Every step of terminal ``i`` (see :data:`TerminalColumns`)."""
        down, up = (
            self._column(n, i) if self.has(n) else None
            for n in ("throughput_down_mbps", "throughput_up_mbps")
        )
        parts = None
        if self.has(_PARTS[0]):
            parts = np.stack([self._column(name, i) for name in _PARTS], axis=-1)
        return (
            self._column("connected", i), self._column("rtt_ms", i),
            self._column("satellite", i), self._column("reason", i), down, up, parts,
        )  # fmt: skip

    def close(self) -> None:
        self._chunks = {name: [] for name in _COLUMNS}


class DiskStreams(MemoryStreams):
    """Per-terminal streams in ``folder``, one file per column of shape (N, n_steps).

    Chunks must come in time order (as the engine hands them over). ``close()`` removes the
    folder.
    """

    def __init__(self, folder: str | Path, n_terminals: int, n_steps: int) -> None:
        super().__init__(n_terminals)
        self.folder = Path(folder)
        self.total_steps = n_steps
        self._filled = 0
        self._given: set[str] = set()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._fds: dict[str, int] = {}
        try:
            for name, dtype in _COLUMNS.items():
                fd = os.open(self._path(name), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
                self._fds[name] = fd
                size = n_terminals * n_steps * dtype.itemsize
                # Reserve the space now: a full disk fails here, at once and with ENOSPC,
                # not hours later (and never as a SIGBUS, as writes through a memory map of a
                # sparse file on a full file system end).
                if size and hasattr(os, "posix_fallocate"):
                    os.posix_fallocate(fd, 0, size)
                else:
                    os.ftruncate(fd, size)
        except BaseException:
            self.close()
            raise

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.bin"

    def add(
        self,
        connected: ArrayLike,
        rtt_ms: ArrayLike,
        satellite: ArrayLike,
        reason: ArrayLike,
        throughput_down_mbps: ArrayLike | None = None,
        throughput_up_mbps: ArrayLike | None = None,
        rtt_parts_ms: ArrayLike | None = None,
    ) -> None:
        """Write a chunk (arrays of shape (steps, N); the RTT parts (steps, N, 3)) after the
        steps already written."""
        values = _values(
            connected,
            rtt_ms,
            satellite,
            reason,
            throughput_down_mbps,
            throughput_up_mbps,
            rtt_parts_ms,
        )
        steps = len(values["connected"])
        k0, k1 = self._filled, self._filled + steps
        if k1 > self.total_steps:
            raise ValueError(f"{k1} steps written to streams sized for {self.total_steps}")
        self._given |= {name for name, v in values.items() if v is not None}
        for name, dtype in _COLUMNS.items():
            if values[name] is None:
                continue
            # (N, steps): each terminal's slice of the chunk is one contiguous write at its
            # place in the terminal-major file.
            block = np.ascontiguousarray(values[name].reshape(steps, self.n_terminals).T)
            fd = self._fds[name]
            for i in range(self.n_terminals):
                os.pwrite(fd, block[i].tobytes(), (i * self.total_steps + k0) * dtype.itemsize)
        self._filled = k1

    @property
    def n_steps(self) -> int:
        return self._filled

    def has(self, name: str) -> bool:
        return name in self._given

    def _column(self, name: str, i: int) -> np.ndarray:
        dtype = _COLUMNS[name]
        with open(self._path(name), "rb") as fh:
            fh.seek(i * self.total_steps * dtype.itemsize)
            return np.fromfile(fh, dtype=dtype, count=self._filled)

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds = {}
        shutil.rmtree(self.folder, ignore_errors=True)
