"""Read gateway and PoP site lists from CSV.

The shipped files are ``lifeline/data/starlink-gateways.csv`` and ``starlink-pops.csv`` (see
``lifeline/data/PROVENANCE.md`` for their columns and sources). User files need at least the
columns ``name``, ``lat_deg`` and ``lon_deg``; any other column is kept, and the columns
listed below are converted to numbers or booleans. An empty cell becomes ``None``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lifeline.constants import SITE_ALT_M_RANGE
from lifeline.errors import InputFileError

__all__ = ["SitesError", "TerminalRow", "read_gateways_csv", "read_pops_csv", "read_terminals_file"]

_REQUIRED = ("name", "lat_deg", "lon_deg")
# Ranges of the columns a scenario's [[gateways]] also has (lifeline.config.sites.Gateway), so
# that a row read here makes a valid gateway: elevation is an angle above the horizon, the
# altitude range is SITE_ALT_M_RANGE, and a gateway serves at least one satellite.
_RANGES = {
    "lat_deg": (-90.0, 90.0),
    "lon_deg": (-180.0, 180.0),
    "alt_m": SITE_ALT_M_RANGE,
    "min_elevation_deg": (0.0, 90.0),
    "max_satellites": (1, None),
}
_FLOAT_COLUMNS = {
    "lat_deg",
    "lon_deg",
    "alt_m",
    "min_elevation_deg",
    "uplink_ghz",
    "downlink_ghz",
    "dist_to_mariupol_km",
}
_INT_COLUMNS = {"antenna_count", "antenna_count_2022_12", "max_satellites"}
_BOOL_COLUMNS = {"listed_2022_12", "listed_2024_01", "live"}


class SitesError(InputFileError):
    """A site CSV file is malformed (file, line, column, value, allowed)."""

    def __init__(self, file: str, line: int, column: str, value: object, allowed: str) -> None:
        super().__init__(file, line, value, allowed, column=column)


def _to_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise ValueError(text)
    return lowered == "true"


def _in(kind: str, lo_hi: tuple[float, float | None] | None) -> str:
    if lo_hi is None:
        return kind
    lo, hi = lo_hi
    return f"{kind} >= {lo:g}" if hi is None else f"{kind} in {lo:g}..{hi:g}"


def _converter(column: str) -> tuple[Callable[[str], Any], str] | None:
    if column in _FLOAT_COLUMNS:
        return _to_float, _in("a number", _RANGES.get(column))
    if column in _INT_COLUMNS:
        return int, _in("an integer", _RANGES.get(column))
    if column in _BOOL_COLUMNS:
        return _to_bool, "true or false"
    return None


def _read_sites(path: str | Path) -> list[dict[str, Any]]:
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SitesError(label, 0, "", str(path), f"a readable UTF-8 CSV file ({exc})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _parse_rows(reader, label)
    except csv.Error as exc:  # e.g. a cell over the csv module's field size limit
        raise SitesError(label, reader.line_num, "", "", f"a CSV file ({exc})") from None


def _parse_rows(reader: csv.DictReader, label: str) -> list[dict[str, Any]]:
    header = reader.fieldnames or []
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise SitesError(
            label, 1, "header", header, f"columns {', '.join(_REQUIRED)} (missing {missing})"
        )
    rows = []
    for record in reader:
        line = reader.line_num
        if None in record or any(record[c] is None for c in header):
            raise SitesError(label, line, "row", record, f"{len(header)} comma-separated cells")
        row: dict[str, Any] = {}
        for column, cell in record.items():
            cell = cell.strip()
            conv = _converter(column)
            if column in _REQUIRED and not cell:
                raise SitesError(label, line, column, cell, "a value (required column)")
            if not cell:
                row[column] = None
                continue
            if conv is None:
                row[column] = cell
                continue
            func, allowed = conv
            try:
                row[column] = func(cell)
            except ValueError:
                raise SitesError(label, line, column, cell, allowed) from None
            lo, hi = _RANGES.get(column, (None, None))
            if (lo is not None and row[column] < lo) or (hi is not None and row[column] > hi):
                raise SitesError(label, line, column, row[column], allowed)
        rows.append(row)
    if not rows:
        raise SitesError(label, 0, "", label, "at least one data row after the header")
    return rows


def read_gateways_csv(path: str | Path) -> list[dict[str, Any]]:
    """Read a gateway list.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV with a header row; ``name``, ``lat_deg`` [deg], ``lon_deg`` [deg] are required.

    Returns
    -------
    list of dict
        One dict per row, in file order. Known numeric and boolean columns (``alt_m``,
        ``min_elevation_deg``, ``antenna_count``, ``listed_2022_12``, ...) are converted;
        empty cells are ``None``; other columns stay strings.

    Raises
    ------
    SitesError
        Naming the file, line, column, bad value and what is allowed.
    """
    return _read_sites(path)


def read_pops_csv(path: str | Path) -> list[dict[str, Any]]:
    """Read a PoP list (same format rules as :func:`read_gateways_csv`).

    Parameters
    ----------
    path : str or pathlib.Path
        CSV with a header row; ``name``, ``lat_deg`` [deg], ``lon_deg`` [deg] are required.

    Returns
    -------
    list of dict
        One dict per row, in file order.

    Raises
    ------
    SitesError
        Naming the file, line, column, bad value and what is allowed.
    """
    return _read_sites(path)


# ----------------------------------------------------------------------------------------------
# Terminal sites (``terminals_file``)
# ----------------------------------------------------------------------------------------------

#: Other spellings accepted for the position and mask columns -> the scenario key.
TERMINAL_ALIASES = {
    "lat": "lat_deg",
    "latitude": "lat_deg",
    "lon": "lon_deg",
    "lng": "lon_deg",
    "longitude": "lon_deg",
    "horizon": "horizon_deg",
    "alt": "alt_m",
    "elevation_m": "alt_m",
}
#: Keys read as numbers; everything else stays text (``name``, ``kit``) and the scenario's
#: own validation checks it.
_TERMINAL_INTS = {"users"}
_TERMINAL_LISTS = {"horizon_deg"}


@dataclass(frozen=True)
class TerminalRow:
    """One site of a terminals file: ``where`` (``line 4``, ``features[2]``) and its keys."""

    where: str
    values: dict[str, Any]


def _terminal_value(key: str, value: Any, label: str, where: str) -> Any:
    if key in _TERMINAL_LISTS:
        parts = value if isinstance(value, list) else str(value).replace(";", " ").split()
        try:
            return [_to_float(str(v)) for v in parts]
        except ValueError:
            raise SitesError(
                label, 0, f"{where} {key}", value, "numbers separated by ';'"
            ) from None
    if key == "name" or not isinstance(value, str):
        return value
    text = value.strip()
    try:
        return int(text) if key in _TERMINAL_INTS else _to_float(text)
    except ValueError:
        return text  # a kit name, or a bad number the scenario check names with its allowed range


def _terminal_rows_csv(text: str, label: str) -> list[TerminalRow]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [TERMINAL_ALIASES.get(h.strip().lower(), h.strip()) for h in reader.fieldnames or []]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise SitesError(
            label, 1, "header", reader.fieldnames, f"columns name, lat, lon (missing {missing})"
        )
    reader.fieldnames = header
    rows = []
    for record in reader:
        line = reader.line_num
        if None in record or any(record[c] is None for c in header):
            raise SitesError(label, line, "row", record, f"{len(header)} comma-separated cells")
        values = {}
        for key, cell in record.items():
            if cell.strip():
                values[key] = _terminal_value(key, cell, label, f"line {line}")
            elif key in _REQUIRED:
                raise SitesError(label, line, key, cell, "a value (required column)")
        rows.append(TerminalRow(f"line {line}", values))
    return rows


def _terminal_rows_geojson(text: str, label: str) -> list[TerminalRow]:
    import json

    allowed = "a GeoJSON FeatureCollection of Point features with a name property"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SitesError(label, err.lineno, "", err.msg, "valid JSON") from None
    except RecursionError:
        raise SitesError(label, 0, "", "nested too deeply", allowed) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise SitesError(label, 0, "type", type(data).__name__, allowed)
    rows = []
    for i, f in enumerate(features):
        where = f"features[{i}]"
        geometry = f.get("geometry") if isinstance(f, dict) else None
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if (
            not isinstance(geometry, dict)
            or geometry.get("type") != "Point"
            or not isinstance(coords, list)
            or len(coords) not in (2, 3)
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords)
        ):
            raise SitesError(label, 0, f"{where}.geometry", geometry, "a Point [lon, lat]")
        props = f.get("properties") or {}
        if not isinstance(props, dict):
            raise SitesError(label, 0, f"{where}.properties", props, "an object")
        values = {
            TERMINAL_ALIASES.get(k.lower(), k): _terminal_value(
                TERMINAL_ALIASES.get(k.lower(), k), v, label, where
            )
            for k, v in props.items()
        }
        if not isinstance(values.get("name"), str) or not values["name"].strip():
            raise SitesError(label, 0, f"{where}.properties.name", values.get("name"), "a name")
        # RFC 7946 §3.1.1: [longitude, latitude(, altitude)].
        values["lon_deg"], values["lat_deg"] = float(coords[0]), float(coords[1])
        if len(coords) == 3:
            values.setdefault("alt_m", float(coords[2]))
        rows.append(TerminalRow(where, values))
    return rows


def read_terminals_file(path: str | Path) -> list[TerminalRow]:
    """Terminal sites from a CSV or GeoJSON file (``terminals_file`` of a scenario).

    Parameters
    ----------
    path : str or pathlib.Path
        ``.geojson``/``.json``: a FeatureCollection of Point features (``[lon, lat]`` or
        ``[lon, lat, alt_m]``, RFC 7946 §3.1.1) whose properties hold ``name`` and any other
        terminal key. Otherwise CSV with a header: ``name``, ``lat`` (or ``lat_deg``,
        ``latitude``), ``lon`` (``lon_deg``, ``lng``, ``longitude``), then any terminal key
        (``users``, ``kit``, ``alt_m``, ``min_elevation_deg``, ...); ``horizon`` (or
        ``horizon_deg``) lists its sector values separated by ``;``. Empty cells are left out
        (the scenario default applies).

    Returns
    -------
    list of TerminalRow
        In file order; numbers converted, ranges and unknown keys left to the scenario's
        validation, which names the row by ``where``.

    Raises
    ------
    SitesError
        Unreadable file, bad JSON, a missing column, a ragged row or a non-Point feature,
        with the file, the line (or feature) and what is allowed.
    """
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SitesError(label, 0, "", str(path), f"a readable UTF-8 file ({exc})") from None
    is_json = Path(path).suffix.lower() in (".geojson", ".json")
    rows = _terminal_rows_geojson(text, label) if is_json else _terminal_rows_csv(text, label)
    if not rows:
        raise SitesError(label, 0, "", label, "at least one site")
    return rows
