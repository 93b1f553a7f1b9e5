"""GeoJSON routes: reading a LineString and timing it at a constant speed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lifeline.errors import InputFileError
from lifeline.geo import great_circle_km, travel_times_s
from lifeline.io.geojson import read_linestring

# Mariupol (FACTS §7) → Berdiansk → Zaporizhzhia, [lon, lat] as RFC 7946 §3.1.1 orders them.
CONVOY = [[37.5494, 47.0958], [36.7845, 46.7558], [35.1175, 47.85]]


def test_linestring_forms_read_the_same(tmp_path):
    geometry = {"type": "LineString", "coordinates": CONVOY}
    forms = {
        "geometry": geometry,
        "feature": {"type": "Feature", "properties": {}, "geometry": geometry},
        "collection": {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [37.6, 47.1]}},
                {"type": "Feature", "properties": {"name": "convoy"}, "geometry": geometry},
            ],
        },
    }
    for name, data in forms.items():
        path = tmp_path / f"{name}.geojson"
        path.write_text(json.dumps(data))
        lat, lon = read_linestring(path)
        np.testing.assert_array_equal(lat, [c[1] for c in CONVOY])
        np.testing.assert_array_equal(lon, [c[0] for c in CONVOY])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"type": "LineString", "coordinates": [[37.5, 47.1]]}', "at least two positions"),
        ('{"type": "Point", "coordinates": [37.5, 47.1]}', "type = 'Point'"),
        ('{"type": "LineString", "coordinates": [[37.5, 47.1], [95, 200]]}', "coordinates[1]"),
        ('{"type": "LineString",\n "coordinates": [', "r.geojson:2"),
        ('{"type": "FeatureCollection", "features": []}', "0 LineStrings"),
    ],
)
def test_bad_routes_name_file_and_place(tmp_path, text, expected):
    path = tmp_path / "r.geojson"
    path.write_text(text)
    with pytest.raises(InputFileError) as err:
        read_linestring(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_travel_times_follow_the_legs():
    lat = np.array([c[1] for c in CONVOY])
    lon = np.array([c[0] for c in CONVOY])
    t = travel_times_s(lat, lon, speed_kmh=30.0, depart_s=600.0)
    legs = great_circle_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
    # Time = distance / speed, leg by leg, from the departure time.
    np.testing.assert_allclose(t, 600.0 + np.r_[0.0, np.cumsum(legs)] / 30.0 * 3600.0)
    # Mariupol → Berdiansk is ~70 km by air: a bit over two hours at 30 km/h.
    assert 60 < legs[0] < 80 and 2.0 < (t[1] - t[0]) / 3600 < 2.7
