"""GeoJSON routes: reading a LineString and timing it at a constant speed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lifeline.errors import InputFileError
from lifeline.geo import great_circle_km, travel_times_s
from lifeline.io.geojson import read_linestring

# Mariupol (references.md#sites) → Berdiansk → Zaporizhzhia, [lon, lat] as RFC 7946 §3.1.1 orders
# them.
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


def _write_convoy(tmp_path, speed_kmh=40.0, extra=""):
    (tmp_path / "convoy.geojson").write_text(
        json.dumps({"type": "Feature", "geometry": {"type": "LineString", "coordinates": CONVOY}})
    )
    scenario = tmp_path / "convoy.toml"
    scenario.write_text(
        'extends = "mariupol-2022"\nname = "convoy"\n[time]\nduration_s = 600\n'
        '[[terminals]]\nname = "Convoy"\nlat_deg = 47.0958\nlon_deg = 37.5494\n'
        f'[terminals.path]\ngeojson = "convoy.geojson"\nspeed_kmh = {speed_kmh}\n{extra}'
    )
    return scenario


def test_a_path_terminal_moves_like_its_timed_waypoints(tmp_path):
    """A [terminals.path] is the same route as waypoints timed by distance / speed."""
    from lifeline.config import load_scenario

    sc = load_scenario(_write_convoy(tmp_path, extra="depart_s = 120\n"))
    (terminal,) = sc.terminals
    assert terminal.moves
    times, lats, lons = terminal.route(sc.time.start_utc)
    lat = np.array([c[1] for c in CONVOY])
    lon = np.array([c[0] for c in CONVOY])
    # The first vertex is the start point (a zero-length leg is dropped): wait, then two legs.
    expect = travel_times_s(lat, lon, 40.0, depart_s=120.0)
    np.testing.assert_allclose(times, [0.0, *expect])
    np.testing.assert_allclose(lats, [lat[0], *lat])
    np.testing.assert_allclose(lons, [lon[0], *lon])
    # And the engine runs it as a moving terminal.
    import lifeline

    assert lifeline.run(sc).summary["terminals"]["Convoy"]["availability_pct"] > 90


def test_path_errors_name_the_file(tmp_path):
    from lifeline.config import load_scenario
    from lifeline.errors import LifelineError

    scenario = _write_convoy(tmp_path)
    (tmp_path / "convoy.geojson").write_text('{"type": "Point", "coordinates": [37.5, 47.1]}')
    with pytest.raises(LifelineError) as err:
        load_scenario(scenario)
    assert "convoy.geojson" in str(err.value) and "LineString" in str(err.value)
    both = _write_convoy(
        tmp_path, extra="[[terminals.waypoints]]\ntime_s = 60\nlat_deg = 47\nlon_deg = 37\n"
    )
    with pytest.raises(LifelineError) as err:
        load_scenario(both)
    assert "terminals[0].path" in str(err.value) and "not both" in str(err.value)
