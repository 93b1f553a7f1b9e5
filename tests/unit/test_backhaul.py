"""Gateway → PoP backhaul: the default stretch and a route a scenario knows."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from lifeline.config import scenario_from_dict
from lifeline.constants import C_KM_S
from lifeline.engine.inputs import build_ground
from lifeline.errors import ScenarioError
from lifeline.geo import great_circle_km

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.toml"


def tiny_with(gateway: dict):
    """tests/data/tiny.toml with its one gateway's keys updated."""
    data = tomllib.loads(TINY.read_text(encoding="utf-8"))
    data["gateways"] = [{**data["gateways"][0], **gateway}]
    return scenario_from_dict(data, source="<test>", base_dir=TINY.parent)


def test_default_backhaul_is_great_circle_times_1_3():
    # references.md#fibre-stretch (1.3, conduits) and #fibre-group-index (1.4682).
    sc = tiny_with({})
    g, p = sc.gateways[0], sc.pops[0]
    km = great_circle_km(g.lat_deg, g.lon_deg, p.lat_deg, p.lon_deg)
    ground = build_ground(sc)
    assert ground.gateway_fiber_ms[0] == pytest.approx(km * 1.3 * 1.4682 / C_KM_S * 1e3)


def test_a_known_route_replaces_distance_times_stretch():
    sc = tiny_with({"pop": "Frankfurt", "pop_route_km": 2500.0})
    ground = build_ground(sc)
    assert ground.gateway_fiber_ms[0] == pytest.approx(2500.0 * 1.4682 / C_KM_S * 1e3)


def test_route_without_pop_is_refused():
    with pytest.raises(ScenarioError, match=r"gateways\[0\]\.pop_route_km = 2500\.0: only allowed"):
        tiny_with({"pop_route_km": 2500.0})
