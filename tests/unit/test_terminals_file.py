"""Terminal sites from CSV or GeoJSON (``terminals_file``), with located errors."""

from __future__ import annotations

import json

import pytest

from lifeline.io.sites import SitesError, read_terminals_file


def test_csv_with_short_names_and_a_horizon(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        "name,lat,lon,users,kit,horizon\n"
        "Nukualofa,-21.14,-175.20,40,standard,20;20;30;30\n"
        "Eua,-21.37,-174.93,,,\n"
    )
    rows = read_terminals_file(path)
    assert [r.where for r in rows] == ["line 2", "line 3"]
    assert rows[0].values == {
        "name": "Nukualofa",
        "lat_deg": -21.14,
        "lon_deg": -175.2,
        "users": 40,
        "kit": "standard",
        "horizon_deg": [20.0, 20.0, 30.0, 30.0],
    }
    assert rows[1].values == {"name": "Eua", "lat_deg": -21.37, "lon_deg": -174.93}


def test_geojson_points(tmp_path):
    path = tmp_path / "sites.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [-175.2, -21.14, 5]},
                        "properties": {"name": "Nukualofa", "users": 12},
                    }
                ],
            }
        )
    )
    (row,) = read_terminals_file(path)
    assert row.where == "features[0]"
    # RFC 7946 §3.1.1: longitude first.
    assert row.values == {
        "name": "Nukualofa",
        "users": 12,
        "lon_deg": -175.2,
        "lat_deg": -21.14,
        "alt_m": 5.0,
    }


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("a.csv", "name,lat\nX,1\n", "missing ['lon_deg']"),
        ("b.csv", "name,lat,lon\nX,1,2,3\n", "b.csv:2"),
        ("c.csv", "name,lat,lon\n,1,2\n", "c.csv:2"),
        ("d.csv", "name,lat,lon\n", "at least one site"),
        ("e.geojson", '{"type": "FeatureCollection", "features": [{"geometry": '
         '{"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}]}', "features[0].geometry"),
        ("f.geojson", "{", "f.geojson:1"),
        ("g.csv", "name,lat,lon,horizon\nX,1,2,a;b\n", "horizon_deg"),
    ],
)  # fmt: skip
def test_errors_name_the_file_and_place(tmp_path, name, text, where):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SitesError) as err:
        read_terminals_file(path)
    assert name in str(err.value)
    assert where in str(err.value)
