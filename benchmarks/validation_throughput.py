"""Throughput validation rows: one kit's download and upload, and rain, against measurements.

Imported by ``benchmarks/validate.py`` (rows in ``docs/validation.md``); runnable alone:

    python benchmarks/validation_throughput.py

Cases (``benchmarks/validation/throughput-europe-2022.toml``: one standard-actuated kit per
European city, 15 May 2022, a speed test's demand, in cells loaded as the default assumes):

- download and upload p50 per city against the Ookla country medians of Q4 2021 / Q2 2022 and
  Michel et al.'s Belgian dish (references.md#measured-throughput); the radio layer is
  calibrated on the median of the European medians (lifeline.links.calibrate), so these rows
  show how far one calibration carries across countries;
- an empty cell (``cell_load = 0``) against the best measured case (> 300 Mbit/s, Belgium);
- rain (references.md#rain-measurements): WetLinks (Osnabrück + Enschede) median download with
  rain against without (−16 %), Enschede with more than 5 mm of rain (−48 %), Oulu's flat
  high-performance dish (download −37.84 %, upload −52.27 %). The measured "rain" is a station
  reading, not a rate over the path: lifeline puts a [[rain]] event of
  :data:`LIGHT_RAIN_MM_H` (any rain) or :data:`HEAVY_RAIN_MM_H` (> 5 mm) over the site, an
  assumption stated in the rows.

Each row: case, measured, lifeline, difference, why.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "validation" / "throughput-europe-2022.toml"

#: Rain rate standing for "it rains" at a station [mm/h]. Assumption: light-to-moderate rain
#: (AMS Glossary: light rain up to 2.5 mm/h, moderate 2.6–7.6 mm/h).
LIGHT_RAIN_MM_H = 2.5
#: Rain rate standing for "> 5 mm" at Enschede's station [mm/h]. Assumption: the station
#: reports millimetres per hour; heavy rain starts at 7.6 mm/h (AMS Glossary).
HEAVY_RAIN_MM_H = 10.0

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


def _p50(rows, site: str, column: str) -> float:
    sel = rows[(rows.terminal == site) & rows.connected]
    return float(np.median(sel[column].to_numpy(float))) if len(sel) else float("nan")


def _row(case: str, measured: str, lifeline: float, diff: str, why: str) -> dict:
    return {
        "case": case,
        "measured": measured,
        "lifeline": f"{lifeline:.1f}",
        "difference": diff,
        "why": why,
    }


def _pct(model: float, measured: float) -> str:
    return f"{100.0 * (model / measured - 1.0):+.0f} %"


def _rain_events(sites, rate_mm_h, start_utc, duration_s):
    from lifeline.config import Rain

    return tuple(
        Rain(
            name=f"rain over {t.name}",
            lat_deg=t.lat_deg,
            lon_deg=t.lon_deg,
            radius_km=20.0,
            rate_mm_h=rate_mm_h,
            start_utc=start_utc,
            duration_s=duration_s,
        )
        for t in sites
    )


def throughput_rows(workers: int | None = None) -> list[dict]:
    """Run the cases (four short runs of the same scenario) and return the table rows."""
    from lifeline.api import load_scenario, run

    base = load_scenario(SCENARIO)
    tm = base.time
    loaded = run(base, workers=workers).terminals
    empty = run(
        base.model_copy(update={"radio": base.radio.model_copy(update={"cell_load": 0.0})}),
        workers=workers,
    ).terminals
    wet = {}
    for rate in (LIGHT_RAIN_MM_H, HEAVY_RAIN_MM_H):
        rain = _rain_events(base.terminals, rate, tm.start_utc, tm.duration_s)
        wet[rate] = run(base.model_copy(update={"rain": rain}), workers=workers).terminals
    out = []
    why_cal = (
        "calibrated on the median of 14 European Ookla medians (122.2 down, 18.0 up): one "
        "cell load everywhere, so country-to-country spread (its own cell loads) is not modelled"
    )
    for site, cases in MEASURED.items():
        down, up = (
            _p50(loaded, site, "throughput_down_mbps"),
            _p50(loaded, site, "throughput_up_mbps"),
        )
        for label, m_down, m_up in cases:
            out.append(
                _row(
                    f"{site}: download p50 [Mbit/s]",
                    f"{label}: {m_down:g}",
                    down,
                    _pct(down, m_down),
                    why_cal,
                )
            )
            if m_up is not None:
                out.append(
                    _row(
                        f"{site}: upload p50 [Mbit/s]",
                        f"{label}: {m_up:g}",
                        up,
                        _pct(up, m_up),
                        why_cal,
                    )
                )
    best = _p50(empty, "Louvain-la-Neuve", "throughput_down_mbps")
    out.append(
        _row(
            "Louvain-la-Neuve, empty cell (cell_load = 0): download p50 [Mbit/s]",
            "Belgium 2022, best cases: > 300",
            best,
            "inside" if best > 300 else "below",
            "a kit alone in its beam gets the beam: 240 MHz at the MODCOD its SINR allows",
        )
    )

    def drop(rows_wet, site, column):
        return 100.0 * (_p50(rows_wet, site, column) / _p50(loaded, site, column) - 1.0)

    light = wet[LIGHT_RAIN_MM_H]
    wetlinks = np.mean([drop(light, s, "throughput_down_mbps") for s in ("Osnabrueck", "Enschede")])
    rain_why = (
        f"[[rain]] of {LIGHT_RAIN_MM_H:g} mm/h over the site (assumed for 'rain' at a station); "
        "ITU-R P.618 attenuation and sky noise lower the MODCOD"
    )
    out.append(
        _row(
            "WetLinks (Osnabrück + Enschede): download, rain vs none",
            "218.1 → 182.4 Mbit/s: −16 %",
            wetlinks,
            f"{wetlinks + 16.0:+.0f} points",
            rain_why,
        )
    )
    heavy = drop(wet[HEAVY_RAIN_MM_H], "Enschede", "throughput_down_mbps")
    out.append(
        _row(
            "WetLinks Enschede: download, > 5 mm rain vs none",
            "245.4 → 127.5 Mbit/s: −48 %",
            heavy,
            f"{heavy + 48.0:+.0f} points",
            f"[[rain]] of {HEAVY_RAIN_MM_H:g} mm/h (assumed for '> 5 mm')",
        )
    )
    for column, label, measured in (
        ("throughput_down_mbps", "download", -37.84),
        ("throughput_up_mbps", "upload", -52.27),
    ):
        d = drop(light, "Oulu", column)
        out.append(
            _row(
                f"Oulu (flat high-performance): {label}, rain vs none",
                f"{measured:+.2f} %",
                d,
                f"{d - measured:+.0f} points",
                rain_why,
            )
        )
    return out


def main() -> None:
    rows = throughput_rows()
    print("| case | measured | lifeline | difference | why |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['case']} | {r['measured']} | {r['lifeline']} | {r['difference']} | {r['why']} |"
        )


if __name__ == "__main__":
    main()
