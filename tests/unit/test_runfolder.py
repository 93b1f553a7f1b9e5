"""A malformed summary.json is one located error (report and compare crashed on it)."""

from __future__ import annotations

import json

import pytest

from lifeline.errors import InputFileError
from lifeline.runfolder import read_summary_file

GOOD = {
    "scenario": "tiny",
    "start_utc": "2022-08-17T12:00:00+00:00",
    "end_utc": "2022-08-17T12:02:00+00:00",
    "step_s": 10.0,
    "n_steps": 12,
    "isl": False,
    "terminals": {"Mariupol": {"availability_pct": 50.0, "rtt_ms_p50": None, "handovers": 1}},
}


def _write(tmp_path, text: str | bytes):
    path = tmp_path / "summary.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_good_summary_reads(tmp_path):
    assert read_summary_file(_write(tmp_path, json.dumps(GOOD))) == GOOD


@pytest.mark.parametrize(
    "text, message",
    [
        ("", ": 'Expecting value': valid JSON"),
        ("[]", ": terminals = 'list': an object with one"),
        ('{"terminals": 5}', ": terminals = 5: the output folder of `lifeline run`"),
        ('{"terminals": {"a": 5}}', ": terminals.a = 5: an object of figures"),
        (
            '{"terminals": {"a": {"availability_pct": "x"}}}',
            ": terminals.a.availability_pct = 'x': a finite number",
        ),
        (
            '{"terminals": {"a": {"rtt_ms_p50": [1]}}}',
            ": terminals.a.rtt_ms_p50 = [1]: a finite number or null",
        ),
        ('{"terminals": {"a": {"availability_pct": NaN}}}', "NaN is not a JSON number"),
        ('{"terminals": {}, "step_s": 0}', ": step_s = 0: a number > 0"),
        ('{"terminals": {}, "start_utc": "yesterday"}', ": start_utc = 'yesterday': an ISO 8601"),
        ("[" * 100_000, ": nesting = 'more than 64 levels'"),
    ],
)
def test_malformed_summaries_are_located(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(InputFileError) as info:
        read_summary_file(path)
    assert str(info.value).startswith(str(path))
    assert message in str(info.value)


def test_not_utf8(tmp_path):
    with pytest.raises(InputFileError) as info:
        read_summary_file(_write(tmp_path, b"\xff\xfe{"))
    assert "a readable UTF-8 JSON file" in str(info.value)
