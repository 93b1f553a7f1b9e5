"""`lifeline sweep` refuses counts and scheduler addresses it cannot use, in one line, before
starting (they gave tracebacks, a 3-EiB MemoryError, a hang of minutes, or grew to gigabytes)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from typer.testing import CliRunner

from lifeline import daskutil
from lifeline.cli import app
from tests.helpers import TINY

pytestmark = pytest.mark.slow

SWEEP = f"""
extends = "{TINY.as_posix()}"
name = "tiny-sweep"

[sweep]
[sweep.gateways]
probability = 0.2
"""


@pytest.fixture
def sweep_file(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text(SWEEP)
    return path


def _sweep(sweep_file, tmp_path, *args):
    return CliRunner().invoke(
        app, ["sweep", str(sweep_file), "-q", "--out", str(tmp_path / "out"), *args]
    )


def _error(result, fragment):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.output.startswith("error: ")
    assert fragment in result.output, result.output


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--seed", str(2**70)], "--seed = 1180591620717411303424: an integer in 0.."),
        (["-n", "1000000000"], "--samples = 1000000000: at most 1,000,000 samples"),
        (["-n", "1", "-w", "1000"], "--workers = 1000: 0.."),
        (["-n", "1", "--scheduler", "tcp//localhost"], "--scheduler 'tcp//localhost': "),
        (["-n", "1", "--scheduler", "localhost:99999"], "port '99999'; a port is 1..65535"),
    ],
)
def test_counts_and_addresses_refused_before_starting(sweep_file, tmp_path, args, fragment):
    started = time.monotonic()
    _error(_sweep(sweep_file, tmp_path, *args), fragment)
    assert time.monotonic() - started < 10  # no cluster started, nothing grown


def _server(banner: bytes | None):
    sock = socket.create_server(("127.0.0.1", 0))
    held = []

    def serve():
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            held.append(conn)
            if banner:
                conn.sendall(banner)

    threading.Thread(target=serve, daemon=True).start()
    return sock, f"tcp://127.0.0.1:{sock.getsockname()[1]}"


def test_scheduler_that_speaks_ssh(sweep_file, tmp_path):
    sock, address = _server(b"SSH-2.0-OpenSSH_9.6\r\n")
    try:
        _error(
            _sweep(sweep_file, tmp_path, "-n", "1", "--scheduler", address),
            "the service speaks another protocol (it sent 'SSH-2.0-'): not a Dask scheduler",
        )
    finally:
        sock.close()


def test_silent_scheduler_times_out(sweep_file, tmp_path, monkeypatch):
    # The connect timeout is a setting (10 s by default); 1 s keeps the test short.
    monkeypatch.setattr(daskutil, "CONNECT_TIMEOUT_S", 1.0)
    sock, address = _server(None)
    started = time.monotonic()
    try:
        _error(
            _sweep(sweep_file, tmp_path, "-n", "1", "--scheduler", address),
            "no Dask answer within 1 s: not a Dask scheduler, or stuck",
        )
    finally:
        sock.close()
    assert time.monotonic() - started < 10  # was > 150 s


def test_sweep_into_someone_elses_folder(sweep_file, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.md").write_text("mine")
    _error(_sweep(sweep_file, tmp_path, "-n", "1", "-w", "1"), "not lifeline output")
    result = _sweep(sweep_file, tmp_path, "-n", "1", "-w", "1", "--force")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "notes.md").read_text() == "mine"
