"""The HTML page of a sweep (``OUT/sweep-report.html``): what many plausible futures say.

Reads ``sweep-summary.json`` and ``sweep.parquet`` (written by ``lifeline sweep``) and shows, per
site, a sentence a coordinator can act on (the service in a bad, a typical and a good future),
the spread of availability across samples as a histogram, and which unknowns move it, with the
confidence of each correlation. Self-contained like the run report: Plotly inline, every user
string escaped, figure data in JSON blocks.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lifeline.errors import InputFileError

__all__ = ["build_sweep_report", "render_sweep_html"]

_SWEEP_FOLDER = "the output folder of `lifeline sweep` (sweep.parquet and sweep-summary.json)"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _fmt(x: object, digits: int = 1) -> str:
    return "—" if not isinstance(x, int | float) else f"{x:.{digits}f}"


def _sentence(name: str, t: dict) -> str:
    a = t.get("availability_pct") or {}
    n = t.get("samples", "?")
    share = t.get("share_of_samples_at_least")
    at_least = t.get("availability_at_least_pct", 90)
    text = (
        f"{name}: across {n} futures, served {_fmt(a.get('p50'))} % of the window in a typical "
        f"one, {_fmt(a.get('p5'))} % in a bad one (1 in 20 is worse) and {_fmt(a.get('p95'))} % "
        "in a good one"
    )
    if isinstance(share, int | float):
        text += f"; {100 * share:.0f} % of futures reach {at_least:g} %"
    return text + "."


def _correlation_rows(t: dict) -> str:
    rows = []
    for u in t.get("unknowns") or []:
        rho = u.get("spearman_availability")
        ci = u.get("spearman_availability_ci95")
        ci_text = f"{ci[0]:+.2f} to {ci[1]:+.2f}" if isinstance(ci, list) and len(ci) == 2 else "—"
        note = u.get("note") or ""
        rows.append(
            f"<tr><td>{_e(u.get('unknown'))}</td><td>{_e(_fmt(rho, 2))}</td>"
            f"<td>{_e(ci_text)}</td><td>{_e(_fmt(u.get('spearman_throughput_p50'), 2))}</td>"
            f"<td>{_e(note)}</td></tr>"
        )
    if not rows:
        return "<p>Nothing varied between samples.</p>"
    return (
        "<table><thead><tr><th>Unknown</th><th>Rank correlation with served %</th>"
        "<th>95 % interval</th><th>with rate</th><th>Note</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _histogram(name: str, availability: np.ndarray, k: int) -> tuple[str, dict]:
    data = [
        {
            "type": "histogram",
            "x": [round(float(x), 3) for x in availability if np.isfinite(x)],
            "xbins": {"start": 0, "end": 100.0001, "size": 2.5},
            "marker": {"color": "#1f77b4"},
            "name": _e(name),
        }
    ]
    layout = {
        "height": 260,
        "margin": {"l": 60, "r": 20, "t": 40, "b": 45},
        "title": {"text": _e(name) + ": served % across futures"},
        "xaxis": {"title": {"text": "served [%]"}, "range": [0, 100], "dtick": 10},
        "yaxis": {"title": {"text": "futures"}},
        "bargap": 0.05,
    }
    return f"fig-sweep-{k}", {"data": data, "layout": layout, "config": {"displaylogo": False}}


def render_sweep_html(summary: dict, table) -> str:
    """The sweep page as one string (``table``: sweep.parquet as a pandas DataFrame)."""

    from lifeline.report.html import PAGE_CSS, page_end

    title = str(summary.get("source") or "sweep")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>lifeline sweep: {_e(title)}</title>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
        'img-src data: blob:; font-src data:">',
        f"<style>{PAGE_CSS}</style></head><body>",
        f"<h1>Sweep of {_e(title)}</h1>",
        f"<p class='sub'>{_e(summary.get('samples', '?'))} samples, "
        f"{_e(summary.get('failed', 0))} failed, seed {_e(summary.get('seed', '?'))}</p>",
        "<section id='verdict'><h2>Verdict</h2>",
    ]
    terminals = summary.get("terminals") or {}
    parts += [f"<p>{_e(_sentence(name, t))}</p>" for name, t in terminals.items()]
    parts.append("</section>")
    figures = []
    ok = table[table["status"] == "ok"] if "status" in table.columns else table
    for k, (name, t) in enumerate(terminals.items()):
        parts.append(f"<h2>{_e(name)}</h2>")
        rows = ok[ok["terminal"] == name] if "terminal" in ok.columns else ok.iloc[0:0]
        if "availability_pct" in rows.columns and len(rows):
            figures.append(_histogram(name, rows["availability_pct"].to_numpy(float), k))
            parts.append(f"<div class='figure' id='fig-sweep-{k}'></div>")
        parts.append("<h3>What moves it</h3>" + _correlation_rows(t))
    parts.append(
        "<p>Rank correlation: Spearman's ρ between an unknown and the site's served share over "
        "the samples (+1: more of it always means more service, −1: always less). The 95 % "
        "interval is from Fisher's z with the Fieller–Hartley–Pearson variance; an interval "
        "that spans 0 means the samples cannot tell.</p>"
    )
    parts.append(page_end(figures))
    return "".join(parts)


def build_sweep_report(out_dir: str | Path, path: str | Path | None = None) -> Path:
    """Write ``out_dir/sweep-report.html`` from a sweep's folder.

    Raises
    ------
    InputFileError
        A file is missing or unreadable.
    """
    from lifeline.results import atomic_path

    out_dir = Path(out_dir)
    summary_path = out_dir / "sweep-summary.json"
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(str(summary_path), 0, "missing", _SWEEP_FOLDER) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(str(summary_path), 0, str(exc), "a readable JSON file") from None
    try:
        table = pq.read_table(out_dir / "sweep.parquet").to_pandas()
    except FileNotFoundError:
        raise InputFileError(str(out_dir / "sweep.parquet"), 0, "missing", _SWEEP_FOLDER) from None
    except (OSError, pa.ArrowException) as exc:
        raise InputFileError(
            str(out_dir / "sweep.parquet"), 0, str(exc), "a Parquet file"
        ) from None
    page = render_sweep_html(summary, table)
    path = Path(path) if path is not None else out_dir / "sweep-report.html"
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path
