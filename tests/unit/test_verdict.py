"""The plain-language verdict from a summary entry and outage spans (numbers made up here,
so the expected sentences follow from them)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from lifeline.report.verdict import column_label, format_duration, outages_from_spans, site_verdict

START = datetime(2022, 1, 20, tzinfo=UTC)


def test_durations_as_people_say_them():
    assert [format_duration(s) for s in (45, 60, 725, 3600, 12000)] == [
        "45 s", "1 min", "12 min 5 s", "1 h", "3 h 20 min"
    ]  # fmt: skip


def test_verdict_of_a_site_with_gaps():
    # 6 h window, two outages: 30 s at the start and 105 s at 04:36:30.
    outages = outages_from_spans(
        np.array([0.0, 16590.0]),
        np.array([30.0, 16695.0]),
        ["no_gateway_path", "no_satellite"],
        START,
    )
    t = {
        "availability_pct": 99.375,  # (21600 - 135) / 21600
        "rtt_ms_p50": 53.3,
        "rtt_ms_p95": 55.6,
        "throughput_mbps_p50": 25.0,
        "demand_mbps": 25.0,
        "demand_served_pct": 99.4,
        "outage_s_by_reason": {"no_gateway_path": 30.0, "no_satellite": 105.0},
    }
    v = site_verdict("Nukualofa", t, outages, 21600.0, [("Suva", "AKL", 1.0)])
    assert v.grade == "good" and v.headline == "usable nearly all the time"
    text = " ".join(v.sentences)
    assert "Served 99.4 % of the 6 h window (5 h 57 min with service)." in text
    assert (
        "Longest gap 1 min 45 s, from 20 Jan 2022 04:36:30 UTC to 04:38:15 (no satellite above "
        "the elevation mask); 2 gaps in all." in text
    )
    # p95 / 2 = 27.8 ms one way, under ITU-T G.114's 150 ms.
    assert "Round trip typically 53 ms, 95 % of the time under 56 ms: fine for voice" in text
    assert "Suva → AKL 100 %" in text
    assert text.endswith(
        "What broke it: no satellite above the elevation mask (1 min 45 s); satellites in view "
        "but none with a path to a working gateway (30 s)."
    )


def test_no_service_and_slow_lines():
    v = site_verdict("X", {"availability_pct": 0.0}, [], 3600.0)
    assert v.grade == "none"
    slow = site_verdict("Y", {"availability_pct": 95.0, "rtt_ms_p50": 250, "rtt_ms_p95": 400},
                        [], 3600.0)  # fmt: skip
    assert slow.grade == "gaps"
    assert "too slow at times for a natural call" in " ".join(slow.sentences)


def test_column_labels_one_style():
    assert column_label("time_to_first_service_s")[0] == "First service [s]"
    assert column_label("rtt_ms_p50")[0] == "RTT typical [ms]"
    assert column_label("something_new") == ("something_new", "")
