"""What a coordinator reads first: a plain-language verdict per site, its outage timetable,
and the summary table's column names and help in one style.

Pure functions of a run's summary (``summary.json``) and the outage spans that
:mod:`lifeline.report.prepare` finds in the terminals table. The wording compares the numbers
with what a person knows: a call needs a one-way delay under 150 ms to feel natural (ITU-T
G.114, references.md#interactive-delay), and measured Starlink round trips in Europe in 2022
were 37–50 ms typical (references.md#measured-rtt).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "COLUMNS",
    "REASON_TEXT",
    "Outage",
    "SiteVerdict",
    "column_label",
    "format_duration",
    "site_verdict",
]

#: One-way delay up to which a voice call stays natural for most users [ms]
#: (ITU-T G.114 (05/2003), §1 and Fig. 1; references.md#interactive-delay).
CALL_ONE_WAY_MS = 150.0
#: Typical Starlink RTT measured in Europe in 2022 [ms] (Ookla Q2 2022 Spain 37 ms to
#: Louvain-la-Neuve's ~50 ms median; references.md#measured-rtt).
MEASURED_RTT_MS = (37.0, 50.0)
#: Outages listed in a site's timetable (the longest ones, then in time order).
TIMETABLE_ROWS = 12

#: Outage causes in words (the ``reason`` column; lifeline's reason codes).
REASON_TEXT = {
    "no_satellite": "no satellite above the elevation mask",
    "no_gateway_path": "satellites in view but none with a path to a working gateway",
    "ground_down": "gateways or PoPs taken down by an event",
    "satellite_failed": "the satellites in view had failed",
    "no_power": "the terminal had no power",
    "obstructed": "the satellites were behind the site's horizon mask",
    "low_sinr": "the signal was too weak (rain or low elevation)",
    "jammed": "a jammer drowned the signal",
}

#: Summary keys -> (column label, unit, help), in the order the table shows them. Keys the
#: table does not know are shown with their key as label (nothing is hidden).
COLUMNS = {
    "availability_pct": ("Served", "%", "share of the window with a path to the Internet"),
    "longest_outage_s": ("Longest gap", "s", "the longest continuous time without service"),
    "outages": ("Gaps", "", "number of separate times without service"),
    "rtt_ms_p50": ("RTT typical", "ms", "round-trip time, median of the served time"),
    "rtt_ms_p95": ("RTT slow", "ms", "round-trip time exceeded 5 % of the served time"),
    "rtt_ms_p5": ("RTT fast", "ms", "round-trip time reached only 5 % of the served time"),
    "rtt_ms_mean": ("RTT mean", "ms", "round-trip time, mean of the served time"),
    "rtt_space_ms_mean": ("= space", "ms", "of the mean: terminal - satellite - lasers - gateway"),
    "rtt_ground_ms_mean": ("+ ground", "ms", "of the mean: gateway - PoP fibre"),
    "rtt_access_ms_mean": ("+ access", "ms", "of the mean: scheduling and processing on the link"),
    "throughput_down_mbps_p50": ("Down typical", "Mbit/s", "download rate, median"),
    "throughput_up_mbps_p50": ("Up typical", "Mbit/s", "upload rate, median"),
    "throughput_down_mbps_p5": ("Down low", "Mbit/s", "download rate reached only 5 % of the time"),
    "throughput_up_mbps_p5": ("Up low", "Mbit/s", "upload rate reached only 5 % of the time"),
    "demand_down_mbps": ("Demand down", "Mbit/s", "what the site's users ask to download"),
    "demand_up_mbps": ("Demand up", "Mbit/s", "what the site's users ask to upload"),
    "demand_down_served_pct": ("Down met", "%", "share of the download demand carried"),
    "demand_up_served_pct": ("Up met", "%", "share of the upload demand carried"),
    "throughput_mbps_p50": ("Rate typical", "Mbit/s", "throughput, median of the served time"),
    "throughput_mbps_p5": ("Rate low", "Mbit/s", "throughput reached only 5 % of the time"),
    "demand_mbps": ("Demand", "Mbit/s", "what the site's users ask for"),
    "demand_served_pct": ("Demand met", "%", "share of the demand carried over the window"),
    "handovers": ("Handovers", "", "changes of serving satellite"),
    "obstructed_pct": ("Obstructed", "%", "share of the window lost to the horizon mask"),
    "time_to_first_service_s": ("First service", "s", "time from the start to first service"),
}


def column_label(key: str) -> tuple[str, str]:
    """``("RTT typical [ms]", help)`` of a summary key; an unknown key stays itself."""
    if key in COLUMNS:
        label, unit, help_text = COLUMNS[key]
        return (f"{label} [{unit}]" if unit else label), help_text
    return key, ""


def format_duration(seconds: float) -> str:
    """``45 s``, ``12 min 5 s``, ``3 h 20 min``: a duration as a person says it."""
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        m, r = divmod(s, 60)
        return f"{m} min" + (f" {r} s" if r else "")
    h, r = divmod(s, 3600)
    return f"{h} h" + (f" {r // 60} min" if r // 60 else "")


@dataclass(frozen=True)
class Outage:
    """One time without service: UTC start and end, duration [s] and its main cause."""

    start_utc: datetime
    end_utc: datetime
    duration_s: float
    cause: str


@dataclass
class SiteVerdict:
    """A site's verdict: a one-line headline, sentences, and its outage timetable."""

    name: str
    headline: str
    grade: str  # good, gaps, poor, none
    sentences: list[str] = field(default_factory=list)
    outages: list[Outage] = field(default_factory=list)
    n_outages: int = 0


def outages_from_spans(
    start_s: NDArray, end_s: NDArray, causes: list[str], start_utc: datetime
) -> list[Outage]:
    """Outage records from span times [s since the start] and their causes."""
    return [
        Outage(
            datetime.fromtimestamp(start_utc.timestamp() + a, UTC),
            datetime.fromtimestamp(start_utc.timestamp() + b, UTC),
            float(b - a),
            c,
        )
        for a, b, c in zip(np.asarray(start_s), np.asarray(end_s), causes, strict=True)
    ]


def _when(t: datetime, with_date: bool) -> str:
    return t.strftime("%d %b %Y %H:%M:%S UTC" if with_date else "%H:%M:%S")


def _first(t: dict, *keys: str) -> float | None:
    for k in keys:
        if isinstance(t.get(k), int | float):
            return float(t[k])
    return None


def site_verdict(
    name: str,
    t: dict,
    outages: list[Outage],
    window_s: float,
    exits: list[tuple[str, str, float]] | None = None,
) -> SiteVerdict:
    """The verdict of one site.

    Parameters
    ----------
    name : the terminal's name.
    t : its entry of ``summary["terminals"]``.
    outages : every outage of the site, in time order (:func:`outages_from_spans`).
    window_s : the run's window [s].
    exits : (gateway, PoP, share of the served time in [0, 1]) the site's traffic used, most
        used first: what the service depends on.
    """
    avail = float(t.get("availability_pct") or 0.0)
    if avail >= 99.0:
        grade, headline = "good", "usable nearly all the time"
    elif avail >= 90.0:
        grade, headline = "gaps", "usable most of the time, with gaps"
    elif avail > 0.0:
        grade, headline = "poor", "often cut off"
    else:
        grade, headline = "none", "no service at all"
    served_s = window_s * avail / 100.0
    sentences = [
        f"Served {avail:.1f} % of the {format_duration(window_s)} window "
        f"({format_duration(served_s)} with service)."
    ]
    if outages:
        longest = max(outages, key=lambda o: o.duration_s)
        multi_day = (outages[-1].end_utc.date() != outages[0].start_utc.date()) or window_s > 86400
        sentences.append(
            f"Longest gap {format_duration(longest.duration_s)}, from "
            f"{_when(longest.start_utc, True)} to {_when(longest.end_utc, multi_day)} "
            f"({REASON_TEXT.get(longest.cause, longest.cause or 'unknown cause')}); "
            f"{len(outages)} gap{'s' if len(outages) != 1 else ''} in all."
        )
    elif avail > 0:
        sentences.append("No gap in service.")
    rtt50 = _first(t, "rtt_ms_p50")
    rtt95 = _first(t, "rtt_ms_p95")
    if rtt50 is not None:
        call = (
            "fine for voice and video calls"
            if (rtt95 or rtt50) / 2 <= CALL_ONE_WAY_MS
            else "too slow at times for a natural call"
        )
        lo, hi = MEASURED_RTT_MS
        compare = (
            "like a typical Starlink line"
            if rtt50 <= hi * 1.2
            else f"slower than a typical Starlink line ({lo:.0f}–{hi:.0f} ms measured in Europe)"
        )
        sentences.append(
            f"Round trip typically {rtt50:.0f} ms"
            + (f", 95 % of the time under {rtt95:.0f} ms" if rtt95 is not None else "")
            + f": {call}, {compare}."
        )
    down = _first(t, "throughput_down_mbps_p50", "throughput_mbps_p50")
    up = _first(t, "throughput_up_mbps_p50")
    if down is not None:
        demand = _first(t, "demand_mbps", "demand_down_mbps")
        met = _first(t, "demand_served_pct", "demand_down_served_pct")
        text = f"Typical rate {down:.0f} Mbit/s down" + (
            f", {up:.0f} Mbit/s up" if up is not None else ""
        )
        if demand is not None and met is not None:
            text += f"; {met:.0f} % of the {demand:.0f} Mbit/s asked for was carried"
        sentences.append(text + ".")
    if exits:
        shown = [e for e in exits if e[2] >= 0.05][:3] or exits[:1]
        parts = [f"{g} → {p} {100 * share:.0f} %" for g, p, share in shown]
        sentences.append(
            "Where the traffic left (gateway → PoP, share of the served time): "
            + ", ".join(parts)
            + "."
        )
    by_reason = {k: v for k, v in (t.get("outage_s_by_reason") or {}).items() if v}
    if by_reason:
        parts = [
            f"{REASON_TEXT.get(r, r)} ({format_duration(s)})"
            for r, s in sorted(by_reason.items(), key=lambda kv: -kv[1])
        ]
        sentences.append("What broke it: " + "; ".join(parts) + ".")
    shown = sorted(outages, key=lambda o: -o.duration_s)[:TIMETABLE_ROWS]
    shown.sort(key=lambda o: o.start_utc)
    return SiteVerdict(name, headline, grade, sentences, shown, len(outages))
