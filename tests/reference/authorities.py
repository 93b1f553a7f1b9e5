"""Loaders for the reference values in ``tests/reference/data`` (sources in its README.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
HYPATIA = DATA / "hypatia"
ITU_R = DATA / "itu-r"
DEL_PORTILLO = DATA / "del-portillo-2019"
ETSI_DIR = DATA / "etsi"

#: Hypatia's node ids in the Kuiper-630 setting: stations follow the 1,156 satellites.
KUIPER_630_SATELLITES = 1156


@dataclass(frozen=True)
class HypatiaRtt:
    """One published Hypatia value: time since the epoch, RTT and (if published) the path."""

    t_s: float
    src_city: int
    dst_city: int
    rtt_ms: float
    path: list[int] | None


def _rows(path: Path) -> list[list[str]]:
    return [line.split(",") for line in path.read_text().splitlines() if line.strip()]


def manila_dalian() -> list[HypatiaRtt]:
    """Manila (17) → Dalian (85): the published RTTs with the path valid at each instant."""
    paths = {
        int(t_ns): [int(n) for n in p.split("-")]
        for t_ns, p in _rows(HYPATIA / "networkx_path_1173_to_1241.txt")
    }
    out = []
    for t_ns, rtt_ns in _rows(HYPATIA / "networkx_rtt_1173_to_1241.excerpt.txt"):
        start = max(t for t in paths if t <= int(t_ns))
        out.append(HypatiaRtt(int(t_ns) / 1e9, 17, 85, float(rtt_ns) / 1e6, paths[start]))
    return out


def paris_moscow() -> HypatiaRtt:
    """Paris (24) → Moscow (21) at t = 0 s (no path published)."""
    with (HYPATIA / "paris_moscow_rtt.csv").open() as f:
        (row,) = csv.DictReader(f)
    return HypatiaRtt(
        int(row["t_ns"]) / 1e9, int(row["src_id"]), int(row["dst_id"]), float(row["rtt_ms"]), None
    )
