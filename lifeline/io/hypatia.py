"""Read Hypatia satellite-network directories (``tles.txt``, ``isls.txt``,
``ground_stations.txt``, ``description.txt``).

The formats are those satgenpy writes (Kassing et al., IMC 2020; ``snkas/hypatia``):

- ``tles.txt``: first line ``"<n_orbits> <n_sats_per_orbit>"``, then one 3-line record per
  satellite: ``"<name> <id>"`` with ids 0, 1, 2, … in order, then TLE lines 1 and 2. All records
  share one epoch (Hypatia's time 0).
- ``isls.txt``: one ``"<a> <b>"`` satellite-id pair per line.
- ``ground_stations.txt``: ``id,name,lat_deg,lon_deg,elevation_m`` (basic form) or the same
  plus ``x_m,y_m,z_m`` (extended form, Cartesian WGS72 metres); ids 0, 1, 2, … in order.
- ``description.txt``: ``key=value`` lines, with ``max_gsl_length_m`` and ``max_isl_length_m``.

Every problem raises :class:`HypatiaFormatError` naming the file, the 1-based line, the bad value
and what is allowed. Node numbering follows Hypatia: satellites ``0..S-1``, ground station ``g``
is node ``S + g``.

References
----------
Hypatia ``satgenpy/satgen/tles/read_tles.py``, ``isls/read_isls.py``,
``ground_stations/read_ground_stations.py``, ``description/generate_description.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sgp4.api import Satrec

from lifeline.errors import InputFileError, TLEError
from lifeline.io.tle import parse_record
from lifeline.time import datetime64_from_jd

__all__ = [
    "GroundStations",
    "HypatiaFormatError",
    "HypatiaNetwork",
    "HypatiaTLEs",
    "parse_description",
    "parse_ground_stations",
    "parse_isls",
    "parse_tles",
    "read_ground_stations",
    "read_isls",
    "read_network_dir",
    "read_tles",
    "write_network_dir",
]


class HypatiaFormatError(InputFileError):
    """A Hypatia-format input file is malformed (file, line, value, allowed)."""


@dataclass(frozen=True)
class HypatiaTLEs:
    """Satellites of a Hypatia ``tles.txt``.

    Attributes
    ----------
    n_orbits, n_sats_per_orbit : int
        From the header line.
    names : list of str
        Name lines, e.g. ``"Kuiper-630 0"``.
    satrecs : list of sgp4.api.Satrec
        In id order (id = index).
    lines : list of (str, str)
        TLE lines 1 and 2 as read.
    epoch_utc : numpy.datetime64
        The common epoch, Hypatia's time 0.
    """

    n_orbits: int
    n_sats_per_orbit: int
    names: list[str]
    satrecs: list[Satrec]
    lines: list[tuple[str, str]]
    epoch_utc: np.datetime64

    def __len__(self) -> int:
        return len(self.satrecs)


@dataclass(frozen=True)
class GroundStations:
    """Ground stations of a Hypatia ``ground_stations.txt``.

    Attributes
    ----------
    names : list of str
    lat_deg, lon_deg : ndarray, shape (G,)
        Geodetic latitude and longitude [deg].
    elevation_m : ndarray, shape (G,)
        Height [m].
    ecef_m : ndarray, shape (G, 3) or None
        Cartesian columns of the extended form [m] (WGS72), None for the basic form.
    """

    names: list[str]
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    elevation_m: np.ndarray
    ecef_m: np.ndarray | None

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True)
class HypatiaNetwork:
    """A Hypatia satellite-network directory, read and checked.

    Attributes
    ----------
    path : pathlib.Path
    tles : HypatiaTLEs
    isls : ndarray of int, shape (E, 2)
    ground_stations : GroundStations
    max_gsl_length_m, max_isl_length_m : float
        From ``description.txt`` [m].
    """

    path: Path
    tles: HypatiaTLEs
    isls: np.ndarray
    ground_stations: GroundStations
    max_gsl_length_m: float
    max_isl_length_m: float


def _lines(text: str) -> list[tuple[int, str]]:
    """(1-based number, stripped text) of the non-blank lines."""
    return [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]


def _int(text: str, file: str, line: int, allowed: str, lo: int = 0, hi: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise HypatiaFormatError(file, line, text, allowed) from None
    if value < lo or (hi is not None and value > hi):
        raise HypatiaFormatError(file, line, text, allowed)
    return value


def parse_tles(text: str, source: str) -> HypatiaTLEs:
    """Parse the text of a Hypatia ``tles.txt`` (see the module docstring).

    Raises
    ------
    HypatiaFormatError
        Bad header, missing lines, ids out of order, mixed epochs or a count that does not match
        the header; TLE line problems are reported with the same fields (from
        :class:`~lifeline.errors.TLEError`).
    """
    lines = _lines(text)
    if not lines:
        raise HypatiaFormatError(source, 0, "", "a header line 'n_orbits n_sats_per_orbit'")
    header_no, header = lines[0]
    parts = header.split()
    allowed = "a header line 'n_orbits n_sats_per_orbit' (two integers >= 1)"
    if len(parts) != 2:
        raise HypatiaFormatError(source, header_no, header, allowed)
    n_orbits = _int(parts[0], source, header_no, allowed, lo=1)
    n_per = _int(parts[1], source, header_no, allowed, lo=1)
    body = lines[1:]
    if len(body) % 3:
        last_no, last = body[-1]
        raise HypatiaFormatError(
            source, last_no, last, "3-line records (name line '<name> <id>', TLE line 1, line 2)"
        )
    names, satrecs, raw = [], [], []
    epochs = []
    for k in range(len(body) // 3):
        (name_no, name), (l1_no, l1), (l2_no, l2) = body[3 * k : 3 * k + 3]
        fields = name.split()
        if len(fields) < 2 or fields[-1] != str(k):
            raise HypatiaFormatError(
                source, name_no, name, f"a name line '<name> {k}' (ids count 0, 1, 2, ... in order)"
            )
        if l2_no != l1_no + 1:
            raise HypatiaFormatError(source, l1_no + 1, "", "TLE line 2 right after line 1")
        try:
            _, satrec, _ = parse_record(name, l1, l2, source, l1_no)
        except TLEError as exc:
            bad = l1 if exc.line == l1_no else l2
            raise HypatiaFormatError(source, exc.line, bad, exc.reason) from None
        names.append(name)
        satrecs.append(satrec)
        raw.append((l1, l2))
        epochs.append((satrec.jdsatepoch, satrec.jdsatepochF, l1_no))
    if not satrecs:
        raise HypatiaFormatError(source, header_no, header, "at least one satellite record")
    if len(satrecs) != n_orbits * n_per:
        raise HypatiaFormatError(
            source,
            header_no,
            header,
            f"{n_orbits} x {n_per} = {n_orbits * n_per} satellites as the header says "
            f"(found {len(satrecs)})",
        )
    jd0, fr0, _ = epochs[0]
    for jd, fr, line_no in epochs[1:]:
        if abs((jd - jd0) + (fr - fr0)) > 1e-9:
            raise HypatiaFormatError(
                source, line_no, raw[0][0][18:32], "the same epoch for all satellites (Hypatia)"
            )
    epoch = datetime64_from_jd(np.array([jd0]), np.array([fr0]))[0]
    return HypatiaTLEs(n_orbits, n_per, names, satrecs, raw, epoch)


def parse_isls(text: str, source: str, n_sats: int | None = None) -> np.ndarray:
    """Parse ``isls.txt``: one ``"a b"`` pair of satellite ids per line.

    Returns
    -------
    ndarray of int64, shape (E, 2)
        In file order, as written (a < b is not required).

    Raises
    ------
    HypatiaFormatError
        Not two integers, an id outside ``0..n_sats-1``, a self-link or a repeated link.
    """
    hi = None if n_sats is None else n_sats - 1
    allowed = "two satellite ids 'a b'" + ("" if hi is None else f" in 0..{hi}") + ", a != b"
    pairs = []
    seen: dict[tuple[int, int], int] = {}
    for line_no, line in _lines(text):
        parts = line.split()
        if len(parts) != 2:
            raise HypatiaFormatError(source, line_no, line, allowed)
        a = _int(parts[0], source, line_no, allowed, 0, hi)
        b = _int(parts[1], source, line_no, allowed, 0, hi)
        if a == b:
            raise HypatiaFormatError(source, line_no, line, allowed)
        key = (min(a, b), max(a, b))
        if key in seen:
            raise HypatiaFormatError(
                source, line_no, line, f"each link once (already on line {seen[key]})"
            )
        seen[key] = line_no
        pairs.append((a, b))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _float(text: str, file: str, line: int, column: str, lo: float, hi: float) -> float:
    allowed = f"{column}: a number in {lo:g}..{hi:g}"
    try:
        value = float(text)
    except ValueError:
        raise HypatiaFormatError(file, line, text, allowed) from None
    if not (math.isfinite(value) and lo <= value <= hi):
        raise HypatiaFormatError(file, line, text, allowed)
    return value


def parse_ground_stations(text: str, source: str) -> GroundStations:
    """Parse ``ground_stations.txt``, basic (5 columns) or extended (8 columns) form.

    Raises
    ------
    HypatiaFormatError
        Wrong column count (or a mix of forms), ids out of order, a latitude outside -90..90, a
        longitude outside -180..180, an elevation outside -500..9000 m, non-numeric values.
    """
    names, lat, lon, elev, xyz = [], [], [], [], []
    n_columns = None
    for line_no, line in _lines(text):
        parts = [p.strip() for p in line.split(",")]
        if len(parts) not in (5, 8) or (n_columns is not None and len(parts) != n_columns):
            want = (
                "5 columns id,name,lat_deg,lon_deg,elevation_m (basic) or 8 with x_m,y_m,z_m "
                "(extended)"
                if n_columns is None
                else f"{n_columns} columns like the first line"
            )
            raise HypatiaFormatError(source, line_no, line, want)
        n_columns = len(parts)
        gid = len(names)
        _int(parts[0], source, line_no, f"id {gid} (ids count 0, 1, 2, ... in order)", gid, gid)
        if not parts[1]:
            raise HypatiaFormatError(source, line_no, line, "a non-empty name")
        names.append(parts[1])
        lat.append(_float(parts[2], source, line_no, "lat_deg", -90.0, 90.0))
        lon.append(_float(parts[3], source, line_no, "lon_deg", -180.0, 180.0))
        elev.append(_float(parts[4], source, line_no, "elevation_m", -500.0, 9000.0))
        if n_columns == 8:
            xyz.append([_float(p, source, line_no, "x_m/y_m/z_m", -1e8, 1e8) for p in parts[5:8]])
    if not names:
        raise HypatiaFormatError(source, 0, "", "at least one ground station line")
    return GroundStations(
        names=names,
        lat_deg=np.array(lat),
        lon_deg=np.array(lon),
        elevation_m=np.array(elev),
        ecef_m=np.array(xyz) if xyz else None,
    )


def parse_description(text: str, source: str) -> dict[str, float]:
    """Parse ``description.txt`` (``key=value`` lines) and check the two link limits.

    Returns
    -------
    dict
        ``max_gsl_length_m`` and ``max_isl_length_m`` [m] (both > 0), plus any other numeric
        keys.
    """
    values: dict[str, float] = {}
    line_of: dict[str, int] = {}
    for line_no, line in _lines(text):
        if line.startswith("#"):
            continue
        if "=" not in line:
            raise HypatiaFormatError(source, line_no, line, "a 'key=value' line")
        key, _, raw = (p.strip() for p in line.partition("="))
        try:
            values[key] = float(raw)
        except ValueError:
            if key.startswith("max_"):
                raise HypatiaFormatError(source, line_no, raw, f"{key}: a number > 0") from None
            continue
        line_of[key] = line_no
    for key in ("max_gsl_length_m", "max_isl_length_m"):
        if key not in values:
            raise HypatiaFormatError(source, 0, None, f"a line '{key}=<metres>'")
        if not (math.isfinite(values[key]) and values[key] > 0):
            raise HypatiaFormatError(source, line_of[key], values[key], f"{key}: a number > 0")
    return values


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HypatiaFormatError(str(path), 0, str(path), "an existing file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HypatiaFormatError(str(path), 0, str(path), f"a readable text file ({exc})") from None


def read_tles(path: str | Path) -> HypatiaTLEs:
    """Read a Hypatia ``tles.txt`` (:func:`parse_tles`); a missing file is a
    :class:`HypatiaFormatError` too."""
    return parse_tles(_read(Path(path)), str(path))


def read_isls(path: str | Path, n_sats: int | None = None) -> np.ndarray:
    """Read a Hypatia ``isls.txt`` (:func:`parse_isls`), ids checked against `n_sats` if given."""
    return parse_isls(_read(Path(path)), str(path), n_sats)


def read_ground_stations(path: str | Path) -> GroundStations:
    """Read a Hypatia ``ground_stations.txt``, basic or extended (:func:`parse_ground_stations`)."""
    return parse_ground_stations(_read(Path(path)), str(path))


def read_network_dir(path: str | Path) -> HypatiaNetwork:
    """Read a Hypatia satellite-network directory.

    Parameters
    ----------
    path : str or pathlib.Path
        Folder with ``tles.txt``, ``isls.txt``, ``ground_stations.txt`` and
        ``description.txt``.

    Returns
    -------
    HypatiaNetwork

    Raises
    ------
    HypatiaFormatError
        A missing folder or file, or any format problem.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise HypatiaFormatError(str(folder), 0, str(folder), "a Hypatia satellite-network folder")
    tles = read_tles(folder / "tles.txt")
    isls = read_isls(folder / "isls.txt", len(tles))
    stations = read_ground_stations(folder / "ground_stations.txt")
    description = parse_description(
        _read(folder / "description.txt"), str(folder / "description.txt")
    )
    return HypatiaNetwork(
        path=folder,
        tles=tles,
        isls=isls,
        ground_stations=stations,
        max_gsl_length_m=description["max_gsl_length_m"],
        max_isl_length_m=description["max_isl_length_m"],
    )


def write_network_dir(
    path: str | Path,
    n_orbits: int,
    n_sats_per_orbit: int,
    records: list[tuple[str, str, str]],
    isls: np.ndarray,
    ground_stations_text: str,
    max_gsl_length_m: float,
    max_isl_length_m: float,
) -> Path:
    """Write a Hypatia satellite-network directory (the four files :func:`read_network_dir`
    reads), e.g. from :func:`lifeline.orbits.walker.hypatia_tle_lines` and
    :func:`lifeline.links.isl.plus_grid`.

    ``description.txt`` is written as Hypatia's ``generate_description`` does
    (``max_gsl_length_m=%.10f``).

    Returns
    -------
    pathlib.Path
        The folder.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    tle_lines = [f"{n_orbits} {n_sats_per_orbit}"] + [x for record in records for x in record]
    (folder / "tles.txt").write_text("\n".join(tle_lines) + "\n")
    pairs = np.asarray(isls, dtype=np.int64).reshape(-1, 2)
    (folder / "isls.txt").write_text("".join(f"{a} {b}\n" for a, b in pairs))
    (folder / "ground_stations.txt").write_text(ground_stations_text)
    (folder / "description.txt").write_text(
        f"max_gsl_length_m={max_gsl_length_m:.10f}\nmax_isl_length_m={max_isl_length_m:.10f}\n"
    )
    return folder
