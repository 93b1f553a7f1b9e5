"""Every preset's first hour still gives the stored outputs (a regression check).

The expected digests in ``tests/data/preset-parity.json`` are lifeline's own output, written by
``python tools/preset_parity.py``: a golden file that catches unintended change (a refactor
must leave it equal), never evidence that the numbers are right. A change meant to alter
results regenerates it and says so in its commit.
"""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from preset_parity import preset_fingerprint  # noqa: E402

# End-to-end runs (seconds each): outside the quick loop `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

EXPECTED = json.loads((Path(__file__).parents[1] / "data" / "preset-parity.json").read_text())


@pytest.mark.slow
@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_preset_first_hour_unchanged(preset):
    got = preset_fingerprint(preset)
    want = EXPECTED[preset]
    assert got["rows"] == want["rows"]
    changed = [c for c in want["columns"] if got["columns"].get(c) != want["columns"][c]]
    assert not changed, f"{preset}: columns changed: {changed}"
    assert set(got["columns"]) == set(want["columns"])
    assert got["summary_terminals"] == want["summary_terminals"]
