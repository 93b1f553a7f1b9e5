"""The self-contained HTML report: Plotly figures (its JavaScript inline, once) and tables.

Nothing on the page is fetched: the Plotly bundle, the data and the styles are in the file, and
the map is drawn on plain x/y axes from the shipped Natural Earth outlines (Plotly's own
``geo`` maps would download their base map). Every string that comes from a user (terminal,
gateway and scenario names, the scenario text) is HTML-escaped before it reaches the page or
Plotly (which reads a little HTML in its labels), and figure data sits in
``<script type="application/json">`` blocks with ``<``, ``>`` and ``&`` written as JSON
escapes, so no value can close the block.
"""

from __future__ import annotations

import html
import json
import math
from datetime import UTC, datetime
from importlib.metadata import version

import numpy as np
from numpy.typing import NDArray

from lifeline.report.mapping import (
    lat_label,
    lon_label,
    nice_ticks,
    unwrap_chain_deg,
    unwrap_lon_deg,
)
from lifeline.report.prepare import Views
from lifeline.report.scenario_text import scenario_html
from lifeline.report.verdict import COLUMNS, REASON_TEXT, column_label, format_duration

__all__ = ["MAX_SERIES_PLOTS", "REASON_COLORS", "render_html"]

# Display settings below are presentation choices, not facts (references.md#report-display).

#: Colours of the rate series (download, upload, ...).
RATE_COLORS = ("#2ca02c", "#9467bd", "#8c564b")
#: Short names of outage causes for column heads.
REASON_SHORT = {
    "no_satellite": "no satellite",
    "no_gateway_path": "no gateway path",
    "ground_down": "ground down",
    "satellite_failed": "satellite failure",
    "no_power": "no power",
    "obstructed": "obstruction",
    "low_sinr": "weak signal",
    "jammed": "jamming",
}

#: Per-terminal time-series plots on the page; the table still lists every terminal.
MAX_SERIES_PLOTS = 20
#: Outage causes (``reason`` column) and their colours; unknown causes take FALLBACK_COLORS.
REASON_COLORS = {"no_satellite": "#d62728", "no_gateway_path": "#ff7f0e"}
FALLBACK_COLORS = ("#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
TERMINAL_COLORS = (
    "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#ff7f0e", "#7f7f7f",
)  # fmt: skip
SITE_STYLE = {  # kind -> (legend label, marker symbol, colour, size)
    "terminal": ("Terminals", "circle", "#111111", 9),
    "gateway": ("Gateways (live)", "triangle-up", "#2ca02c", 10),
    "gateway_down": ("Gateways (down)", "x", "#d62728", 10),
    "pop": ("PoPs", "square", "#1f77b4", 9),
    "jammer": ("Jammers", "star", "#9467bd", 12),
}
#: Most gateways and PoPs named on the web map (beyond, by hover only).
MAX_GROUND_LABELS = 10
LABEL_POSITION = {"gateway": "bottom right", "gateway_down": "bottom right", "pop": "bottom left"}
_CONFIG = {"displaylogo": False, "responsive": True}


def reason_colors(reasons: list[str]) -> dict[str, str]:
    """A colour per outage cause: the fixed ones, then the fallback palette in order."""
    unknown = [r for r in reasons if r not in REASON_COLORS]
    out = {r: REASON_COLORS[r] for r in reasons if r in REASON_COLORS}
    out.update({r: FALLBACK_COLORS[i % len(FALLBACK_COLORS)] for i, r in enumerate(unknown)})
    return out


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _arr(values: NDArray, decimals: int) -> list:
    """A JSON list with NaN as null (a gap in a Plotly line)."""
    a = np.round(np.asarray(values, dtype=float), decimals)
    return [None if math.isnan(x) else x for x in a.tolist()]


def json_for_script(obj: object) -> str:
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _figure(div_id: str, data: list, layout: dict, height: int) -> tuple[str, dict]:
    layout = {"height": height, "margin": {"l": 60, "r": 20, "t": 40, "b": 45}, **layout}
    return div_id, {"data": data, "layout": layout, "config": _CONFIG}


def _map_figure(v: Views) -> tuple[str, dict]:
    data: list[dict] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": _arr(v.outline_lon, 4),
            "y": _arr(v.outline_lat, 4),
            "line": {"color": "#9a9a9a", "width": 0.8},
            "hoverinfo": "skip",
            "name": "Countries (Natural Earth 1:110m)",
            "showlegend": False,
        }
    ]
    for name, lon, lat in v.routes:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": _arr(unwrap_chain_deg(lon, v.lon0_deg), 5),
                "y": _arr(lat, 5),
                "line": {"color": "#9467bd", "width": 2, "dash": "dash"},
                "name": _e(name),
            }
        )
    # Plotly cannot move labels apart: past a handful of gateways and PoPs their names go to
    # the hover text only (the PNG map places what fits).
    ground_named = sum(s.kind != "terminal" for s in v.sites) <= MAX_GROUND_LABELS
    for kind, (label, symbol, color, size) in SITE_STYLE.items():
        sites = [s for s in v.sites if s.kind == kind]
        if not sites:
            continue
        named = kind == "terminal" or ground_named
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text" if named else "markers",
                "x": [s.lon_deg for s in sites],
                "y": [s.lat_deg for s in sites],
                "text": [_e(s.name) for s in sites],
                # Terminals above right, gateways below right, PoPs below left: a gateway
                # beside its PoP keeps both names readable.
                "textposition": LABEL_POSITION.get(kind, "top right"),
                "textfont": {"size": 12 if kind == "terminal" else 10, "color": color},
                "hovertext": [
                    _e(f"{s.name} ({s.detail})" if s.detail else s.name)
                    + "<br>"
                    + _e(position_text(s.lat_deg, s.lon_deg))
                    for s in sites
                ],
                "hoverinfo": "text",
                "marker": {"symbol": symbol, "color": color, "size": size},
                "name": label,
            }
        )
    n_static = len(data)
    # Open on the first instant with a path to draw (a run may start in an outage).
    first = next((k for k, snap in enumerate(v.snapshots) if snap.links), 0)
    where = {s.name: (s.lon_deg, s.lat_deg) for s in v.sites if s.kind != "terminal"}
    terminal_at = {s.name: (s.lon_deg, s.lat_deg) for s in v.sites if s.kind == "terminal"}
    for k, snap in enumerate(v.snapshots):
        px: list = []
        py: list = []
        for link in snap.links:
            lon, lat = path_lonlat(link, terminal_at, where, v.lon0_deg)
            px += _arr(lon, 4) + [None]
            py += _arr(lat, 4) + [None]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": px,
                "y": py,
                "line": {"color": "rgba(255,127,14,0.8)", "width": 1.5},
                "hoverinfo": "skip",
                "name": "Paths (terminal → satellite → gateway → PoP)",
                "visible": k == first,
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": _arr(unwrap_lon_deg([lk["sat_lon"] for lk in snap.links], v.lon0_deg), 4),
                "y": [round(link["sat_lat"], 4) for link in snap.links],
                "hovertext": [_link_text(link) for link in snap.links],
                "hoverinfo": "text",
                "marker": {"symbol": "diamond", "color": "#ff7f0e", "size": 9},
                "name": "Serving satellites (below them)",
                "visible": k == first,
            }
        )
    steps = []
    for k, snap in enumerate(v.snapshots):
        visible = [True] * n_static + [False] * (2 * len(v.snapshots))
        visible[n_static + 2 * k] = visible[n_static + 2 * k + 1] = True
        label = datetime.fromtimestamp(snap.time_ms / 1e3, UTC).strftime("%H:%M:%S")
        steps.append({"method": "restyle", "args": [{"visible": visible}], "label": label})
    mid_lat = math.radians(sum(v.lat_range) / 2)
    x_ticks = nice_ticks(*v.lon_range)
    y_ticks = nice_ticks(*v.lat_range)
    layout = {
        "title": {"text": "Sites, serving satellites and paths at the chosen time (UTC)"},
        "xaxis": {
            "range": list(v.lon_range),
            "title": {"text": "longitude"},
            "zeroline": False,
            "tickvals": x_ticks.tolist(),
            "ticktext": [lon_label(x) for x in x_ticks],
            # Keep the range (the sites' box) and shrink the drawing area to keep the scale,
            # rather than widening the map into empty ocean.
            "constrain": "domain",
        },
        "yaxis": {
            "range": list(v.lat_range),
            "zeroline": False,
            "title": {"text": "latitude"},
            "tickvals": y_ticks.tolist(),
            "ticktext": [lat_label(y) for y in y_ticks],
            "constrain": "domain",
            # Equirectangular map drawn true to scale at the middle latitude.
            "scaleanchor": "x",
            "scaleratio": 1 / max(math.cos(mid_lat), 0.2),
        },
        # Beside the map (which keeps its scale and leaves room), clear of the time slider.
        "legend": {"x": 1.0, "xanchor": "left", "y": 1.0},
        "sliders": [{"active": first, "steps": steps, "pad": {"t": 70}}] if steps else [],
        "plot_bgcolor": "#eef4fa",
        "margin": {"l": 60, "r": 20, "t": 40, "b": 160},
    }
    return _figure("fig-map", data, layout, 720)


def position_text(lat_deg: float, lon_deg: float) -> str:
    """``21.1400°S 175.2000°W`` for a point (longitude wrapped into (-180, 180])."""
    lon = (lon_deg + 180.0) % 360.0 - 180.0
    return (
        f"{abs(lat_deg):.4f}°{'N' if lat_deg >= 0 else 'S'} "
        f"{abs(lon):.4f}°{'E' if lon >= 0 else 'W'}"
    )


def path_lonlat(
    link: dict,
    terminal_at: dict[str, tuple[float, float]],
    where: dict[str, tuple[float, float]],
    lon0_deg: float,
) -> tuple[NDArray, NDArray]:
    """A serving path's vertices (terminal → satellite → gateway → PoP), each step drawn the
    short way round (:func:`lifeline.report.mapping.unwrap_chain_deg`)."""
    chain = [terminal_at.get(link["terminal"]), (link["sat_lon"], link["sat_lat"])]
    chain += [where.get(link.get("gateway")), where.get(link.get("pop"))]
    points = np.array([p for p in chain if p is not None], dtype=float).reshape(-1, 2)
    return unwrap_chain_deg(points[:, 0], lon0_deg), points[:, 1]


def _link_text(link: dict) -> str:
    parts = [_e(link["satellite"]) + " serving " + _e(link["terminal"])]
    parts.append(f"elevation {link['elevation_deg']:.1f}°")
    if link.get("isl_hops") is not None:
        parts.append(f"{link['isl_hops']} laser hops")
    if link.get("gateway"):
        parts.append("gateway " + _e(link["gateway"]))
    if link.get("pop"):
        parts.append("PoP " + _e(link["pop"]))
    if link.get("rtt_ms") is not None:
        parts.append(f"RTT {link['rtt_ms']:.1f} ms")
    return "<br>".join(parts)


def _series_figure(i: int, s, v: Views, colors: dict[str, str]) -> tuple[str, dict]:
    data: list[dict] = []
    for reason, (start_ms, end_ms) in s.outages.items():
        x: list = []
        for a, b in zip(start_ms.tolist(), end_ms.tolist(), strict=True):
            x += [round(a), round(a), round(b), round(b), None]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": x,
                "y": [0, 1, 1, 0, None] * len(start_ms),
                "fill": "toself",
                "fillcolor": colors[reason] + "55",
                "line": {"width": 0},
                "yaxis": "y2",
                "name": "out: " + _e(REASON_SHORT.get(reason, reason)),
                "hoverinfo": "name",
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": _arr(np.round(s.rtt_time_ms), 0),
            "y": _arr(s.rtt_ms, 3),
            "line": {"color": "#1f77b4", "width": 1},
            "name": "RTT [ms]",
        }
    )
    layout = {
        "title": {"text": _e(s.name)},
        "xaxis": {"type": "date", "title": {"text": "time (UTC)"}},
        "yaxis": {"title": {"text": "RTT [ms]"}, "rangemode": "tozero"},
        "yaxis2": {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True},
        "legend": {"orientation": "h", "y": 1.12},
    }
    extra = [(c, lab, u) for c, lab, u in v.extra_columns if c in s.extra]
    for k, (col, label, unit) in enumerate(extra):
        t, val = s.extra[col]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": _arr(np.round(t), 0),
                "y": _arr(val, 3),
                "line": {"color": RATE_COLORS[k % len(RATE_COLORS)], "width": 1},
                "yaxis": "y3",
                "name": f"{label} [{unit}]",
            }
        )
    if extra:
        # One right-hand axis for every rate (they share the unit).
        title = extra[0][1] if len(extra) == 1 else "Rate"
        layout["yaxis3"] = {
            "overlaying": "y",
            "side": "right",
            "title": {"text": f"{title} [{extra[0][2]}]"},
            "rangemode": "tozero",
            "showgrid": False,  # one grid (the RTT axis'), not two that disagree
            "tickformat": "~g",
        }
        layout["margin"] = {"l": 60, "r": 60, "t": 40, "b": 45}
    return _figure(f"fig-series-{i}", data, layout, 300)


def _cdf_figure(column: str, label: str, unit: str, v: Views) -> tuple[str, dict]:
    data = []
    for i, (name, (x, p)) in enumerate(v.cdfs[column].items()):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": _arr(x, 3),
                "y": _arr(p, 4),
                "name": _e(name),
                "line": {"color": TERMINAL_COLORS[i % len(TERMINAL_COLORS)]},
            }
        )
    layout = {
        "title": {"text": f"{label}: share of connected time at or below a value"},
        "xaxis": {"title": {"text": f"{label} [{unit}]"}},
        "yaxis": {"title": {"text": "cumulative share"}, "range": [0, 1.02]},
    }
    return _figure(f"fig-cdf-{column}", data, layout, 380)


# ----------------------------------------------------------------------------------------------
# Tables and page
# ----------------------------------------------------------------------------------------------


def _summary_table(v: Views) -> str:
    """The per-site table: friendly column names with units and help, every figure in full."""
    rows = v.table_rows
    reasons = sorted({r for row in rows for r in (row.get("outage_s_by_reason") or {})})
    keys = [k for k in COLUMNS if any(isinstance(row.get(k), int | float) for row in rows)]
    # Any other plain number the summary has is shown too, under its own key.
    keys += [
        k
        for k in dict.fromkeys(k for row in rows for k in row)
        if k not in COLUMNS
        and k != "terminal"
        and any(isinstance(row.get(k), int | float) for row in rows)
        and all(isinstance(row.get(k), int | float | None) for row in rows)
    ]
    # Three narrow tables instead of one wide one, so each fits the page: service, round trip,
    # throughput and demand (the outage causes join the service table).
    groups = [
        ("Service", [k for k in keys if not k.startswith(("rtt_", "throughput_", "demand_"))]),
        ("Round trip", [k for k in keys if k.startswith("rtt_")]),
        ("Throughput and demand", [k for k in keys if k.startswith(("throughput_", "demand_"))]),
    ]
    reason_head = [
        (f"Lost to {REASON_SHORT.get(r, r)} [s]", REASON_TEXT.get(r, r)) for r in reasons
    ]
    head = [("Site", "the terminal's name")] + [column_label(k) for k in keys] + reason_head
    out = []
    for title, group in groups:
        extra = reason_head if title == "Service" else []
        if not group and not extra:
            continue
        labels = [("Site", "the terminal's name")] + [column_label(k) for k in group] + extra
        out.append(f"<h3>{_e(title)}</h3><div class='table-wrap'><table class='summary'>")
        out.append("<thead><tr>")
        out += [f"<th title='{_e(h)}'>{_e(label)}</th>" for label, h in labels]
        out.append("</tr></thead><tbody>")
        for row in rows:
            cells = [f"<td>{_e(row['terminal'])}</td>"]
            cells += [f"<td>{_number(row.get(k))}</td>" for k in group]
            if extra:
                by_reason = row.get("outage_s_by_reason") or {}
                cells += [f"<td>{_number(by_reason.get(r, 0.0))}</td>" for r in reasons]
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table></div>")
    help_items = "".join(f"<dt>{_e(label)}</dt><dd>{_e(h)}</dd>" for label, h in head[1:] if h)
    out.append(f"<details><summary>What the columns mean</summary><dl>{help_items}</dl></details>")
    return "".join(out)


def _number(value: object) -> str:
    """A table figure: integers as they are, other numbers with 3 significant digits but never
    fewer than the integer part (99.95 stays 99.95, 12345.6 stays 12346)."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _e(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}"
    digits = 2 if abs(value) < 100 else (1 if abs(value) < 1000 else 0)
    return f"{value:,.{digits}f}"


def _verdicts(v: Views) -> str:
    """The plain-language verdict of every site, then each one's outage timetable."""
    out = ["<section id='verdict'><h2>Verdict</h2>"]
    for verdict in v.verdicts:
        out.append(
            f"<div class='verdict {verdict.grade}'><h3>{_e(verdict.name)}: "
            f"{_e(verdict.headline)}</h3><p>{_e(' '.join(verdict.sentences))}</p>"
        )
        if verdict.outages:
            more = (
                f" (the {len(verdict.outages)} longest of {verdict.n_outages})"
                if verdict.n_outages > len(verdict.outages)
                else ""
            )
            rows = "".join(
                f"<tr><td>{_e(o.start_utc.strftime('%Y-%m-%d %H:%M:%S'))}</td>"
                f"<td>{_e(o.end_utc.strftime('%H:%M:%S'))}</td>"
                f"<td>{_e(format_duration(o.duration_s))}</td>"
                f"<td>{_e(REASON_TEXT.get(o.cause, o.cause or '—'))}</td></tr>"
                for o in verdict.outages
            )
            out.append(
                f"<details class='timetable'><summary>Outage timetable{_e(more)}</summary>"
                "<table><thead><tr><th>From (UTC)</th><th>To</th><th>For</th><th>Cause</th>"
                f"</tr></thead><tbody>{rows}</tbody></table></details>"
            )
        out.append("</div>")
    out.append("</section>")
    return "".join(out)


PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1200px;padding:1em 2em;color:#222}
h1{margin-bottom:0.2em}.sub{color:#555;margin-top:0}
table{border-collapse:collapse;font-size:0.9em}th,td{border:1px solid #ccc;padding:3px 8px}
td{text-align:right}td:first-child{text-align:left}th{background:#f2f2f2;cursor:help}
.table-wrap{overflow-x:auto;max-width:100%}table.summary{width:100%}
table.summary th{white-space:normal;vertical-align:bottom;font-weight:600}
.verdict{border-left:6px solid #999;padding:0.2em 1em;margin:0.6em 0;background:#fafafa}
.verdict h3{margin:0.3em 0}.verdict.good{border-color:#2ca02c}
.verdict.gaps{border-color:#f0b000}.verdict.poor{border-color:#d62728}
.verdict.none{border-color:#555}.timetable td{text-align:left}
dl{display:grid;grid-template-columns:max-content auto;gap:0.2em 1em}dd{margin:0}
pre{background:#f7f7f7;border:1px solid #ddd;padding:1em;overflow:auto;font-size:0.85em}
.note{background:#fff6e0;border-left:4px solid #f0b000;padding:0.5em 1em}
.figure{border:1px solid #eee;margin:0.5em 0}
"""

FIGURE_LOADER = """
(function () {
  var jobs = [];
  document.querySelectorAll('script[type="application/json"][data-figure]').forEach(
    function (node) {
      var spec = JSON.parse(node.textContent);
      var div = document.getElementById(node.getAttribute('data-figure'));
      jobs.push(Plotly.newPlot(div, spec.data, spec.layout, spec.config));
    });
  Promise.all(jobs).then(function () {
    document.body.setAttribute('data-rendered', String(jobs.length));
  });
})();
"""


def page_end(figures: list[tuple[str, dict]]) -> str:
    """The end of a self-contained page: each figure's spec as JSON beside its ``div``, Plotly.js
    inlined (the page opens offline) and :data:`FIGURE_LOADER`, which draws them."""
    from plotly.offline import get_plotlyjs

    specs = "".join(
        f"<script type='application/json' data-figure='{div_id}'>{json_for_script(spec)}</script>"
        for div_id, spec in figures
    )
    return f"{specs}<script>{get_plotlyjs()}</script><script>{FIGURE_LOADER}</script></body></html>"


def render_html(v: Views, scenario: dict | None, scenario_origin: str, summary: dict) -> str:
    """The whole report page as one string (see the module docstring)."""

    colors = reason_colors(v.reasons)
    figures: list[tuple[str, dict]] = []
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>lifeline report: {_e(v.title)}</title>",
        # No request may leave the page, even one we did not write.
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
        'img-src data: blob:; font-src data:">',
        f"<style>{PAGE_CSS}</style></head><body>",
        f"<h1>{_e(v.title)}</h1><p class='sub'>{_e(v.subtitle)}</p>",
    ]
    if scenario and scenario.get("description"):
        parts.append(f"<p>{_e(str(scenario['description']).strip())}</p>")
    parts += [f"<p class='note'>{_e(n)}</p>" for n in v.notes]
    parts.append(_verdicts(v))
    assumed = (scenario or {}).get("notes")
    if isinstance(assumed, list) and assumed:
        items = "".join(f"<li>{_e(n)}</li>" for n in assumed)
        parts.append(f"<h3>What the scenario assumed</h3><ul class='assumed'>{items}</ul>")
    parts.append("<h2>All sites</h2>" + _summary_table(v))
    if v.sites:
        figures.append(_map_figure(v))
        parts.append("<h2>Map</h2><div class='figure' id='fig-map'></div>")
        parts.append(
            "<p>Satellites are drawn at the point below them; a path goes terminal → serving "
            "satellite → (laser links, not drawn) → gateway → PoP. Move the slider to change "
            "the time.</p>"
        )
    parts.append("<h2>Time series</h2>")
    parts.append(
        "<p>RTT while connected (each display bin keeps its lowest and highest value; the "
        "Parquet file has every step) with outages shaded by cause.</p>"
    )
    shown = v.series[:MAX_SERIES_PLOTS]
    for i, s in enumerate(shown):
        figures.append(_series_figure(i, s, v, colors))
        parts.append(f"<div class='figure' id='fig-series-{i}'></div>")
    if len(v.series) > len(shown):
        parts.append(
            f"<p class='note'>Time series of the first {len(shown)} of {len(v.series)} "
            "terminals; the table lists all.</p>"
        )
    parts.append("<h2>Distributions</h2>")
    for col, label, unit in [("rtt_ms", "RTT", "ms"), *v.extra_columns]:
        figures.append(_cdf_figure(col, label, unit, v))
        parts.append(f"<div class='figure' id='fig-cdf-{col}'></div>")
    parts.append("<h2>Scenario</h2>")
    parts.append(f"<p>From {_e(scenario_origin)}.</p>")
    if scenario is not None:
        parts.append(
            "<details id='scenario'><summary>What this run assumed (the resolved scenario)"
            f"</summary>{scenario_html(scenario)}</details>"
        )
    run_info = {k: val for k, val in summary.items() if k != "terminals"}
    parts.append(
        "<details><summary>Run details (summary.json without the per-terminal table)</summary>"
        f"<pre>{_e(json.dumps(run_info, indent=2, ensure_ascii=False))}</pre></details>"
    )
    parts.append(
        f"<p class='sub'>Made by lifeline {_e(version('lifeline'))}; map outlines: Natural "
        "Earth (public domain) via world-atlas 2.0.2; plots: Plotly.js (MIT).</p>"
    )
    parts.append(page_end(figures))
    return "".join(parts)
