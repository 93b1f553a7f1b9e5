"""Paths and small helpers shared by the test layers (one copy, imported where needed)."""

from __future__ import annotations

from pathlib import Path

from lifeline.config import Scenario, scenario_from_dict

#: The repository's root and the tests' own data folder.
ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"

#: The tiny fixture: 5 satellites from the shipped 2022-08-17 snapshot, 12 steps (tiny.toml says
#: how it was made); used wherever a run must exist but its size does not matter.
TINY = DATA / "tiny.toml"
TINY_TLE = DATA / "tiny.tle"

#: Azovstal works, Mariupol (latitude, longitude in degrees): the terminal of the presets.
AZOVSTAL = (47.098, 37.610)


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (creating its folder) and return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def first_minutes(preset: str, minutes: float, **overrides) -> Scenario:
    """The preset cut to its first ``minutes`` (``extends`` keeps everything else).

    ``overrides`` are top-level scenario tables (e.g. ``network={"isl": False}``,
    ``events=[...]``), validated as a scenario file's would be.
    """
    data = {
        "extends": preset,
        "name": f"{preset}-first-{minutes:g}-min",
        "time": {"duration_s": minutes * 60.0},
        **overrides,
    }
    return scenario_from_dict(data, source="<test>")


def count_launched_by(tle_text: str, year: int, launch: int) -> int:
    """Distinct catalog numbers whose international designator (line 1, columns 10-14:
    two-digit year, launch number; CelesTrak's TLE format) is at or before (year, launch)."""
    catalog = set()
    for line in tle_text.splitlines():
        if not line.startswith("1 ") or not line[9:14].strip():
            continue
        yy, number = int(line[9:11]), int(line[11:14])
        if (1900 + yy if yy >= 57 else 2000 + yy, number) <= (year, launch):
            catalog.add(line[2:7])
    return len(catalog)
