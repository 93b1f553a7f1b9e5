"""Dask hygiene for sweeps: a scheduler address checked before use, results awaited with a watch
on the workers, and sweep counts that fit in a machine.

``distributed`` trusts whatever answers at an address: a service that speaks first (an SSH or
mail server) makes it read the banner as a frame length and try to allocate exabytes; a service
that accepts and stays silent makes its handshake wait forever; a typo gives a traceback. So
:func:`check_scheduler` parses the address, connects with a timeout, listens for an unsolicited
banner and asks for the scheduler's identity with a timeout, before any ``Client`` exists.
:func:`completed` yields finished futures and stops with a clear error when no worker is left.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import re
import socket
import struct
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lifeline.errors import LifelineError, excerpt

__all__ = [
    "CONNECT_TIMEOUT_S",
    "MAX_SEED",
    "NO_WORKER_TIMEOUT_S",
    "SchedulerError",
    "SweepLimitError",
    "WorkersGoneError",
    "check_scheduler",
    "check_sweep_counts",
    "completed",
    "parse_scheduler_address",
]

log = logging.getLogger(__name__)

#: Time allowed to connect to a scheduler and to get its identity [s] (an assumption: a
#: scheduler on a LAN answers in milliseconds; 10 s also covers a slow VPN).
CONNECT_TIMEOUT_S = 10.0
#: Time to listen for what a service sends on its own after a connection [s]. A Dask scheduler
#: sends its handshake, a frame whose first 8 bytes are its length (distributed.comm.tcp); an
#: SSH or mail server sends a text banner, which read as a length asks for exabytes. 0.5 s is an
#: assumption: a local or LAN service answers in milliseconds.
BANNER_WAIT_S = 0.5
#: Largest plausible Dask handshake frame [bytes] (an assumption: a few hundred bytes in
#: practice, so 1 MiB leaves room and still rejects any text banner read as a length).
MAX_HANDSHAKE_BYTES = 1 << 20
#: How long a sweep waits for a worker when none is connected before it stops [s] (an
#: assumption: long enough for a worker restarted by its nanny to come back).
NO_WORKER_TIMEOUT_S = 60.0
#: Largest sweep seed: seeds are stored in int64 columns (``sweep.parquet``).
MAX_SEED = 2**63 - 1
#: Most samples one sweep may hold (samples per grid point x grid points). Every sample is
#: planned, and its row kept, in the parent: ~1 million rows of a few kB each fit in a few GB
#: (an assumption; larger studies are several sweeps with different seeds).
MAX_SAMPLES = 1_000_000
#: Most local worker processes per CPU core: each holds a scenario's inputs (~0.3 GB, the
#: SharedInputs cap in docs/benchmarks.md); more than a few per core only adds memory.
MAX_WORKERS_PER_CORE = 4

_HOSTNAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+$")
_ADDRESS = re.compile(r"^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?(?P<host>\[[^\]]*\]|[^:/]*)"
                      r"(?::(?P<port>[^/]*))?/?$")  # fmt: skip
_EXAMPLE = "tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786"


class SchedulerError(LifelineError):
    """A ``--scheduler`` address is malformed or is not a reachable Dask scheduler.

    Attributes
    ----------
    address : str
        The address as given.
    problem : str
        What is wrong with it.
    """

    def __init__(self, address: str, problem: str) -> None:
        self.address = address
        self.problem = problem
        super().__init__(f"--scheduler {excerpt(address)}: {problem}")


class WorkersGoneError(LifelineError):
    """Every Dask worker of a sweep has gone and none came back in time."""


class SweepLimitError(LifelineError):
    """A sweep count (seed, samples, workers) is out of its range.

    Attributes
    ----------
    option : str
    value : int
    allowed : str
    """

    def __init__(self, option: str, value: int, allowed: str) -> None:
        self.option = option
        self.value = value
        self.allowed = allowed
        super().__init__(f"{option} = {excerpt(value)}: {allowed}")


def parse_scheduler_address(address: str) -> tuple[str, int]:
    """(host, port) of ``tcp://HOST:PORT`` (or ``HOST:PORT``; IPv6 hosts in brackets).

    Raises
    ------
    SchedulerError
        Anything else, naming what is wrong.
    """
    text = address.strip()
    match = _ADDRESS.match(text) if text.isprintable() else None
    if match is None:
        raise SchedulerError(address, f"not an address; expected {_EXAMPLE}")
    scheme, host, port = match["scheme"], match["host"], match["port"]
    if scheme is not None and scheme.lower() != "tcp":
        raise SchedulerError(address, f"scheme {scheme}:// is not supported; expected {_EXAMPLE}")
    if port is None or not port.isdigit() or not 1 <= int(port) <= 65535:
        got = "no port" if port is None else f"port {excerpt(port)}"
        raise SchedulerError(
            address, f"{got}; a port is 1..65535, e.g. tcp://{host or 'HOST'}:8786"
        )
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise SchedulerError(address, f"host {excerpt(host)} is not an IPv6 address") from None
        host = host[1:-1]
    elif not _HOSTNAME.match(host):
        raise SchedulerError(address, f"host {excerpt(host)} is not a host name or IP address")
    return host, int(port)


def _connect(address: str, host: str, port: int, timeout_s: float) -> socket.socket:
    try:
        return socket.create_connection((host, port), timeout=timeout_s)
    except socket.gaierror:
        raise SchedulerError(address, f"unknown host {host!r}") from None
    except ConnectionRefusedError:
        raise SchedulerError(
            address, "nothing listens there (connection refused); is the scheduler running?"
        ) from None
    except TimeoutError:
        raise SchedulerError(address, f"no answer within {timeout_s:g} s (connect)") from None
    except OSError as exc:
        raise SchedulerError(address, f"cannot connect: {exc.strerror or exc}") from None


def _identity(address: str, timeout_s: float) -> dict:
    """The reply to Dask's ``identity`` request, within ``timeout_s`` (handshake included)."""
    from distributed.comm import connect

    async def ask() -> Any:
        comm = await connect(address, timeout=timeout_s)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    async def bounded() -> Any:
        return await asyncio.wait_for(ask(), timeout_s)

    # In a thread: the caller may already run an event loop (a notebook).
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, bounded()).result()


def _first_bytes(sock: socket.socket, address: str) -> bytes | None:
    """The first 8 bytes the service sends unasked within :data:`BANNER_WAIT_S` (None: none)."""
    sock.settimeout(BANNER_WAIT_S)
    data = b""
    try:
        while len(data) < 8:
            chunk = sock.recv(8 - len(data))
            if not chunk:
                if not data:
                    raise SchedulerError(address, "the service closed the connection at once")
                break
            data += chunk
    except TimeoutError:
        pass
    except OSError as exc:
        raise SchedulerError(address, f"connection failed: {exc.strerror or exc}") from None
    return data or None


def check_scheduler(address: str, timeout_s: float | None = None) -> str:
    """Check that ``address`` is a Dask scheduler that answers; its canonical ``tcp://`` form.

    ``timeout_s`` bounds the connection and the identity request each (None:
    :data:`CONNECT_TIMEOUT_S`, read at the call).

    Raises
    ------
    SchedulerError
        Malformed address, unknown host, nothing listening, no answer in ``timeout_s``, a
        service that speaks another protocol (an SSH or mail server, say) or that answers Dask
        but is not a scheduler.
    """
    timeout_s = CONNECT_TIMEOUT_S if timeout_s is None else timeout_s
    host, port = parse_scheduler_address(address)
    with _connect(address, host, port, timeout_s) as sock:
        greeting = _first_bytes(sock, address)
    if greeting is not None:
        (frame_bytes,) = struct.unpack("Q", greeting.ljust(8, b"\0")[:8])
        if len(greeting) < 8 or frame_bytes > MAX_HANDSHAKE_BYTES:
            # Dask would allocate frame_bytes (exabytes for "SSH-2.0-") and fail.
            raise SchedulerError(
                address,
                f"the service speaks another protocol (it sent {excerpt(greeting)}): "
                "not a Dask scheduler",
            )
    canonical = f"tcp://[{host}]:{port}" if ":" in host else f"tcp://{host}:{port}"
    try:
        reply = _identity(canonical, timeout_s)
    except TimeoutError:
        raise SchedulerError(
            address, f"no Dask answer within {timeout_s:g} s: not a Dask scheduler, or stuck"
        ) from None
    except Exception as exc:  # noqa: BLE001 - whatever a non-Dask service makes Dask raise
        raise SchedulerError(
            address, f"not a Dask scheduler (its answer gave {type(exc).__name__})"
        ) from None
    kind = reply.get("type") if isinstance(reply, dict) else None
    if kind != "Scheduler":
        raise SchedulerError(
            address, f"answers Dask but is {excerpt(kind)}, not a scheduler (port of a worker?)"
        )
    return canonical


def check_sweep_counts(
    samples: int, grid_points: int, seed: int, workers: int | None, cores: int | None = None
) -> None:
    """Reject sweep counts that overflow or cannot fit in this machine.

    Parameters
    ----------
    samples : draws per grid point; grid_points : points of the sweep's grid.
    seed : the sweep's seed; workers : local worker processes (None: one per core).
    cores : CPU cores (None: ``os.cpu_count()``).

    Raises
    ------
    SweepLimitError
    """
    if not 0 <= seed <= MAX_SEED:
        raise SweepLimitError("--seed", seed, f"an integer in 0..{MAX_SEED} (2**63 - 1)")
    if samples < 1:
        raise SweepLimitError("--samples", samples, "at least 1")
    total = samples * max(grid_points, 1)
    if total > MAX_SAMPLES:
        per_point = f" x {grid_points} grid points = {total:,}" if grid_points > 1 else ""
        raise SweepLimitError(
            "--samples",
            samples,
            f"at most {MAX_SAMPLES:,} samples in one sweep{per_point}; split a larger study "
            "into sweeps with different --seed",
        )
    cores = cores or os.cpu_count() or 1
    if workers is not None and not 0 <= workers <= MAX_WORKERS_PER_CORE * cores:
        raise SweepLimitError(
            "--workers",
            workers,
            f"0..{MAX_WORKERS_PER_CORE * cores} local processes ({MAX_WORKERS_PER_CORE} per core "
            f"on this machine's {cores}); use --scheduler for a larger cluster",
        )


def completed(
    client: Any,
    futures: Iterable[Any],
    *,
    no_worker_timeout_s: float = NO_WORKER_TIMEOUT_S,
    poll_s: float = 1.0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Any]:
    """Yield ``futures`` as they finish; stop if no worker is connected for too long.

    Parameters
    ----------
    client : distributed.Client
    futures : the futures to wait for.
    no_worker_timeout_s : how long the scheduler may have no worker at all [s].
    poll_s : how often to look [s] (also bounds how long Ctrl-C waits).
    on_wait : told once, in words, when the workers are gone and the sweep waits for one.

    Raises
    ------
    WorkersGoneError
        No worker for ``no_worker_timeout_s`` while futures are pending.
    """
    from distributed import wait

    pending = set(futures)
    alone_since: float | None = None
    while pending:
        try:
            done, pending = wait(pending, timeout=poll_s, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done = set()
        yield from done
        if not pending:
            return
        n_workers = len(client.scheduler_info(n_workers=-1).get("workers", {}))
        if n_workers:
            alone_since = None
            continue
        now = time.monotonic()
        if alone_since is None:
            alone_since = now
            message = (
                f"no Dask worker is connected to {client.scheduler.address}; waiting up to "
                f"{no_worker_timeout_s:g} s for one ({len(pending)} samples left)"
            )
            log.warning(message)
            if on_wait is not None:
                on_wait(message)
        elif now - alone_since > no_worker_timeout_s:
            raise WorkersGoneError(
                f"{client.scheduler.address}: every Dask worker has gone (none for "
                f"{no_worker_timeout_s:g} s) with {len(pending)} samples left; finished samples "
                "are kept: start workers and run again with --resume"
            )
