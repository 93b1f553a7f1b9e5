"""Reading routes from GeoJSON (RFC 7946): a LineString, as a bare geometry, a Feature or the
only LineString of a FeatureCollection. Coordinates are ``[lon, lat]`` (RFC 7946 §3.1.1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lifeline.errors import InputFileError
from lifeline.io.depth import parse_json

_ALLOWED = "a GeoJSON LineString (a geometry, a Feature, or a FeatureCollection with one)"


def _linestring(data: object, file: str) -> list:
    if isinstance(data, dict):
        kind = data.get("type")
        if kind == "LineString":
            return data.get("coordinates")
        if kind == "Feature":
            return _linestring(data.get("geometry"), file)
        if kind == "FeatureCollection":
            lines = [
                f.get("geometry")
                for f in data.get("features") or []
                if isinstance(f, dict)
                and isinstance(f.get("geometry"), dict)
                and f["geometry"].get("type") == "LineString"
            ]
            if len(lines) == 1:
                return lines[0].get("coordinates")
            raise InputFileError(file, 0, f"{len(lines)} LineStrings", _ALLOWED)
        raise InputFileError(file, 0, kind, _ALLOWED, column="type")
    raise InputFileError(file, 0, type(data).__name__, _ALLOWED)


def read_linestring(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """The vertices of a GeoJSON LineString file.

    Returns
    -------
    lat_deg, lon_deg : (n,) arrays, n >= 2.

    Raises
    ------
    InputFileError
        Missing file, bad JSON (with its line), no single LineString, or a vertex that is not
        ``[lon, lat]`` with lon in -180..180 and lat in -90..90.
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputFileError(file, 0, None, f"a readable UTF-8 GeoJSON file ({err})") from None
    data = parse_json(text, file)
    coords = _linestring(data, file)
    if not isinstance(coords, list) or len(coords) < 2:
        raise InputFileError(file, 0, coords, "a LineString of at least two positions")
    lat, lon = [], []
    for i, c in enumerate(coords):
        ok = (
            isinstance(c, list)
            and len(c) in (2, 3)
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in c)
            and -180.0 <= c[0] <= 180.0
            and -90.0 <= c[1] <= 90.0
        )
        if not ok:
            raise InputFileError(
                file, 0, c, "[lon, lat] in -180..180, -90..90", column=f"coordinates[{i}]"
            )
        lon.append(float(c[0]))
        lat.append(float(c[1]))
    return np.array(lat), np.array(lon)
