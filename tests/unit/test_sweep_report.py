"""The sweep's HTML page from a hand-made sweep folder (no engine, no Dask)."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from lifeline.cli import app
from lifeline.errors import InputFileError
from lifeline.report import build_sweep_report

XSS = "<script>alert(1)</script>"


@pytest.fixture
def sweep_dir(tmp_path):
    # 20 samples of one site, availability 50, 52.5, ..., 97.5 %; the summary as
    # lifeline.sweep.summarize_sweep writes it (fields used by the page only).
    table = pd.DataFrame(
        {
            "sample": range(20),
            "status": ["ok"] * 20,
            "terminal": [XSS] * 20,
            "availability_pct": [50 + 2.5 * i for i in range(20)],
            "gateway_outage_h": [float(19 - i) for i in range(20)],
        }
    )
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), tmp_path / "sweep.parquet")
    summary = {
        "samples": 20,
        "failed": 0,
        "seed": 7,
        "source": "hand-made",
        "terminals": {
            XSS: {
                "samples": 20,
                "availability_pct": {"p5": 54.75, "p50": 73.75, "p95": 92.75},
                "availability_at_least_pct": 90.0,
                "share_of_samples_at_least": 0.2,
                "unknowns": [
                    {
                        "unknown": "gateway_outage_h",
                        "spearman_availability": -1.0,
                        "spearman_availability_ci95": [-1.0, -1.0],
                        "spearman_throughput_p50": None,
                    }
                ],
            }
        },
    }
    (tmp_path / "sweep-summary.json").write_text(json.dumps(summary))
    return tmp_path


def test_sweep_page(sweep_dir):
    page = build_sweep_report(sweep_dir).read_text(encoding="utf-8")
    assert XSS not in page.split("<script>")[0]  # escaped wherever it is shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: across 20 futures, served 73.8 %" in page
    assert "54.8 % in a bad one" in page and "20 % of futures reach 90 %" in page
    assert "gateway_outage_h" in page and "-1.00 to -1.00" in page
    assert page.count("data-figure=") == 1


def test_cli_report_builds_the_sweep_page(sweep_dir):
    result = CliRunner().invoke(app, ["report", str(sweep_dir)])
    assert result.exit_code == 0, result.output
    assert (sweep_dir / "sweep-report.html").is_file()


def test_missing_sweep_files(tmp_path):
    with pytest.raises(InputFileError, match="sweep-summary.json"):
        build_sweep_report(tmp_path)
