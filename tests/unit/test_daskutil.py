"""--scheduler addresses are checked before Dask sees them; a sweep without workers stops.

The servers here are ones the test starts itself on 127.0.0.1: one that speaks another
protocol first (as SSH does: the cause of "MemoryError: Unable to allocate 3.07 EiB"), one that
accepts and stays silent (a hang of more than 150 s before), a real Dask scheduler and one of
its workers.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from lifeline.daskutil import (
    MAX_SEED,
    SchedulerError,
    SweepLimitError,
    WorkersGoneError,
    check_scheduler,
    check_sweep_counts,
    completed,
    parse_scheduler_address,
)


@pytest.mark.parametrize(
    "address, message",
    [
        ("localhost", "no port; a port is 1..65535, e.g. tcp://localhost:8786"),
        ("tcp://127.0.0.1:0", "port '0'; a port is 1..65535"),
        ("tcp://127.0.0.1:99999", "port '99999'; a port is 1..65535"),
        ("tcp://127.0.0.1:87a6", "port '87a6'"),
        ("http://127.0.0.1:8786", "scheme http:// is not supported"),
        ("tcp://exa mple:8786", "host 'exa mple' is not a host name or IP address"),
        ("tcp://[::zz]:8786", "host '[::zz]' is not an IPv6 address"),
        ("tcp://:8786", "host '' is not a host name"),
        ("\x1b[31m:1", "not an address; expected tcp://HOST:PORT"),
        ("", "no port"),
    ],
)
def test_malformed_addresses(address, message):
    with pytest.raises(SchedulerError) as info:
        parse_scheduler_address(address)
    assert message in str(info.value)
    assert "\x1b" not in str(info.value)


def test_good_addresses():
    assert parse_scheduler_address("tcp://10.0.0.5:8786") == ("10.0.0.5", 8786)
    assert parse_scheduler_address("sched.example.org:8786") == ("sched.example.org", 8786)
    assert parse_scheduler_address("tcp://[::1]:8786") == ("::1", 8786)


class _Server:
    """A TCP server on 127.0.0.1 that greets each client with ``banner`` (or says nothing)."""

    def __init__(self, banner: bytes | None) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.banner = banner
        self.clients: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.clients.append(conn)  # kept open: silent servers never answer
            if self.banner is not None:
                conn.sendall(self.banner)

    def close(self) -> None:
        self.sock.close()
        for c in self.clients:
            c.close()


def test_nothing_listening():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free once closed
    with pytest.raises(SchedulerError) as info:
        check_scheduler(f"tcp://127.0.0.1:{port}", timeout_s=2)
    assert "nothing listens there (connection refused)" in str(info.value)


def test_service_that_speaks_first():
    server = _Server(b"SSH-2.0-OpenSSH_9.6\r\n")
    try:
        with pytest.raises(SchedulerError) as info:
            check_scheduler(f"tcp://127.0.0.1:{server.port}", timeout_s=2)
    finally:
        server.close()
    assert "the service speaks another protocol (it sent 'SSH-2.0-'): not a Dask scheduler" in (
        str(info.value)
    )


def test_silent_service_times_out():
    server = _Server(None)
    started = time.monotonic()
    try:
        with pytest.raises(SchedulerError) as info:
            check_scheduler(f"tcp://127.0.0.1:{server.port}", timeout_s=1.5)
    finally:
        server.close()
    # Banner wait 0.5 s + the 1.5 s identity timeout, with margin for a loaded machine.
    assert time.monotonic() - started < 6
    assert "no Dask answer within 1.5 s" in str(info.value)


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as c:
        yield c


def test_a_real_scheduler_passes(cluster):
    address = cluster.scheduler_address
    assert check_scheduler(address, timeout_s=5) == address


def test_a_worker_is_not_a_scheduler(cluster):
    worker = next(iter(cluster.workers.values())).address
    with pytest.raises(SchedulerError) as info:
        check_scheduler(worker, timeout_s=5)
    assert "answers Dask but is 'Worker', not a scheduler" in str(info.value)


_RELEASE = threading.Event()


def _held_task() -> None:
    _RELEASE.wait(30)


def test_sweep_without_workers_stops():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=1, processes=False, dashboard_address=None) as lc,
        Client(lc) as client,
    ):
        futures = [client.submit(_held_task, pure=False)]
        time.sleep(0.2)
        lc.scale(0)  # every worker gone, none coming back
        told: list[str] = []
        started = time.monotonic()
        with pytest.raises(WorkersGoneError) as info:
            list(completed(client, futures, no_worker_timeout_s=1, poll_s=0.2, on_wait=told.append))
        assert time.monotonic() - started < 10
        assert "every Dask worker has gone (none for 1 s) with 1 samples left" in str(info.value)
        assert told and "no Dask worker is connected" in told[0]
        _RELEASE.set()  # let the orphaned worker thread end


def test_completed_yields_every_future():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=1, processes=False, dashboard_address=None) as lc,
        Client(lc) as client,
    ):
        futures = [client.submit(pow, 2, k) for k in range(5)]
        got = sorted(f.result() for f in completed(client, futures, poll_s=0.2))
    assert got == [1, 2, 4, 8, 16]


@pytest.mark.parametrize(
    "samples, grid, seed, workers, message",
    [
        (10, 1, 2**70, None, f"--seed = 1180591620717411303424: an integer in 0..{MAX_SEED}"),
        (10, 1, -1, None, "--seed = -1"),
        (10**9, 1, 0, None, "--samples = 1000000000: at most 1,000,000 samples in one sweep"),
        (10**5, 20, 0, None, "x 20 grid points = 2,000,000"),
        (0, 1, 0, None, "--samples = 0: at least 1"),
        (10, 1, 0, 1000, "--workers = 1000: 0..8 local processes (4 per core on this machine's 2)"),
    ],
)
def test_sweep_counts_bounded(samples, grid, seed, workers, message):
    with pytest.raises(SweepLimitError) as info:
        check_sweep_counts(samples, grid, seed, workers, cores=2)
    assert message in str(info.value)


def test_sweep_counts_at_the_limits_pass():
    check_sweep_counts(1_000_000, 1, MAX_SEED, 8, cores=2)
