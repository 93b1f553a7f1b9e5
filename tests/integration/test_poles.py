"""A terminal at a pole is served like one a step away from it (the South Pole station is at
latitude -90; a site at -90, or north of 86.65 N at most longitudes, got NaN gas and
scintillation attenuation from itur's climate maps and was reported 0 % available, low_sinr).

The 2026-02-24 snapshot (every Starlink satellite then, lifeline/data/PROVENANCE.md) has polar
shells with lasers, so both poles are covered through the European gateways of the preset
with laser links (mariupol-2022-lasers).
"""

from __future__ import annotations

import pytest

import lifeline
from lifeline.config import scenario_from_dict

pytestmark = pytest.mark.slow

SITES = {
    "south-pole": (-90.0, 0.0),
    "near-south-pole": (-89.9, 0.0),
    "north-pole-antimeridian": (90.0, 180.0),
    "near-north-pole-antimeridian": (89.9, -180.0),
}


def test_poles_are_served_like_their_neighbours():
    sc = scenario_from_dict(
        {
            "extends": "mariupol-2022-lasers",
            "name": "poles",
            "time": {"start_utc": "2026-02-24T00:00:00Z", "duration_s": 1200},
            "constellation": {"tle_file": "builtin:starlink-2026-02-24"},
            "terminals": [
                {"name": n, "lat_deg": lat, "lon_deg": lon} for n, (lat, lon) in SITES.items()
            ],
        },
        "<poles>",
    )
    terminals = lifeline.run(sc, workers=1).summary["terminals"]
    for name in SITES:
        t = terminals[name]
        assert "low_sinr" not in t["outage_s_by_reason"], (name, t["outage_s_by_reason"])
        assert t["throughput_down_mbps_p50"] is not None and t["throughput_down_mbps_p50"] > 0, name
    south, near = terminals["south-pole"], terminals["near-south-pole"]
    # 0.1 deg (11 km) apart: the same satellites serve both; availability within 1 point.
    assert south["availability_pct"] > 0
    assert abs(south["availability_pct"] - near["availability_pct"]) <= 1.0
