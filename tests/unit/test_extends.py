"""extends: a base's relative input paths stay relative to the base's own folder."""

from __future__ import annotations

import json

from lifeline.config import load_scenario
from tests.helpers import write_text

# A two-vertex route near Mariupol, [lon, lat] as GeoJSON orders them (RFC 7946).
ROUTE = [[37.55, 47.10], [37.60, 47.05]]


def test_a_base_terminal_route_is_read_from_the_base_folder(tmp_path):
    write_text(
        tmp_path / "base" / "route.geojson",
        json.dumps({"type": "LineString", "coordinates": ROUTE}),
    )
    write_text(
        tmp_path / "base" / "base.toml",
        'extends = "mariupol-2022"\nname = "base"\n'
        '[[terminals]]\nname = "Convoy"\nlat_deg = 47.1\nlon_deg = 37.5\n'
        '[terminals.path]\ngeojson = "route.geojson"\nspeed_kmh = 30\n',
    )
    child = write_text(
        tmp_path / "elsewhere" / "child.toml", 'extends = "../base/base.toml"\nname = "child"\n'
    )
    (terminal,) = load_scenario(child).terminals
    # The route's vertices, as the base's file gives them (not looked for in elsewhere/).
    assert terminal.path.geojson == str((tmp_path / "base" / "route.geojson").resolve())
    _, lats, lons = terminal.route(load_scenario(child).time.start_utc)
    assert lats[1:] == [47.10, 47.05] and lons[1:] == [37.55, 37.60]
