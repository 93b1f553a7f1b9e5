"""Worker processes that never outlive their parent and a pool that stops at once.

A run's chunks go to a ``ProcessPoolExecutor``. Two things went wrong with a plain pool: a
parent killed with SIGKILL (or SIGTERM) left its workers computing, and Ctrl-C waited for every
running chunk to finish (over a minute for a large one), a second Ctrl-C during that wait could
hang. :func:`init_worker` makes a worker die with its parent and leave Ctrl-C to the parent;
:func:`stop_pool` ends a pool's workers within a bounded time.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

__all__ = ["PARENT_POLL_S", "init_worker", "interrupt_once", "ordered_map", "stop_pool"]

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)

#: How often a worker without ``prctl`` (not Linux) checks that its parent is alive [s] (an
#: assumption: well inside the 2 s a stop may take).
PARENT_POLL_S = 0.5
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _pdeathsig(signum: int) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies (prctl(2))."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)  # orphaned: the parent is gone, nobody will read the result


def init_worker(parent_pid: int) -> None:
    """Set up a pool worker: exit when the parent dies; Ctrl-C is the parent's to handle.

    Parameters
    ----------
    parent_pid : the parent's PID, taken in the parent (``os.getpid()`` there): if the parent
        died before this runs, ``getppid()`` already differs and the worker exits at once.
    """
    # The terminal sends SIGINT to the whole process group; the parent stops the workers
    # (stop_pool) instead of each printing its own KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _pdeathsig(signal.SIGKILL):
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)
        return
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


@contextmanager
def interrupt_once() -> Iterator[None]:
    """Within the block, the first Ctrl-C raises ``KeyboardInterrupt`` and later ones are
    ignored (to the end of the process once one fired); otherwise the previous handler is back
    afterwards.

    The first stops the work; the clean-up that follows (stopping workers, removing temporary
    files, releasing the folder's lock, saying what was kept) is bounded, so a second Ctrl-C
    must not break into it halfway and leave a traceback. Outside the main thread (where
    signals cannot be handled) it does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    fired = False

    def first(signum: int, frame: object) -> None:
        nonlocal fired
        fired = True
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield
    finally:
        # After a Ctrl-C the process is on its way out (interpreter shutdown joins threads
        # and pools): a second one stays ignored to the end.
        if not fired:
            signal.signal(signal.SIGINT, previous)


def stop_pool(pool: ProcessPoolExecutor, timeout_s: float = 1.0) -> None:
    """End a pool now: cancel what has not started, terminate running workers, then kill any
    still alive after ``timeout_s``. A second Ctrl-C meanwhile is ignored, so the clean-up
    finishes (it is bounded by ``timeout_s``)."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for p in processes:
            if p.is_alive():
                p.terminate()
        deadline = time.monotonic() + timeout_s
        for p in processes:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join(1.0)
        pool.shutdown(wait=False, cancel_futures=True)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def ordered_map(
    pool: ProcessPoolExecutor, fn: Callable[[T], R], items: Iterable[T], ahead: int
) -> Iterator[R]:
    """``pool.map(fn, items)`` with at most ``ahead`` items submitted and not yet consumed.

    ``Executor.map`` submits everything at once, so the results of chunks finished early pile
    up in the parent while it handles an earlier one: memory grows with the run, not the chunk.
    Here a new item is submitted only when a result is taken, so at most ``ahead`` results
    exist at once. Results come in the order of ``items``. If the consumer stops (an error,
    Ctrl-C, ``close()``), the pool's workers are stopped at once (:func:`stop_pool`).
    """
    pending: deque[Future[R]] = deque()
    source = iter(items)
    finished = False
    try:
        for item in source:
            pending.append(pool.submit(fn, item))
            if len(pending) >= ahead:
                break
        while pending:
            result = pending.popleft().result()
            for item in source:
                pending.append(pool.submit(fn, item))
                break
            yield result
        finished = True
    finally:
        if not finished:
            stop_pool(pool)
