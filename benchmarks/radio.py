"""lifeline benchmarks: the radio layer's pure functions.

    python benchmarks/radio.py            # both cases, Markdown lines for docs/benchmarks.md
    python benchmarks/radio.py --repeat 50

Cases:

- ``maxmin``: max-min fair allocation for 1,000 terminals over 200 beams, 100 gateway feeders and
  10,000 ISLs (each terminal: its beam, one feeder, 0–8 ISL hops drawn at random; beams weighted
  by 1 / the terminal's full-beam rate). Target: <= 5 ms per scheduling slot.
- ``steps``: the per-step radio chain for the default preset's 5 terminals over 86,400 steps, as
  the engine would call it on (steps, terminals) arrays: off-nadir angle, scan loss, FSPL,
  attenuation-table lookup (with a rain rate), sky noise, G/T, C/N, SINR with one jammer term,
  MODCOD and capacity. The attenuation table (one ``itur`` pass per site) is timed separately.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lifeline import constants as k
from lifeline.constants import WGS84_A_KM
from lifeline.links import budget as b
from lifeline.links.atmosphere import attenuation_table
from lifeline.links.capacity import incidence_matrix, max_min_fair
from lifeline.links.jamming import interference_dbw
from lifeline.links.modcod import capacity_mbps, load_modcod_table, select_modcod


def bench_maxmin(repeat: int, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    n_t, n_beams, n_feeders, n_isl = 1000, 200, 100, 10_000
    beam = rng.integers(0, n_beams, n_t)
    feeder = rng.integers(0, n_feeders, n_t)
    hops = rng.integers(0, 9, n_t)
    isl_flow = np.repeat(np.arange(n_t), hops)
    isl = rng.integers(0, n_isl, hops.sum())
    full_beam_mbps = rng.uniform(250.0, 1200.0, n_t)
    flows = np.concatenate([np.arange(n_t), np.arange(n_t), isl_flow])
    res = np.concatenate([beam, n_beams + feeder, n_beams + n_feeders + isl])
    weight = np.concatenate([1.0 / full_beam_mbps, np.ones(n_t), np.ones(len(isl))])
    cap = np.concatenate(
        [np.ones(n_beams), np.full(n_feeders, 20_000.0), np.full(n_isl, 100_000.0)]
    )
    demand = rng.uniform(10.0, 400.0, n_t)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        a = incidence_matrix(n_t, flows, res, n_beams + n_feeders + n_isl, weight)
        rate = max_min_fair(a, cap, demand)
        times.append(time.perf_counter() - t0)
    return {
        "median_ms": 1e3 * float(np.median(times)),
        "min_ms": 1e3 * float(np.min(times)),
        "served_share": float(rate.sum() / demand.sum()),
    }


def bench_steps(repeat: int, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    n_steps, n_term = 86_400, 5
    lat = np.array([47.098, 47.0958, 47.85, 50.0044, 50.45])
    lon = np.array([37.610, 37.5494, 35.1175, 36.2314, 30.5233])
    t0 = time.perf_counter()
    table = attenuation_table(lat, lon, k.USER_DOWNLINK_FREQ_GHZ, 1.0, k.TERMINAL_APERTURE_M,
                              k.TERMINAL_APERTURE_EFFICIENCY)  # fmt: skip
    table_s = time.perf_counter() - t0
    modcods = load_modcod_table()
    elev = rng.uniform(25.0, 90.0, (n_steps, n_term))
    range_km = rng.uniform(550.0, 1123.0, (n_steps, n_term))
    rain = np.where(rng.random((n_steps, n_term)) < 0.1, rng.uniform(0, 50, (n_steps, n_term)), 0)
    jam_km = rng.uniform(5.0, 200.0, (n_steps, n_term))
    site = np.broadcast_to(np.arange(n_term), (n_steps, n_term))
    peak = b.aperture_gain_dbi(k.TERMINAL_APERTURE_M, k.USER_DOWNLINK_FREQ_GHZ,
                               k.TERMINAL_APERTURE_EFFICIENCY)  # fmt: skip
    eirp = k.SAT_EIRP_DENSITY_DBW_PER_MHZ + 10 * np.log10(k.USER_CHANNEL_BANDWIDTH_MHZ)
    noise_bw = k.USER_CHANNEL_BANDWIDTH_MHZ
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        scan = b.scan_loss_db(b.off_nadir_deg(elev, WGS84_A_KM + 550.0))
        atten = table.attenuation_db(site, elev, rain)
        t_sys = k.TERMINAL_SYSTEM_TEMPERATURE_K + b.sky_noise_temperature_k(atten)
        path = b.fspl_db(range_km, k.USER_DOWNLINK_FREQ_GHZ)
        cn = b.carrier_to_noise_db(eirp - scan, path, b.g_over_t_db_k(peak, t_sys), noise_bw,
                                   atten + k.IMPLEMENTATION_LOSS_DB)  # fmt: skip
        noise = b.noise_power_dbw(t_sys, noise_bw)
        gain_j = b.off_axis_gain_dbi(b.angle_between_deg(elev, 0.0, 0.0, 90.0), peak,
                                     k.TERMINAL_APERTURE_M, k.USER_DOWNLINK_FREQ_GHZ)  # fmt: skip
        i_jam = interference_dbw(40.0, 240.0, noise_bw, jam_km, k.USER_DOWNLINK_FREQ_GHZ, gain_j)
        sinr = b.sinr_db(cn + noise, noise, i_jam)
        m = select_modcod(modcods, sinr)
        cap = capacity_mbps(modcods, m, noise_bw)
        times.append(time.perf_counter() - t0)
    return {
        "table_s": table_s,
        "median_s": float(np.median(times)),
        "min_s": float(np.min(times)),
        "per_step_us": 1e6 * float(np.median(times)) / n_steps,
        "mean_capacity_mbps": float(cap.mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--case", choices=("maxmin", "steps", "all"), default="all")
    args = parser.parse_args()
    if args.case in ("maxmin", "all"):
        r = bench_maxmin(args.repeat)
        print(
            f"| max-min fair, 1,000 terminals / 200 beams / 100 feeders / 10,000 ISLs | "
            f"{r['median_ms']:.2f} ms median, {r['min_ms']:.2f} ms best of {args.repeat} | "
            f"demand served {100 * r['served_share']:.0f} % |"
        )
    if args.case in ("steps", "all"):
        r = bench_steps(max(1, args.repeat // 4))
        print(
            f"| radio chain, 5 terminals x 86,400 steps | {r['median_s']:.3f} s median "
            f"({r['per_step_us']:.1f} us per step), best {r['min_s']:.3f} s; table build "
            f"{r['table_s']:.1f} s | mean capacity {r['mean_capacity_mbps']:.0f} Mbit/s |"
        )


if __name__ == "__main__":
    main()
