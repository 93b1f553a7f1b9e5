"""Pool workers die with their parent (SIGKILL or SIGTERM) and a pool stops within a bound.

Before, a killed `lifeline run` left its 2 workers computing, and Ctrl-C waited for running
chunks (over 70 s on a large run)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from lifeline.procs import init_worker, stop_pool

ROOT = Path(__file__).resolve().parents[2]

_PARENT = textwrap.dedent(
    """
    import os, time
    from concurrent.futures import ProcessPoolExecutor
    from lifeline.procs import init_worker

    def busy(_):
        time.sleep(120)
        return os.getpid()

    if __name__ == "__main__":
        pool = ProcessPoolExecutor(2, initializer=init_worker, initargs=(os.getpid(),))
        futures = [pool.submit(busy, i) for i in range(2)]
        time.sleep(1.0)  # both workers started and busy
        print(" ".join(str(p) for p in pool._processes), flush=True)
        time.sleep(120)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_when_the_parent_is_killed(tmp_path, signum):
    script = tmp_path / "parent.py"
    script.write_text(_PARENT)
    parent = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    workers = [int(p) for p in parent.stdout.readline().split()]
    assert len(workers) == 2 and all(_alive(p) for p in workers)
    parent.send_signal(signum)
    parent.wait(10)
    deadline = time.monotonic() + 5  # prctl acts at once; the polling fallback within 0.5 s
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in workers), "workers outlived their parent"


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_stop_pool_ends_running_chunks_within_a_second():
    pool = ProcessPoolExecutor(2, initializer=init_worker, initargs=(os.getpid(),))
    futures = [pool.submit(_sleep, 60) for _ in range(4)]
    time.sleep(1.0)
    pids = list(pool._processes)
    started = time.monotonic()
    stop_pool(pool, timeout_s=1.0)
    assert time.monotonic() - started < 2.0
    # By PID, not Process.is_alive(): the pool's own thread may reap a worker first, and
    # is_alive() then reports a reaped process as alive.
    assert pids and not any(_alive(pid) for pid in pids)
    # Nothing is left waiting: queued chunks are cancelled, running ones fail (broken pool).
    from concurrent.futures import wait

    _, not_done = wait(futures, timeout=10.0)  # the pool notices its dead workers
    assert not not_done


def _square_and_wait(k: int) -> int:
    return k * k


def test_ordered_map_keeps_order_and_bounds_what_is_in_flight():
    from lifeline.procs import ordered_map

    pool = ProcessPoolExecutor(2, initializer=init_worker, initargs=(os.getpid(),))
    submitted = 0
    submit = pool.submit

    def counting_submit(*args, **kwargs):
        nonlocal submitted
        submitted += 1
        return submit(*args, **kwargs)

    pool.submit = counting_submit
    in_flight = []
    with pool:
        got = []
        for r in ordered_map(pool, _square_and_wait, range(20), ahead=3):
            got.append(r)
            # Submitted but not yet handed out: never more than `ahead`.
            in_flight.append(submitted - len(got))
    assert got == [k * k for k in range(20)]
    assert max(in_flight) <= 3


def test_ordered_map_stops_the_workers_when_the_consumer_stops():
    from lifeline.procs import ordered_map

    pool = ProcessPoolExecutor(2, initializer=init_worker, initargs=(os.getpid(),))
    results = ordered_map(pool, _sleep, [0.01, 60, 60, 60], ahead=3)
    next(results)
    pids = list(pool._processes)
    started = time.monotonic()
    results.close()  # what an exception or Ctrl-C in the consumer does
    assert time.monotonic() - started < 2.0
    assert pids and not any(_alive(pid) for pid in pids)


def test_interrupt_once_raises_once_then_ignores():
    from lifeline.procs import interrupt_once

    before = signal.getsignal(signal.SIGINT)
    with interrupt_once():
        pass
    assert signal.getsignal(signal.SIGINT) is before  # untouched when nothing fired
    with pytest.raises(KeyboardInterrupt), interrupt_once():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)
    try:
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # a second one is ignored
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)  # nothing raised
    finally:
        signal.signal(signal.SIGINT, before)
