"""The ground-loss story: the region around Mariupol loses its ground stations.

Presets ``mariupol-2022-groundloss`` (with lasers) and ``mariupol-2022-groundloss-bentpipe``
take down every gateway and PoP within 1,500 km of Mariupol (Muallim TR, Kaunas LT, Wola
Krobowska PL). Expected ordering, from geometry alone: with ISLs traffic can ride the lasers to
gateways further west, so Azovstal stays connected; bent pipe needs one satellite seeing both
Azovstal and a live gateway, and the nearest one left, Foggia, is 1,848 km away, at the edge of
bent-pipe reach (about 1,880 km with both ends at 25 deg, references.md#min-elevation). The detour
can only
lengthen routes: at each slot start, where both runs pick the same satellite, RTT under ground
loss is at least the RTT without it.
"""

from __future__ import annotations

import pytest

import lifeline
from lifeline.config import load_scenario, scenario_from_dict
from lifeline.geo import great_circle_km

# End-to-end runs (seconds each): outside the quick loop `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

LOST = {"Muallim", "Kaunas", "Wola Krobowska"}
MINUTES = 20


@pytest.fixture(scope="module")
def runs(preset_run):
    names = (
        "mariupol-2022-lasers",
        "mariupol-2022-groundloss",
        "mariupol-2022-groundloss-bentpipe",
    )
    return {p: preset_run(p, MINUTES) for p in names}


def test_presets_lose_exactly_the_gateways_within_1500_km():
    sc = load_scenario("mariupol-2022-groundloss")
    ev = sc.events[0]
    # Mariupol city (references.md#sites) is the centre; distances are great-circle (haversine).
    inside = {
        g.name
        for g in sc.gateways
        if great_circle_km(ev.center_lat_deg, ev.center_lon_deg, g.lat_deg, g.lon_deg) <= 1500
    }
    assert inside == LOST
    assert load_scenario("mariupol-2022-groundloss-bentpipe").network.isl is False


def test_isl_keeps_azovstal_connected_through_gateways_further_west(runs):
    df = runs["mariupol-2022-groundloss"].terminals
    az = df[df.terminal == "Azovstal"]
    assert az.connected.mean() >= 0.99
    assert not az.gateway.isin(LOST).any()
    summary = runs["mariupol-2022-groundloss"].summary
    # The summary lists the event's gateways in the scenario's [[gateways]] order.
    in_file_order = [g.name for g in load_scenario("mariupol-2022-groundloss").gateways]
    assert summary["events"][0]["gateways"] == [name for name in in_file_order if name in LOST]


def test_bent_pipe_loses_most_service(runs):
    isl = runs["mariupol-2022-groundloss"].summary["terminals"]["Azovstal"]
    bent = runs["mariupol-2022-groundloss-bentpipe"].summary["terminals"]["Azovstal"]
    assert bent["availability_pct"] <= 10.0 < isl["availability_pct"]
    # The outage is put down to the lost ground stations, not to the sky.
    assert max(bent["outage_s_by_reason"], key=bent["outage_s_by_reason"].get) == "ground_down"


def unlimited_antennas(preset: str):
    """The preset's first minutes with no binding antenna limit at any gateway: gateway
    antennas are matched to the satellites users need (network/topology.py), so losing some
    gateways re-allocates the others' antennas and may even shorten a route; without a
    binding limit, losing ground stations only removes routes."""
    gateways = [
        {**g.model_dump(exclude_none=True), "max_satellites": 1000}
        for g in load_scenario(preset).gateways
    ]
    data = {
        "extends": preset,
        "name": f"{preset}-unlimited",
        "time": {"duration_s": MINUTES * 60},
        "gateways": gateways,
    }
    return lifeline.run(scenario_from_dict(data, source="<test>"))


def test_ground_loss_never_saves_rtt():
    # The same lasers without the ground loss (the default preset is bent pipe).
    base = unlimited_antennas("mariupol-2022-lasers").terminals
    lost = unlimited_antennas("mariupol-2022-groundloss").terminals
    start = (base.time_s % 15 == 0) & base.connected & lost.connected
    same = start & (base.satellite == lost.satellite)
    assert same.sum() > 100
    extra_ms = (lost.rtt_ms - base.rtt_ms)[same]
    # 1 ns of slack for summation order.
    assert (extra_ms >= -1e-6).all()
    # With lasers and the min-RTT choice, Azovstal's traffic already lands next to the
    # Frankfurt PoP (1.3 x fibre from Muallim costs more than the lasers), so losing the
    # region's ground stations costs it nothing here; the lost gateways carried none of it.
    az = base.terminal == "Azovstal"
    assert not base.gateway[az].isin(LOST).any()
    assert lost.rtt_ms[az].median() == pytest.approx(base.rtt_ms[az].median(), abs=1.0)
