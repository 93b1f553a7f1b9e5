"""Current orbital elements from CelesTrak's GP service, kept in the user's cache folder.

CelesTrak publishes the US Space Force general-perturbations (GP) elements of a satellite group
at ``https://celestrak.org/NORAD/elements/gp.php?GROUP=<group>&FORMAT=<format>``; ``FORMAT=tle``
gives three-line element sets and ``FORMAT=json`` the same elements as CCSDS OMM keywords
(T. S. Kelso, "A New Way to Obtain GP Data (aka TLEs)", celestrak.org/NORAD/documentation/
gp-data-formats.php; references.md#tle-snapshots). :func:`fetch_gp` downloads one group, checks
every record (:func:`lifeline.io.tle.parse_tle`; OMM records are turned into TLE lines by
``sgp4.exporter`` first), and writes atomically into the cache folder:

- ``<group>-<YYYY-MM-DD>.tle`` and ``<group>-latest.tle`` (the same elements),
- a sidecar ``.json`` beside each with the source URL, the fetch time (UTC), the format asked
  for, the number of satellites and the range of their epochs.

A scenario names them ``tle_file = "cache:starlink-latest"`` (or ``"cache:starlink-2026-12-07"``);
:func:`resolve_cached` finds the file and :func:`read_sidecar` its record. The shipped snapshots
(``builtin:``) stay the offline default: nothing here runs unless asked.

The cache folder is ``$LIFELINE_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/lifeline``, else
``~/.cache/lifeline`` (XDG Base Directory Specification 0.8); :func:`default_cache_dir` is the
one place that reads the environment for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np

from lifeline.errors import InputFileError, LifelineError, TLEError
from lifeline.io.tle import TLESet, parse_tle

__all__ = [
    "CELESTRAK_GP_URL",
    "CachedElements",
    "FetchError",
    "default_cache_dir",
    "fetch_gp",
    "gp_url",
    "omm_json_to_tle",
    "read_sidecar",
    "resolve_cached",
]

#: CelesTrak's GP query (gp-data-formats.php).
CELESTRAK_GP_URL = "https://celestrak.org/NORAD/elements/gp.php?GROUP={group}&FORMAT={format}"
#: Largest answer accepted [bytes]: the whole Starlink group in TLE form is ~1.5 MB in 2026
#: (lifeline/data/PROVENANCE.md, 9,594 satellites in 1,487,517 bytes); 64 MB leaves room for
#: growth and OMM's longer records while refusing anything absurd.
MAX_BYTES = 64 * 1024 * 1024
#: Network time-out [s] (an assumption: long enough for a slow link, short enough to fail).
TIMEOUT_S = 60.0
_GROUP = re.compile(r"^[a-z0-9][a-z0-9-]*$")

Format = Literal["tle", "omm"]


class FetchError(LifelineError):
    """The download failed or its content is not element sets (url, reason)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"{url}: {reason}")


@dataclass(frozen=True)
class CachedElements:
    """What :func:`fetch_gp` wrote.

    Attributes
    ----------
    path : Path
        The dated ``.tle`` file; ``latest`` is ``<group>-latest.tle``.
    latest : Path
    meta : dict
        The sidecar record (also in ``path.with_suffix(".json")``).
    """

    path: Path
    latest: Path
    meta: dict


def default_cache_dir(environ: dict[str, str] | None = None) -> Path:
    """The user's cache folder for lifeline (see the module docstring)."""
    env = os.environ if environ is None else environ
    if env.get("LIFELINE_CACHE_DIR"):
        return Path(env["LIFELINE_CACHE_DIR"]).expanduser()
    xdg = env.get("XDG_CACHE_HOME")
    # XDG: a relative path in the variable is invalid and must be ignored.
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "lifeline"
    return Path.home() / ".cache" / "lifeline"


def gp_url(group: str, fmt: Format = "tle") -> str:
    """CelesTrak's GP URL of a group (``starlink``) in TLE or OMM/JSON form."""
    return CELESTRAK_GP_URL.format(group=group, format="json" if fmt == "omm" else "tle")


def omm_json_to_tle(text: str, source: str) -> str:
    """CelesTrak OMM/JSON (a list of GP records) as three-line element sets.

    Raises
    ------
    TLEError
        Not a JSON list of OMM records, or a record without a mandatory keyword.
    """
    from sgp4 import exporter, omm
    from sgp4.api import Satrec

    try:
        records = json.loads(text)
    except json.JSONDecodeError as err:
        raise TLEError(source, err.lineno, f"not JSON ({err.msg})") from None
    if not isinstance(records, list):
        raise TLEError(source, 1, "OMM/JSON must be a list of GP records")
    lines = []
    for i, fields in enumerate(records):
        sat = Satrec()
        try:
            omm.initialize(sat, fields)
            line1, line2 = exporter.export_tle(sat)
        except (KeyError, TypeError, ValueError) as err:
            raise TLEError(source, 1, f"OMM record {i}: bad or missing {err}") from None
        lines += [str(fields.get("OBJECT_NAME", f"OBJECT {i}")).strip(), line1, line2]
    return "\n".join(lines) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    # io/ sits below results.py and keeps its own write-then-rename (POSIX rename is atomic).
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _download(url: str, timeout_s: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "lifeline (python urllib)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as reply:
            body = reply.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as err:
        raise FetchError(url, f"HTTP {err.code} {err.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise FetchError(url, f"could not download ({reason})") from None
    if len(body) > MAX_BYTES:
        raise FetchError(url, f"answer larger than {MAX_BYTES} bytes")
    return body


def _epoch_text(value: np.datetime64) -> str:
    return np.datetime_as_string(value, unit="s") + "Z"


def fetch_gp(
    group: str = "starlink",
    *,
    cache_dir: Path | None = None,
    url: str | None = None,
    fmt: Format = "tle",
    now: datetime | None = None,
    timeout_s: float = TIMEOUT_S,
) -> CachedElements:
    """Download a GP group and keep it in the cache folder (see the module docstring).

    Parameters
    ----------
    group : str
        CelesTrak group name (lower case, e.g. ``"starlink"``); also the cache files' prefix.
    cache_dir : Path, optional
        Default :func:`default_cache_dir`.
    url : str, optional
        Instead of CelesTrak's (a mirror, or a local server in tests).
    fmt : "tle" or "omm"
        What the URL serves (OMM as CelesTrak's JSON).
    now : datetime, optional
        The fetch time recorded (UTC; default the clock).

    Raises
    ------
    FetchError
        The download failed, or the answer holds no valid element sets (the reason names the
        first bad line). Nothing in the cache is changed then.
    """
    if not _GROUP.match(group):
        raise FetchError(group, "a group name is lower-case letters, digits and '-'")
    url = url or gp_url(group, fmt)
    body = _download(url, timeout_s)
    try:
        text = body.decode("utf-8-sig")
        if fmt == "omm":
            text = omm_json_to_tle(text, url)
        elements: TLESet = parse_tle(text, url)
    except UnicodeDecodeError:
        raise FetchError(url, "the answer is not UTF-8 text") from None
    except TLEError as err:
        raise FetchError(url, f"not {fmt.upper()} element sets: {err}") from None
    if len(elements.names) == 0:
        raise FetchError(url, "no element sets in the answer")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise FetchError(url, f"cannot create the cache folder {folder} ({err})") from None
    meta = {
        "source_url": url,
        "format": fmt,
        "group": group,
        "fetched_utc": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "n_satellites": len(elements.names),
        "epoch_min_utc": _epoch_text(elements.epoch_utc.min()),
        "epoch_max_utc": _epoch_text(elements.epoch_utc.max()),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }
    dated = folder / f"{group}-{now.date().isoformat()}.tle"
    latest = folder / f"{group}-latest.tle"
    try:
        for path in (dated, latest):
            # Elements first, then the sidecar that describes them.
            _write_atomic(path, text)
            _write_atomic(path.with_suffix(".json"), json.dumps(meta, indent=2) + "\n")
    except OSError as err:
        raise FetchError(url, f"cannot write to the cache folder {folder} ({err})") from None
    return CachedElements(dated, latest, meta)


def resolve_cached(name: str, cache_dir: Path | None = None) -> Path:
    """The cached ``.tle`` file called ``name`` (``starlink-latest``).

    Raises
    ------
    InputFileError
        No such file, with the names that exist and the command that fetches one.
    """
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = folder / f"{name}.tle"
    try:
        found = path.is_file()
    except (OSError, ValueError):  # a NUL byte or an over-long name
        found = False
    if not found:
        try:
            have = sorted(p.stem for p in folder.glob("*.tle")) if folder.is_dir() else []
        except OSError:
            have = []
        raise InputFileError(
            str(path),
            0,
            f"cache:{name}",
            "a fetched element file (run `lifeline data fetch starlink` first"
            + (f"; cached: {', '.join(have)}" if have else "; the cache is empty")
            + ")",
        )
    return path


def read_sidecar(tle_path: Path) -> dict | None:
    """The record written beside a cached file, or None when there is none or it is bad."""
    try:
        data = json.loads(Path(tle_path).with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
