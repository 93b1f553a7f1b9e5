"""Fingerprint every preset's outputs over a 1-hour window (a regression check).

Runs each built-in scenario (sweep presets excluded) for its first hour with one worker and
prints, as JSON, a SHA-256 per column of ``terminals.parquet`` and of the per-terminal summary
(figures that do not depend on the machine: ``elapsed_s`` and the version are left out).
``tests/integration/test_preset_parity.py`` compares a fresh run with the stored copy in
``tests/data/preset-parity.json``. A change meant to alter results regenerates the file:

    python tools/preset_parity.py > tests/data/preset-parity.json
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

import lifeline

WINDOW_S = 3600.0


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def preset_fingerprint(preset: str) -> dict:
    """Column and summary digests of ``preset`` run for its first hour."""
    with tempfile.TemporaryDirectory() as tmp:
        toml = Path(tmp) / "window.toml"
        toml.write_text(f'extends = "{preset}"\n[time]\nduration_s = {WINDOW_S}\n')
        out = Path(tmp) / "out"
        result = lifeline.run(toml, out_dir=out, workers=1)
        table = pq.read_table(out / "terminals.parquet")
        columns = {
            name: _digest(json.dumps(table.column(name).to_pylist(), default=str).encode())
            for name in table.column_names
        }
        terminals = {
            name: _digest(json.dumps(stats, sort_keys=True, default=str).encode())
            for name, stats in result.summary["terminals"].items()
        }
    return {"rows": table.num_rows, "columns": columns, "summary_terminals": terminals}


def main(argv: list[str]) -> None:
    from lifeline.presets import preset_names

    presets = argv or [name for name in preset_names() if not name.endswith("-sweep")]
    json.dump({p: preset_fingerprint(p) for p in presets}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
