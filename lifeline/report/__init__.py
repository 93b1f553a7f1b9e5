"""Reports people can read: a self-contained HTML page and PNG figures of a run.

>>> from lifeline.report import build_report
>>> build_report("out")            # doctest: +SKIP  (writes out/report.html)

``data.py`` reads a run folder, ``prepare.py`` reduces it to what is drawn (pure functions),
``html.py`` renders the page with Plotly and ``png.py`` the figures with Matplotlib.
"""

from __future__ import annotations

from pathlib import Path

from lifeline.report.data import ReportData, load_report_data, scenario_json
from lifeline.results import atomic_path

__all__ = [
    "ReportData",
    "build_report",
    "build_sweep_report",
    "load_report_data",
    "scenario_json",
    "write_pngs",
]


def build_report(out_dir: str | Path, path: str | Path | None = None) -> Path:
    """Write the HTML report of the run in ``out_dir`` (default ``out_dir/report.html``).

    Raises
    ------
    lifeline.errors.InputFileError
        When the folder lacks the run's files (see :func:`load_report_data`).
    """
    from lifeline.report.html import render_html
    from lifeline.report.prepare import build_views

    data = load_report_data(out_dir)
    page = render_html(build_views(data), data.scenario, data.scenario_origin, data.summary)
    path = Path(path) if path is not None else data.out_dir / "report.html"
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path


def build_sweep_report(out_dir: str | Path, path: str | Path | None = None) -> Path:
    """Write the HTML page of a sweep's folder (default ``out_dir/sweep-report.html``)."""
    from lifeline.report.sweep import build_sweep_report as build

    return build(out_dir, path)


def write_pngs(out_dir: str | Path, folder: str | Path | None = None) -> list[Path]:
    """Write the report's figures as PNG files (default folder ``out_dir/figures``)."""
    from lifeline.report.png import render_pngs
    from lifeline.report.prepare import build_views

    data = load_report_data(out_dir)
    folder = Path(folder) if folder is not None else data.out_dir / "figures"
    return render_pngs(build_views(data), folder)
