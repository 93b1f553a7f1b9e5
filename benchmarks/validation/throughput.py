"""Validation topic "throughput": one kit's download and upload, and rain, against measurements.

Used by ``benchmarks/validate.py`` (``rows(runs)``); scenarios are the TOML files beside this
module (``throughput-europe-2022*.toml``: one standard-actuated kit per European city on
15 May 2022, asking for more than any beam gives, as a speed test does). Measured values are
those of docs/references.md (anchors in the ``source`` column).

- Download and upload p50 per city against the Ookla country medians (Q4 2021, Q2 2022) and
  Michel et al.'s Belgian dish. The cell load and the satellite's uplink G/T are calibrated on
  the median of the European medians (lifeline.links.calibrate), so the rows say how far one
  calibration carries across countries; the country medians themselves are "calibration".
- An empty cell (``cell_load = 0``) against the best measured cases (> 300 Mbit/s).
- Rain: WetLinks (Osnabrück + Enschede) median download with rain against without (−16 %),
  Enschede with more than 5 mm of rain (−48 %), Oulu's flat high-performance dish (download
  −37.84 %, upload −52.27 %). A station's "rain" is not a rate over the path: the rain
  scenarios put 2.5 mm/h (any rain) or 10 mm/h (> 5 mm) over the site, an assumption.
"""

from __future__ import annotations

import numpy as np

TITLE = "Throughput"
INTRO = (
    "One standard-actuated kit (the 2022 kit) per site asking for more than its beam gives, in "
    "a cell shared with `[radio] cell_load` other subscribers (3.71, calibrated: "
    "`lifeline/links/calibrate.py`); p50 over the connected steps of `throughput_down_mbps` and "
    "`throughput_up_mbps`. A measured range is the span of the published medians (90–178 "
    "down, 7–28.5 up: Ookla Europe and US 2021–2022, Belgium 2022)."
)

NOTES = """\
What is calibrated and what is assumed (docs/references.md): the cell load (3.71 other
subscribers per beam, #cell-load) and the satellite's uplink G/T (−13.9 dB/K, an effective
figure, #uplink-channels) are fitted to the European Ookla medians at one reference geometry
(56° from 550 km, the median serving elevation of this scenario, clear sky); the same load
both ways, all day: no evening-peak profile is shipped (a scenario can give 24 hourly values,
but no citable hourly measurement was found). The US fall from Q1 to Q2 2022 (−31 %,
90.55 → 62.53 Mbit/s) is what a load rising from 3.71 to about 5.8 others would give; lifeline
does not model subscriber growth. Rain rates standing for a station's "rain" are assumptions
(2.5 and 10 mm/h over the site for the whole window). Oulu is out of reach of the May 2022
constellation (65° N): its rows use the 2026 snapshot (throughput-oulu-2026*.toml).
"""

#: The span of the measured medians [Mbit/s] (references.md#measured-throughput): Ookla US Q1
#: 2022 90.55 to Michel et al.'s Belgian 178 down; US Q2 2022 7.24 to Portugal Q2 2022 28.52 up.
DOWN_RANGE_MBPS = (90.0, 178.0)
UP_RANGE_MBPS = (7.0, 28.52)

#: Measured medians [Mbit/s] (references.md#measured-throughput): site → (label, down, up).
MEASURED = {
    "Louvain-la-Neuve": [
        ("Belgium, Michel et al., Jan-Apr 2022", 178.0, 17.0),
        ("Belgium, Ookla Q2 2022", 110.40, None),
        ("Belgium, Ookla Q4 2021", 155.15, None),
    ],
    "Lisbon": [("Portugal, Ookla Q2 2022", 123.01, 28.52)],
    "Paris": [("France, Ookla Q2 2022", 110.98, None), ("France, Ookla Q4 2021", 121.21, None)],
    "Rome": [("Italy, Ookla Q2 2022", 97.0, 18.0), ("Italy, Ookla Q4 2021", 124.39, None)],
    "Amsterdam": [("Netherlands, Ookla Q2 2022", 122.43, None)],
    "Vienna": [("Austria, Ookla Q2 2022", 112.01, None)],
    "Frankfurt": [("Germany, Ookla Q4 2021", 115.58, 15.17)],
}

CALIBRATION_WHY = (
    "cell load and uplink G/T calibrated on the median of the European Ookla medians (122.2 "
    "down, 18.0 up); one load everywhere, so country-to-country spread is not modelled"
)


def _p50(df, site: str, column: str) -> float:
    sel = df[(df["terminal"] == site) & df["connected"]]
    return float(np.median(sel[column].to_numpy(float))) if len(sel) else float("nan")


def _drop_pct(wet, dry, site: str, column: str) -> float:
    return 100.0 * (_p50(wet, site, column) / _p50(dry, site, column) - 1.0)


def _within(value: float, lo: float, hi: float) -> str:
    return "pass" if lo <= value <= hi else "FAIL"


def rows(runs) -> list:
    """The table rows (four short runs of the throughput scenarios)."""
    from validate import Row  # noqa: PLC0415 (benchmarks/validate.py puts it on sys.path)

    loaded = runs.get("throughput-europe-2022").terminals
    out = []
    for site, cases in MEASURED.items():
        down = _p50(loaded, site, "throughput_down_mbps")
        up = _p50(loaded, site, "throughput_up_mbps")
        for label, m_down, m_up in cases:
            for way, value, measured, span in (
                ("download", down, m_down, DOWN_RANGE_MBPS),
                ("upload", up, m_up, UP_RANGE_MBPS),
            ):
                if measured is None:
                    continue
                out.append(
                    Row(
                        case=f"{site} (one kit, loaded cell)",
                        quantity=f"{way} p50 [Mbit/s]",
                        measured=f"{label}: {measured:g}",
                        lifeline=f"{value:.1f}",
                        difference=f"{100.0 * (value / measured - 1.0):+.0f} %",
                        # The Ookla European medians are what the calibration fitted (their
                        # median); Michel et al.'s dish was not used: it must fall in range.
                        check="calibration" if "Ookla" in label else _within(value, *span),
                        why=CALIBRATION_WHY,
                        source="references.md#measured-throughput",
                    )
                )
    best = _p50(runs.get("throughput-europe-2022-empty").terminals, "Louvain-la-Neuve",
                "throughput_down_mbps")  # fmt: skip
    out.append(
        Row(
            case="Louvain-la-Neuve (one kit, empty cell)",
            quantity="download p50 [Mbit/s]",
            measured="Belgium 2022, best cases: > 300",
            lifeline=f"{best:.1f}",
            difference=f"{best - 300.0:+.0f} Mbit/s",
            check="pass" if best > 300.0 else "FAIL",
            why="alone in its beam a kit gets the beam: 240 MHz at the MODCOD its SINR allows",
            source="references.md#measured-throughput",
        )
    )
    light = runs.get("throughput-europe-2022-rain").terminals
    heavy = runs.get("throughput-europe-2022-heavy-rain").terminals
    wetlinks = float(np.mean([_drop_pct(light, loaded, s, "throughput_down_mbps")
                              for s in ("Osnabrueck", "Enschede")]))  # fmt: skip
    light_why = (
        "2.5 mm/h over the site (assumed for a station's 'rain'): ITU-R P.618 attenuation and "
        "sky noise lower the MODCOD; the loaded cell's share scales with it"
    )
    out.append(
        Row(
            case="Osnabrück + Enschede (WetLinks)",
            quantity="download, rain vs none",
            measured="218.1 → 182.4 Mbit/s: −16 %",
            lifeline=f"{wetlinks:+.0f} %",
            difference=f"{wetlinks + 16.0:+.0f} points",
            check="info",
            why=light_why,
            source="references.md#rain-measurements",
        )
    )
    enschede = _drop_pct(heavy, loaded, "Enschede", "throughput_down_mbps")
    out.append(
        Row(
            case="Enschede (WetLinks)",
            quantity="download, > 5 mm rain vs none",
            measured="245.4 → 127.5 Mbit/s: −48 %",
            lifeline=f"{enschede:+.0f} %",
            difference=f"{enschede + 48.0:+.0f} points",
            check="info",
            why="10 mm/h over the site (assumed for '> 5 mm')",
            source="references.md#rain-measurements",
        )
    )
    oulu_dry = runs.get("throughput-oulu-2026").terminals
    oulu_wet = runs.get("throughput-oulu-2026-rain").terminals
    for column, label, measured in (
        ("throughput_down_mbps", "download", -37.84),
        ("throughput_up_mbps", "upload", -52.27),
    ):
        d = _drop_pct(oulu_wet, oulu_dry, "Oulu", column)
        out.append(
            Row(
                case="Oulu (flat high-performance kit, 2026 constellation)",
                quantity=f"{label}, rain vs none",
                measured=f"{measured:+.2f} %",
                lifeline=f"{d:+.0f} %",
                difference=f"{d - measured:+.0f} points",
                check="info",
                why=light_why,
                source="references.md#rain-measurements",
            )
        )
    return out
