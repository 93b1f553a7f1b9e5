"""Output folders: a file, a read-only or full file system, someone else's folder and a second
writer each give one clear line (lifeline.outdir)."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lifeline.outdir import (
    LOCK_FILE,
    FolderLockedError,
    OutputDirError,
    output_errors,
    output_lock,
    prepare_output_dir,
)

ROOT = Path(__file__).resolve().parents[2]


def _mount_tmpfs(folder: Path, options: str) -> bool:
    """Mount a tmpfs on ``folder`` (root only); False where that is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    return result.returncode == 0


@pytest.fixture
def small_fs(tmp_path):
    """A 64 KiB file system (a real full disk, not a simulated one)."""
    folder = tmp_path / "small"
    if not _mount_tmpfs(folder, "size=64k"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def read_only_fs(tmp_path):
    folder = tmp_path / "ro"
    if _mount_tmpfs(folder, "ro,size=64k"):
        yield folder
        subprocess.run(["umount", "-l", str(folder)], check=False)
    elif os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
    else:
        pytest.skip("root ignores folder permissions and cannot mount here")


def test_out_is_a_file(tmp_path):
    path = tmp_path / "results.txt"
    path.write_text("mine")
    with pytest.raises(OutputDirError) as info:
        prepare_output_dir(path)
    assert str(info.value) == f"{path}: is a file, not a folder; give --out a folder"
    assert path.read_text() == "mine"


def test_out_below_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputDirError) as info:
        prepare_output_dir(tmp_path / "f" / "out")
    assert "cannot create the folder: a part of the path is a file, not a folder" in str(info.value)


def test_read_only_folder(read_only_fs):
    with pytest.raises(OutputDirError) as info:
        prepare_output_dir(read_only_fs / "out")
    assert "the file system is read-only" in str(info.value) or "permission denied" in str(
        info.value
    )


def test_full_disk_while_writing(small_fs):
    out = prepare_output_dir(small_fs / "out")  # empty: fits
    with pytest.raises(OutputDirError) as info, output_errors(out):
        (out / "terminals.parquet").write_bytes(b"\0" * 200_000)  # 200 kB on 64 KiB
    # write() raises ENOSPC without a file name: the folder is named.
    assert (
        str(info.value)
        == f"{out}: cannot write: the disk is full; free space or choose another --out"
    )


def test_injected_enospc_names_the_file(tmp_path):
    # The same message without a small file system: the error as the kernel raises it.
    with pytest.raises(OutputDirError) as info, output_errors(tmp_path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "x.parquet"))
    assert "x.parquet: cannot write: the disk is full" in str(info.value)


def test_foreign_folder_refused_unless_forced(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    for name in ("thesis.tex", "photos", "notes.md", "z.txt"):
        (home / name).write_text("x")
    with pytest.raises(OutputDirError) as info:
        prepare_output_dir(home)
    assert str(info.value) == (
        f"{home}: holds 4 files that are not lifeline output ('notes.md', 'photos', "
        "'thesis.tex', …); choose an empty or new --out, or add --force to write beside them"
    )
    assert prepare_output_dir(home, force=True) == home


def test_lifeline_output_and_empty_folders_are_fine(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "summary.json").write_text("{}")
    (tmp_path / "b").mkdir()
    assert prepare_output_dir(tmp_path / "a") == tmp_path / "a"
    assert prepare_output_dir(tmp_path / "b") == tmp_path / "b"
    assert prepare_output_dir(tmp_path / "c" / "d").is_dir()


def test_second_writer_is_refused_naming_the_first(tmp_path):
    with output_lock(tmp_path, "lifeline run a.toml") as held:
        with pytest.raises(FolderLockedError) as info, output_lock(tmp_path, "lifeline run b"):
            pass
        assert info.value.holder["pid"] == os.getpid() == held.holder["pid"]
        message = str(info.value)
        assert f"`lifeline run a.toml` (PID {os.getpid()} on {socket.gethostname()}" in message
        assert message.endswith("wait for it to finish, or choose another --out")
    assert not (tmp_path / LOCK_FILE).exists()
    with output_lock(tmp_path, "lifeline run b"):  # free again
        pass


_HOLDER = textwrap.dedent(
    """
    import sys, time
    from lifeline.outdir import output_lock
    with output_lock(sys.argv[1], "lifeline sweep s.toml"):
        print("held", flush=True)
        time.sleep(60)
    """
)


def _hold_in_child(folder: Path) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout.readline().strip() == "held"
    return child


def test_lock_held_by_another_process_and_stale_after_kill(tmp_path, caplog):
    child = _hold_in_child(tmp_path)
    try:
        with pytest.raises(FolderLockedError) as info, output_lock(tmp_path, "lifeline run"):
            pass
        assert f"`lifeline sweep s.toml` (PID {child.pid} on" in str(info.value)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    # The killed holder left its lock file; the kernel dropped its flock: stale, taken over.
    assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == child.pid
    with (
        caplog.at_level(logging.WARNING, logger="lifeline.outdir"),
        output_lock(tmp_path, "lifeline run") as held,
    ):
        assert held.holder["pid"] == os.getpid()
    assert f"took over a stale lock of lifeline sweep s.toml (PID {child.pid})" in caplog.text


def test_lock_file_names_its_holder(tmp_path):
    with output_lock(tmp_path, "lifeline run x"):
        holder = json.loads((tmp_path / LOCK_FILE).read_text())
    assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
    assert holder["command"] == "lifeline run x"
    started = time.strptime(holder["started_utc"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs(time.mktime(started) - time.mktime(time.gmtime())) < 60


def test_generic_names_do_not_make_a_lifeline_folder(tmp_path):
    # A user's folder with their own report.html is not a run folder: writing there would
    # replace that file.
    (tmp_path / "report.html").write_text("my report")
    (tmp_path / "figures").mkdir()
    with pytest.raises(OutputDirError):
        prepare_output_dir(tmp_path)


def test_name_too_long(tmp_path):
    out = tmp_path / ("x" * 5000)
    with pytest.raises(OutputDirError) as info:
        prepare_output_dir(out)
    message = str(info.value)
    assert "cannot use this path: the path is too long; choose another --out" in message
    assert len(message) < 400  # the path is cut, not printed whole
