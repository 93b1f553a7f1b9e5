"""Output folders: never someone else's folder, one writer at a time, one-line errors.

A command that writes a folder (``run``, ``sweep``, ``plan``, ``hypatia``) first calls
:func:`prepare_output_dir`: the path must be a folder (or not exist yet) that is empty or already
holds lifeline output, and writable. Then it holds :func:`output_lock` while it writes: a lock
file ``OUT/.lifeline.lock`` naming the holder (PID, host, start time, command). The lock is an
advisory ``flock`` on that file, which the kernel drops when the holder dies however it dies, so a
lock left by a killed run is recognised as stale and taken over; the PID and host are what the
refusal message names. :func:`output_errors` turns the operating system's errors while writing
(a full disk, a read-only file system, no permission) into one clear line.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lifeline.errors import VALUE_CHARS, LifelineError, excerpt, printable

__all__ = [
    "LOCK_FILE",
    "FolderLockedError",
    "OutputDirError",
    "describe_os_error",
    "output_errors",
    "output_lock",
    "prepare_output_dir",
]

log = logging.getLogger(__name__)

#: The lock file inside an output folder while a command writes it.
LOCK_FILE = ".lifeline.lock"

#: Names only lifeline writes into an output folder (of run, sweep, plan, hypatia): a folder
#: holding one of them is a lifeline output and may be written again. Generic names lifeline
#: also writes (report.html, scenario.json, figures) do not count: a user's own folder may
#: have them.
LIFELINE_NAMES = frozenset(
    {
        LOCK_FILE,
        "summary.json",
        "terminals.parquet",
        ".terminals.parts",
        ".terminals.streams",
        "pairs.parquet",
        "pairs_meta.json",
        "sweep.json",
        "sweep.parquet",
        "sweep-summary.json",
        "plan.json",
    }
)

#: What each errno means for a user writing results, and what to do about it.
_OS_PROBLEMS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "a folder is in the way of a file",
    errno.ENAMETOOLONG: "the path is too long",
    errno.ELOOP: "the path has a symbolic-link loop",
}


class OutputDirError(LifelineError):
    """An output folder cannot be used.

    Attributes
    ----------
    path : str
        The folder (or the file in it) at fault.
    problem : str
        What is wrong.
    allowed : str
        What would work.
    """

    def __init__(self, path: str | Path, problem: str, allowed: str) -> None:
        self.path = str(path)
        self.problem = problem
        self.allowed = allowed
        # The path as given may be anything: shown printable and at most VALUE_CHARS long.
        super().__init__(f"{printable(path, VALUE_CHARS)}: {problem}; {allowed}")


class FolderLockedError(OutputDirError):
    """Another lifeline command is writing the folder.

    Attributes
    ----------
    holder : dict
        What the lock file says about the writer: ``pid``, ``host``, ``started_utc``, ``command``.
    """

    def __init__(self, path: str | Path, holder: dict) -> None:
        self.holder = holder
        who = (
            f"`{holder.get('command', 'lifeline')}` (PID {holder.get('pid', '?')} on "
            f"{holder.get('host', '?')}, started {holder.get('started_utc', '?')})"
        )
        super().__init__(
            path,
            f"another lifeline command is writing this folder: {printable(who, 200)}",
            "wait for it to finish, or choose another --out",
        )


def describe_os_error(exc: OSError) -> str:
    """What an ``OSError`` means for a user, e.g. "the disk is full" (ENOSPC)."""
    return _OS_PROBLEMS.get(exc.errno or 0, exc.strerror or type(exc).__name__)


@contextmanager
def output_errors(path: str | Path) -> Iterator[None]:
    """Turn an ``OSError`` while writing under ``path`` into an :class:`OutputDirError`."""
    try:
        yield
    except OutputDirError:
        raise
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else path
        raise OutputDirError(
            where, f"cannot write: {describe_os_error(exc)}", "free space or choose another --out"
        ) from None


def is_lifeline_output(folder: Path) -> bool:
    """Whether ``folder`` is empty or holds lifeline's own files."""
    names = {p.name for p in folder.iterdir()}
    return not names or bool(names & LIFELINE_NAMES)


def prepare_output_dir(path: str | Path, *, force: bool = False) -> Path:
    """Check and create an output folder before anything is computed.

    Parameters
    ----------
    path : the folder (created with its parents when missing).
    force : write into a non-empty folder that holds no lifeline output.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    OutputDirError
        The path is a file, cannot be created or written, or is a non-empty folder of other
        files (without ``force``).
    """
    folder = Path(path)
    try:
        is_file = folder.exists() and not folder.is_dir()
    except OSError as exc:  # a name too long, a symbolic-link loop
        raise OutputDirError(
            folder, f"cannot use this path: {describe_os_error(exc)}", "choose another --out"
        ) from None
    if is_file:
        raise OutputDirError(folder, "is a file, not a folder", "give --out a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        foreign = not is_lifeline_output(folder)
    except OSError as exc:
        raise OutputDirError(
            folder, f"cannot create the folder: {describe_os_error(exc)}", "choose another --out"
        ) from None
    if foreign and not force:
        some = sorted(p.name for p in folder.iterdir())
        shown = ", ".join(excerpt(n, 40) for n in some[:3]) + (", …" if len(some) > 3 else "")
        raise OutputDirError(
            folder,
            f"holds {len(some)} files that are not lifeline output ({shown})",
            "choose an empty or new --out, or add --force to write beside them",
        )
    # A probe, so a read-only folder fails now and not after an hour of computing.
    probe = folder / f".lifeline-probe-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputDirError(
            folder, f"cannot write: {describe_os_error(exc)}", "choose another --out"
        ) from None
    return folder


def _proc_start_ticks(pid: int) -> int | None:
    """Start time of a process in clock ticks since boot (Linux), to tell a reused PID apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22, counted after the command name in parentheses (which may hold spaces).
    return int(stat.rsplit(")", 1)[1].split()[19])


@dataclass(frozen=True)
class OutputLock:
    """A held lock on an output folder (see :func:`output_lock`)."""

    folder: Path
    holder: dict


def _read_holder(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _pid_alive(holder: dict) -> bool:
    """Whether the holder named in a lock file still runs (on this host only; elsewhere: yes)."""
    pid = holder.get("pid")
    if holder.get("host") != socket.gethostname() or not isinstance(pid, int) or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    ticks = holder.get("start_ticks")
    return ticks is None or _proc_start_ticks(pid) in (None, ticks)


@contextmanager
def output_lock(folder: str | Path, command: str) -> Iterator[OutputLock]:
    """Hold ``folder/.lifeline.lock`` while writing the folder.

    Raises
    ------
    FolderLockedError
        A live process holds the lock; the message names it (PID, host, start time, command).
    OutputDirError
        The lock file cannot be created.

    Notes
    -----
    The lock is ``flock`` on the lock file: the kernel releases it when its holder dies, so a
    lock file left by a killed run is stale as soon as the lock is free and is taken over (with
    a log message). On file systems without ``flock`` the PID check decides instead.
    """
    folder = Path(folder)
    path = folder / LOCK_FILE
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command,
        "start_ticks": _proc_start_ticks(os.getpid()),
    }
    with output_errors(folder):
        fd = _acquire(path)
    try:
        previous = _read_holder(path)
        if previous and previous.get("pid") != os.getpid():
            log.warning(
                "%s: took over a stale lock of %s (PID %s), which is gone",
                folder,
                previous.get("command", "lifeline"),
                previous.get("pid"),
            )
        with output_errors(folder):
            data = json.dumps(holder).encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
            os.fsync(fd)
        yield OutputLock(folder, holder)
    finally:
        # Unlink before closing: whoever waits on this inode then sees it is no longer the
        # folder's lock file (the inode check in _acquire) and opens a fresh one.
        try:
            path.unlink()
        except OSError:
            pass
        os.close(fd)


def _acquire(path: Path) -> int:
    """Open and lock ``path``; the descriptor of the held lock."""
    for _ in range(100):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise FolderLockedError(path.parent, _read_holder(path)) from None
        except OSError as exc:  # no flock here (some network file systems): decide by PID
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                os.close(fd)
                raise
            holder = _read_holder(path)
            if holder and holder.get("pid") != os.getpid() and _pid_alive(holder):
                os.close(fd)
                raise FolderLockedError(path.parent, holder) from None
            return fd
        try:
            same = os.fstat(fd).st_ino == path.stat().st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed it as we opened it: try the new file
        time.sleep(0.01)
    raise OutputDirError(path, "the lock file keeps changing", "try again")
