"""Read two-line element sets (2-line and 3-line/"3LE" form) into SGP4 satellite records.

Every line is checked against the fixed-column format (line number, length, modulo-10
checksum, catalog numbers, numeric fields) before ``sgp4`` parses it, because the
accelerated ``Satrec.twoline2rv`` silently reads garbage fields as numbers.

References
----------
CelesTrak, T. S. Kelso, "FAQs: Two-Line Element Set Format",
https://celestrak.org/columns/v04n03/ (column layout, checksum rule).
Vallado, Crawford, Hujsak, Kelso, "Revisiting Spacetrack Report #3", AIAA 2006-6753.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sgp4.api import Satrec

from lifeline.errors import TLEError
from lifeline.time import datetime64_from_jd

__all__ = [
    "TLESet",
    "TLEColumns",
    "filter_launched_by",
    "last_launch_by",
    "launch_estimates_utc",
    "parse_record",
    "parse_tle",
    "read_tle",
    "scan_tle",
]

logger = logging.getLogger(__name__)

TLE_LINE_LENGTH = 69

_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
# Assumed-decimal with exponent, e.g. " 22460-2" = 0.22460e-2 (ndot'' and B*).
_EXP = re.compile(r"^[ +-]?\d{5}[+-]\d$")
_INT = re.compile(r"^\d+$")
# 5-digit catalog number, or Alpha-5 (letter without I and O, then 4 digits).
_CATALOG = re.compile(r"^(\d{1,5}|[A-HJ-NP-Z]\d{4})$")

# (field name, first column, last column (1-based, inclusive), pattern) per line.
_FIELDS = {
    1: (
        ("catalog number", 3, 7, _CATALOG),
        ("epoch year", 19, 20, re.compile(r"^\d{2}$")),
        ("epoch day of year", 21, 32, _FLOAT),
        ("first derivative of mean motion", 34, 43, _FLOAT),
        ("second derivative of mean motion", 45, 52, _EXP),
        ("B* drag term", 54, 61, _EXP),
    ),
    2: (
        ("catalog number", 3, 7, _CATALOG),
        ("inclination", 9, 16, _FLOAT),
        ("right ascension of ascending node", 18, 25, _FLOAT),
        ("eccentricity", 27, 33, re.compile(r"^\d{7}$")),
        ("argument of perigee", 35, 42, _FLOAT),
        ("mean anomaly", 44, 51, _FLOAT),
        ("mean motion", 53, 63, _FLOAT),
    ),
}


@dataclass(frozen=True)
class TLESet:
    """Satellites read from one TLE source, in file order.

    Attributes
    ----------
    names : list of str
        Satellite names (3LE name line, or ``"SAT-<catalog>"`` for 2-line records).
    satrecs : list of sgp4.api.Satrec
        SGP4 records, initialised with WGS72 (the constants TLEs are fitted with).
    catalog : numpy.ndarray of int64, shape (S,)
        NORAD catalog numbers.
    intl_designator : list of str
        International designator, line 1 columns 10-17 stripped, e.g. ``"19029D"``.
    epoch_utc : numpy.ndarray of datetime64[ns], shape (S,)
        Element-set epochs (UTC).
    source : str
        Where the elements came from (file path or caller's label).
    """

    names: list[str]
    satrecs: list[Satrec]
    catalog: np.ndarray
    intl_designator: list[str]
    epoch_utc: np.ndarray
    source: str

    def __len__(self) -> int:
        return len(self.satrecs)

    def subset(self, mask_or_index: np.ndarray | list[int] | list[bool]) -> TLESet:
        """Return the satellites selected by a boolean mask (S,) or an index array."""
        selector = np.asarray(mask_or_index)
        if selector.dtype == bool:
            if selector.shape != (len(self),):
                raise ValueError(
                    f"mask has shape {selector.shape}; expected ({len(self)},) for {self.source}"
                )
            index = np.flatnonzero(selector)
        else:
            index = selector.astype(np.int64).reshape(-1)
        return TLESet(
            names=[self.names[i] for i in index],
            satrecs=[self.satrecs[i] for i in index],
            catalog=self.catalog[index],
            intl_designator=[self.intl_designator[i] for i in index],
            epoch_utc=self.epoch_utc[index],
            source=self.source,
        )


def _checksum(line: str) -> int:
    """Modulo-10 checksum of columns 1-68: digits count their value, '-' counts 1."""
    total = sum(int(c) for c in line[:68] if c.isdigit()) + line[:68].count("-")
    return total % 10


def _check_line(line: str, number: int, source: str, line_no: int) -> None:
    """Raise TLEError unless ``line`` is a well-formed TLE line ``number`` (1 or 2)."""
    if line[:2] != f"{number} ":
        raise TLEError(
            source, line_no, f"expected TLE line {number} starting with '{number} ', got {line!r}"
        )
    if len(line) != TLE_LINE_LENGTH:
        raise TLEError(
            source,
            line_no,
            f"TLE line {number} has {len(line)} characters; expected {TLE_LINE_LENGTH}",
        )
    if not line[68].isdigit():
        raise TLEError(
            source, line_no, f"checksum (column 69) is {line[68]!r}; expected a digit 0-9"
        )
    expected = _checksum(line)
    if int(line[68]) != expected:
        raise TLEError(
            source,
            line_no,
            f"checksum mismatch: column 69 says {line[68]}, columns 1-68 give {expected} "
            "(sum of digits, '-' counts 1, modulo 10)",
        )
    for name, first, last, pattern in _FIELDS[number]:
        text = line[first - 1 : last]
        if not pattern.match(text.strip() if pattern is not _EXP else text):
            raise TLEError(
                source,
                line_no,
                f"TLE line {number} field '{name}' (columns {first}-{last}) = {text!r} "
                "is not in the TLE format",
            )


def parse_record(
    name: str | None, line1: str, line2: str, source: str, line_no1: int
) -> tuple[str, Satrec, str]:
    """Validate one TLE record and build its Satrec; ``line_no1`` is line 1's line number.

    Shared by the TLE reader and the Hypatia ``tles.txt`` reader (:mod:`lifeline.io.hypatia`).
    """
    _check_line(line1, 1, source, line_no1)
    _check_line(line2, 2, source, line_no1 + 1)
    if line1[2:7] != line2[2:7]:
        raise TLEError(
            source,
            line_no1 + 1,
            f"catalog number {line2[2:7].strip()!r} on line 2 does not match "
            f"{line1[2:7].strip()!r} on line 1",
        )
    try:
        satrec = Satrec.twoline2rv(line1, line2)
    except (ValueError, RuntimeError) as exc:
        raise TLEError(source, line_no1, f"sgp4 could not parse the record: {exc}") from exc
    if not name:
        name = f"SAT-{satrec.satnum}"
    return name, satrec, line1[9:17].strip()


def parse_tle(text: str, source: str) -> TLESet:
    """Parse TLE text with 2-line or 3-line records.

    Parameters
    ----------
    text : str
        File contents. Blank lines and CRLF line ends are accepted; trailing whitespace on
        a line is ignored. A name line may carry the ``"0 "`` prefix of 3LE files.
    source : str
        Label used in error messages and kept as ``TLESet.source`` (usually the path).

    Returns
    -------
    TLESet
        One entry per satellite. For a catalog number seen more than once, the record with
        the newest epoch is kept (a warning gives the count).

    Raises
    ------
    TLEError
        On any malformed line (naming the 1-based line number and what was expected), or
        when the text holds no records.

    References
    ----------
    CelesTrak, "FAQs: Two-Line Element Set Format", https://celestrak.org/columns/v04n03/.
    """
    lines = [
        (number, raw.rstrip())
        for number, raw in enumerate(text.splitlines(), start=1)
        if raw.strip()
    ]
    names: list[str] = []
    satrecs: list[Satrec] = []
    designators: list[str] = []
    i = 0
    while i < len(lines):
        line_no, line = lines[i]
        name = None
        if line.startswith("2 "):
            raise TLEError(source, line_no, "found TLE line 2 where a name or line 1 was expected")
        if not line.startswith("1 "):
            name = line[2:].strip() if line.startswith("0 ") else line.strip()
            i += 1
            if i >= len(lines):
                raise TLEError(
                    source, line_no, f"name line {name!r} is not followed by TLE lines 1 and 2"
                )
            line_no, line = lines[i]
        if i + 1 >= len(lines):
            raise TLEError(source, line_no, "TLE line 1 is not followed by line 2")
        line2_no, line2 = lines[i + 1]
        if line2_no != line_no + 1:
            raise TLEError(source, line_no + 1, "expected TLE line 2, found a blank line")
        name, satrec, designator = parse_record(name, line, line2, source, line_no)
        names.append(name)
        satrecs.append(satrec)
        designators.append(designator)
        i += 2
    if not satrecs:
        raise TLEError(source, 0, "no TLE records found (expected 2-line or 3-line records)")

    catalog = np.array([s.satnum for s in satrecs], dtype=np.int64)
    epoch_utc = datetime64_from_jd(
        np.array([s.jdsatepoch for s in satrecs]), np.array([s.jdsatepochF for s in satrecs])
    )
    keep = _newest_per_catalog(catalog, epoch_utc)
    if not keep.all():
        logger.warning(
            "%s: %d duplicate record(s) of the same catalog number dropped; kept the newest epoch",
            source,
            int((~keep).sum()),
        )
    return TLESet(
        names=names,
        satrecs=satrecs,
        catalog=catalog,
        intl_designator=designators,
        epoch_utc=epoch_utc,
        source=source,
    ).subset(keep)


def _newest_per_catalog(catalog: np.ndarray, epoch_utc: np.ndarray) -> np.ndarray:
    """Boolean mask keeping, per catalog number, the newest epoch (the later record on ties)."""
    order = np.lexsort((np.arange(len(catalog)), epoch_utc, catalog))
    last_of_group = np.ones(len(order), dtype=bool)
    last_of_group[:-1] = catalog[order][1:] != catalog[order][:-1]
    keep = np.zeros(len(catalog), dtype=bool)
    keep[order[last_of_group]] = True
    return keep


def read_tle(path: str | Path) -> TLESet:
    """Read a TLE file (see :func:`parse_tle`).

    Raises
    ------
    TLEError
        ``TLEError(path, 0, "file not found")`` when the file is missing, or any parse error.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii", errors="strict")
    except FileNotFoundError as exc:
        raise TLEError(str(path), 0, "file not found") from exc
    except UnicodeDecodeError as exc:
        raise TLEError(str(path), 0, f"not an ASCII text file ({exc.reason})") from exc
    return parse_tle(text, str(path))


_DESIGNATOR = re.compile(r"^(\d{4})-(\d{3})$")


def _launch_key(designator: str) -> tuple[int, int] | None:
    """(year, launch number) from a TLE designator such as "19029D"; None if absent."""
    if len(designator) < 5 or not designator[:5].isdigit():
        return None
    yy = int(designator[:2])
    # Two-digit years: 57-99 are 1957-1999 (first launch 1957), 00-56 are 2000-2056.
    year = 1900 + yy if yy >= 57 else 2000 + yy
    return year, int(designator[2:5])


def filter_launched_by(tleset: TLESet, designator: str) -> TLESet:
    """Keep satellites launched at or before the launch ``designator`` ("YYYY-NNN").

    International designators number launches in order within a year, so
    ``(year, launch number) <= (YYYY, NNN)`` selects everything launched up to and
    including that launch. Satellites with a blank or malformed designator cannot be
    placed and are dropped, with a warning.

    Parameters
    ----------
    tleset : TLESet
    designator : str
        COSPAR launch, e.g. ``"2022-049"``.

    Returns
    -------
    TLESet

    Raises
    ------
    ValueError
        If ``designator`` is not "YYYY-NNN".

    References
    ----------
    COSPAR international designator (year, launch number of the year, piece), TLE line 1
    columns 10-17; CelesTrak, "FAQs: Two-Line Element Set Format".
    """
    match = _DESIGNATOR.match(designator.strip())
    if match is None:
        raise ValueError(f"launch designator {designator!r} is not 'YYYY-NNN', e.g. '2022-049'")
    limit = (int(match.group(1)), int(match.group(2)))
    keys = [_launch_key(d) for d in tleset.intl_designator]
    n_unknown = sum(key is None for key in keys)
    if n_unknown:
        logger.warning(
            "%s: %d satellite(s) without a readable international designator dropped by "
            "filter_launched_by(%r)",
            tleset.source,
            n_unknown,
            designator,
        )
    return tleset.subset(np.array([key is not None and key <= limit for key in keys], dtype=bool))


#: Median lead of the raw revolution-count launch estimate over the real launch date [day]
#: (8 launches of the 2022-08-17 snapshot; see :func:`launch_estimates_utc`;
#: references.md#element-age).
LAUNCH_ESTIMATE_BIAS_DAYS = 4


@dataclass(frozen=True)
class TLEColumns:
    """The columns of a TLE file that dating needs, read without building SGP4 records.

    Attributes
    ----------
    intl_designator : list of str
        Line 1 columns 10-17, stripped.
    epoch_utc : (S,) datetime64[ns]
    revolutions : (S,) float
        Revolution number at epoch (line 2 columns 64-68).
    rev_per_day : (S,) float
        Mean motion (line 2 columns 53-63) [rev/day].
    """

    intl_designator: list[str]
    epoch_utc: np.ndarray
    revolutions: np.ndarray
    rev_per_day: np.ndarray


def scan_tle(path: str | Path) -> TLEColumns:
    """Epochs, designators and revolution counts of a TLE file, fast (no checksum, no SGP4).

    For checks made while a scenario loads (how old the elements are, which launches had
    flown); :func:`read_tle` validates every line when the satellites are built.

    Raises
    ------
    TLEError
        The file cannot be read, or a line 1 / line 2 field is not a number.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="ascii", errors="strict").splitlines()
    except FileNotFoundError as exc:
        raise TLEError(str(path), 0, "file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise TLEError(str(path), 0, f"not a readable ASCII text file ({exc})") from exc
    designators, epochs, revs, motion = [], [], [], []
    for no, line in enumerate(lines, start=1):
        try:
            if line.startswith("1 ") and len(line) >= 32:
                yy = int(line[18:20])
                year = 1900 + yy if yy >= 57 else 2000 + yy
                day = float(line[20:32])
                if not 1.0 <= day < 367.0:  # also refuses inf and nan
                    raise ValueError(line[20:32])
                epochs.append(
                    np.datetime64(f"{year:04d}-01-01", "ns")
                    + np.timedelta64(int(round((day - 1.0) * 86400e9)), "ns")
                )
                designators.append(line[9:17].strip())
            elif line.startswith("2 ") and len(line) >= 63:
                rev_per_day = float(line[52:63])
                # A blank count stays unknown (NaN: left out of its launch's median).
                revolutions = float(line[63:68]) if line[63:68].strip() else np.nan
                if not np.isfinite(rev_per_day) or np.isinf(revolutions):
                    raise ValueError(line[52:68])
                motion.append(rev_per_day)
                revs.append(revolutions)
        except ValueError:
            raise TLEError(str(path), no, "a number expected in the element columns") from None
    if len(epochs) != len(motion):
        raise TLEError(str(path), 0, f"{len(epochs)} line-1 records but {len(motion)} line 2")
    return TLEColumns(
        designators,
        np.array(epochs, dtype="datetime64[ns]"),
        np.array(revs, dtype=float),
        np.array(motion, dtype=float),
    )


def launch_estimates_utc(columns: TLEColumns | TLESet) -> dict[tuple[int, int], np.datetime64]:
    """When each launch of a set flew, estimated from the elements themselves.

    A TLE's revolution number at epoch counts orbits since launch, so ``epoch − revolutions /
    mean motion`` dates the launch; the median over a launch's satellites is taken (single
    records are sometimes reset to 0 revolutions), then moved :data:`LAUNCH_ESTIMATE_BIAS_DAYS`
    later.

    Parameters
    ----------
    columns : TLEColumns (:func:`scan_tle`) or TLESet

    Returns
    -------
    dict
        ``(year, launch number) -> datetime64[s]`` for every readable designator.

    Notes
    -----
    Orbit raising (more revolutions a day than on station) makes the raw estimate early: on the
    shipped 2022-08-17 snapshot the medians fall 3–19 days before the launch dates of
    lifeline/data/PROVENANCE.md and references.md#tle-snapshots (2022-049, 6 May, is estimated
    2 May; 2022-051, 13 May: 8 May; 2022-053, 18 May: 13 May; 2019-074, 11 Nov 2019: 8 Nov),
    4 days in the median of 8 launches, hence the correction. With it, the launches flown by
    11 May 2022 come out as 2022-049, the default preset's hand-made choice. The five-digit
    revolution field wraps at 100,000 revolutions (about 18 years at Starlink's 15 a day).

    References
    ----------
    CelesTrak, "FAQs: Two-Line Element Set Format": line 2 columns 64-68, revolution number at
    epoch; columns 53-63, mean motion [rev/day].
    """
    if isinstance(columns, TLESet):
        revolutions = np.array([s.revnum for s in columns.satrecs], dtype=float)
        rev_per_day = np.array([s.no_kozai for s in columns.satrecs]) * 1440.0 / (2.0 * np.pi)
    else:
        revolutions, rev_per_day = columns.revolutions, columns.rev_per_day
    with np.errstate(divide="ignore", invalid="ignore"):
        days = np.where(rev_per_day > 0, revolutions / rev_per_day, np.nan)
    launched = columns.epoch_utc.astype("datetime64[s]").astype(np.int64) - days * 86400.0
    groups: dict[tuple[int, int], list[float]] = {}
    for key, t in zip((_launch_key(d) for d in columns.intl_designator), launched, strict=True):
        if key is not None and np.isfinite(t):
            groups.setdefault(key, []).append(float(t))
    bias_s = LAUNCH_ESTIMATE_BIAS_DAYS * 86400
    return {k: np.datetime64(int(np.median(v)) + bias_s, "s") for k, v in groups.items()}


def last_launch_by(columns: TLEColumns | TLESet, when_utc: np.datetime64) -> str | None:
    """The last launch (``"YYYY-NNN"``) estimated to have flown by ``when_utc``
    (:func:`launch_estimates_utc`), or None when none had."""
    flown = [k for k, t in launch_estimates_utc(columns).items() if t <= when_utc]
    if not flown:
        return None
    year, number = max(flown)
    return f"{year:04d}-{number:03d}"
