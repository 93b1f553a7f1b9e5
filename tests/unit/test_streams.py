"""Per-terminal streams on disk give back exactly what was added, one terminal at a time."""

from __future__ import annotations

import numpy as np

from lifeline.streams import DiskStreams, MemoryStreams


def _chunks(rng, n_terminals, sizes, with_throughput=True):
    for steps in sizes:
        yield (
            rng.random((steps, n_terminals)) < 0.7,
            rng.random((steps, n_terminals)).astype(np.float32) * 100,
            rng.integers(-1, 5000, (steps, n_terminals)).astype(np.int32),
            rng.integers(0, 9, (steps, n_terminals)).astype(np.int8),
            rng.random((steps, n_terminals)).astype(np.float32) if with_throughput else None,
            rng.random((steps, n_terminals)).astype(np.float32) if with_throughput else None,
            rng.random((steps, n_terminals, 3)).astype(np.float32) * 30,  # RTT parts
        )


def test_disk_streams_equal_memory_streams(tmp_path):
    rng = np.random.default_rng(7)
    sizes = [60, 60, 17]
    disk = DiskStreams(tmp_path / "s", 5, sum(sizes))
    memory = MemoryStreams(5)
    for chunk in _chunks(rng, 5, sizes):
        disk.add(*chunk)
        memory.add(*chunk)
    assert disk.n_steps == memory.n_steps == 137
    assert disk.has("throughput_down_mbps") and disk.has("rtt_space_ms")
    for i in range(5):
        for a, b in zip(disk.terminal(i), memory.terminal(i), strict=True):
            np.testing.assert_array_equal(a, b)
        assert disk.terminal(i)[6].shape == (137, 3)
    disk.close()
    assert not (tmp_path / "s").exists()


def test_without_throughput(tmp_path):
    rng = np.random.default_rng(8)
    disk = DiskStreams(tmp_path / "s", 3, 20)
    for chunk in _chunks(rng, 3, [10, 10], with_throughput=False):
        disk.add(*chunk)
    assert disk.terminal(1)[4] is None and not disk.has("throughput_down_mbps")
    assert len(disk.terminal(2)[0]) == 20


def test_memory_streams_column_is_the_terminals_steps():
    s = MemoryStreams(2)
    s.add([[True, False], [False, False]], [[1, 2], [3, 4]], [[5, 6], [7, 8]], [[0, 1], [2, 3]])
    c, rtt, sat, reason, down, up, parts = s.terminal(1)
    assert c.tolist() == [False, False] and rtt.tolist() == [2, 4] and sat.tolist() == [6, 8]
    assert reason.tolist() == [1, 3] and down is None and up is None and parts is None
