"""lifeline benchmarks: wall time and peak memory of whole runs.

Run all cases, one at a time, each in a fresh process (so peak memory is that case's own):

    python benchmarks/run.py                 # every case, prints a Markdown table
    python benchmarks/run.py --case default  # one case

Figures are recorded in docs/benchmarks.md. Targets: default-20events within 10 % of default;
the radio layer adds <= 30 % (default against default-noradio); the default preset (24 h at 1 s)
in <= 30 s; Starlink Gen1 Walker (4,408 satellites), 1,000 terminals, 100 gateways, 20 PoPs, 1 h
at 1 s and 24 h at 15 s in <= 60 s each with peak memory <= 2 GB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from importlib.resources import files

import numpy as np


def _sites(kind: str, n: int) -> list[dict]:
    """The first n Ka gateways / PoPs of the shipped lists (deterministic)."""
    name = "starlink-gateways.csv" if kind == "gateways" else "starlink-pops.csv"
    with files("lifeline.data").joinpath(name).open() as fh:
        rows = list(csv.DictReader(fh))
    if kind == "gateways":
        rows = [r for r in rows if r.get("band", "Ka") in ("Ka", "")]
    out, seen = [], set()
    for r in rows:
        if r["name"] in seen:
            continue
        seen.add(r["name"])
        out.append(
            {"name": r["name"], "lat_deg": float(r["lat_deg"]), "lon_deg": float(r["lon_deg"])}
        )
        if len(out) == n:
            break
    return out


def walker_scenario(
    n_terminals: int,
    duration_s: float,
    step_s: float,
    preset: str = "starlink-gen1",
    n_gateways: int = 100,
    n_pops: int = 20,
    radio: bool = False,
) -> dict:
    """Walker preset, terminals spread over the populated latitudes (seeded).

    ``radio = False`` measures the engine alone (the whole-run targets predate the radio
    layer); the ``-radio`` cases measure the same runs with SINR, MODCOD and max-min fair
    throughput.
    """
    rng = np.random.default_rng(1)
    lat = np.degrees(
        np.arcsin(rng.uniform(np.sin(np.radians(-55)), np.sin(np.radians(60)), n_terminals))
    )
    lon = rng.uniform(-180, 180, n_terminals)
    return {
        "name": f"bench-{preset}-{n_terminals}t",
        "time": {
            "start_utc": "2022-05-11T00:00:00Z",
            "duration_s": duration_s,
            "step_s": step_s,
            "slot_s": max(15.0, step_s),
        },
        "constellation": {"preset": preset},
        "network": {"isl": True},
        "radio": {"enabled": radio},
        "terminals": [
            {"name": f"t{i}", "lat_deg": float(a), "lon_deg": float(o)}
            for i, (a, o) in enumerate(zip(lat, lon, strict=True))
        ],
        "gateways": _sites("gateways", n_gateways),
        "pops": _sites("pops", n_pops),
    }


def twenty_events() -> list[dict]:
    """20 events of every kind spread over the default preset's day (target: a scenario with
    20 events runs within 10 % of the same scenario without them)."""
    gateways = ["Muallim", "Kaunas", "Wola Krobowska", "Foggia", "Aerzen", "Frankfurt", "Milano"]
    events = [
        {
            "kind": "gateway_outage",
            "gateways": [g],
            "start_s": 3600.0 * i,
            "end_s": 3600.0 * i + 5400,
        }
        for i, g in enumerate(gateways)
    ]
    events += [
        {"kind": "pop_outage", "pops": ["FRA - FRNTDEU1"], "start_s": 30000.0, "end_s": 36000.0},
        {
            "kind": "pop_outage",
            "pops": ["LON/LHR - LNDNGBR1"],
            "start_s": 50000.0,
            "end_s": 51000.0,
        },
        {
            "kind": "ground_loss",
            "center_lat_deg": 47.0958,
            "center_lon_deg": 37.5494,
            "radius_km": 1500.0,
            "start_s": 40000.0,
            "end_s": 46000.0,
        },
        {
            "kind": "ground_loss",
            "polygon_lat_deg": [36.0, 44.0, 44.0, 36.0],
            "polygon_lon_deg": [-10.0, -10.0, 4.0, 4.0],
            "start_s": 60000.0,
            "end_s": 70000.0,
        },
        {"kind": "satellite_failure", "fraction": 0.05, "seed": 1},
        {"kind": "satellite_failure", "fraction": 0.02, "seed": 2, "start_s": 20000.0},
        {"kind": "isl_failure", "fraction": 0.05, "seed": 3},
        {"kind": "isl_failure", "fraction": 0.10, "seed": 4, "start_s": 70000.0, "end_s": 80000.0},
    ]
    events += [
        {
            "kind": "power_loss",
            "terminals": [t],
            "start_s": 7200.0 * (i + 1),
            "end_s": 7200.0 * (i + 1) + 1800,
        }
        for i, t in enumerate(["Azovstal", "Mariupol", "Zaporizhzhia", "Kharkiv", "Kyiv"])
    ]
    assert len(events) == 20
    return events


CASES = {
    "default": lambda: "mariupol-2022",
    "default-bentpipe": lambda: "mariupol-2022-bentpipe",
    "default-noradio": lambda: {
        "extends": "mariupol-2022",
        "name": "bench-default-noradio",
        "radio": {"enabled": False},
    },
    "default-20events": lambda: {
        "extends": "mariupol-2022",
        "name": "bench-default-20events",
        "events": twenty_events(),
    },
    "gen1-1000t-1h-1s": lambda: walker_scenario(1000, 3600, 1.0),
    "gen1-1000t-24h-15s": lambda: walker_scenario(1000, 86400, 15.0),
    "gen1-1000t-1h-1s-radio": lambda: walker_scenario(1000, 3600, 1.0, radio=True),
    "gen1-1000t-24h-15s-radio": lambda: walker_scenario(1000, 86400, 15.0, radio=True),
    # scaling: terminals, duration, satellites
    "gen1-10t-1h-1s": lambda: walker_scenario(10, 3600, 1.0),
    "gen1-100t-1h-1s": lambda: walker_scenario(100, 3600, 1.0),
    "gen1-1000t-2h-1s": lambda: walker_scenario(1000, 7200, 1.0),
    "kuiper-1000t-1h-1s": lambda: walker_scenario(1000, 3600, 1.0, preset="kuiper-gen1"),
}


def run_case(name: str) -> dict:
    from lifeline.api import run
    from lifeline.config import load_scenario, scenario_from_dict
    from lifeline.engine import chunk_bounds

    spec = CASES[name]()
    scenario = (
        load_scenario(spec) if isinstance(spec, str) else scenario_from_dict(spec, f"<{name}>")
    )
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        # The run itself, as before api.run also wrote the report (measured apart).
        result = run(scenario, out_dir=out, report=False)
        wall = time.perf_counter() - t0
    # Peak resident memory of this process plus the largest worker process, times the
    # number of workers: an upper bound of what the run held at once [MiB].
    main_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    workers = min(os.cpu_count() or 1, len(chunk_bounds(scenario))) if worker_mb else 0
    peak_mb = main_mb + workers * worker_mb
    return {
        "case": name,
        "satellites": result.info.n_satellites,
        "terminals": len(scenario.terminals),
        "gateways": len(scenario.gateways),
        "pops": len(scenario.pops),
        "steps": result.info.n_steps,
        "rows": result.info.n_steps * len(scenario.terminals),
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(peak_mb),
        "main_rss_mb": round(main_mb),
        "worker_rss_mb": round(worker_mb),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--case", choices=sorted(CASES), help="run one case in this process")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    print(
        "| case | satellites | terminals | gateways | PoPs | steps | rows | wall s | peak RSS MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in CASES:
        proc = subprocess.run(
            [sys.executable, __file__, "--case", name], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            print(f"| {name} | failed: {proc.stderr.strip().splitlines()[-1]} |")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"| {r['case']} | {r['satellites']} | {r['terminals']} | {r['gateways']} | {r['pops']} "
            f"| {r['steps']} | {r['rows']} | {r['wall_s']} | {r['peak_rss_mb']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
