"""The report's figures as PNG files, drawn with Matplotlib (offline, no browser needed).

The same :class:`~lifeline.report.prepare.Views` as the HTML page: the map at the first
snapshot time, one time-series panel per terminal (up to ``MAX_SERIES_PLOTS``) and the
distributions. Figures are made with ``matplotlib.figure.Figure`` and the Agg canvas, never
``pyplot``, so no global state or display is touched.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from lifeline.report.html import MAX_SERIES_PLOTS, SITE_STYLE, TERMINAL_COLORS, reason_colors
from lifeline.report.prepare import Views

__all__ = ["render_pngs"]

#: Resolution of the PNG figures; a presentation choice (references.md#report-display).
DPI = 150
# Plotly marker symbols -> Matplotlib markers.
_MARKERS = {"circle": "o", "triangle-up": "^", "x": "x", "square": "s", "star": "*"}


def _dates(time_ms: np.ndarray) -> np.ndarray:
    return (np.asarray(time_ms, dtype=float) * 1e6).astype("datetime64[ns]")


def _save(fig, path: Path) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=DPI)
    return path


def _map(v: Views, path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 7), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(v.outline_lon, v.outline_lat, color="#9a9a9a", lw=0.6)
    for name, lon, lat in v.routes:
        ax.plot(lon, lat, "--", color="#9467bd", lw=1.5, label=name)
    snap = v.snapshots[0] if v.snapshots else None
    where = {s.name: (s.lon_deg, s.lat_deg) for s in v.sites}
    if snap is not None:
        for k, link in enumerate(snap.links):
            chain = [where.get(link["terminal"]), (link["sat_lon"], link["sat_lat"])]
            chain += [where.get(link.get("gateway")), where.get(link.get("pop"))]
            xy = np.array([p for p in chain if p is not None])
            ax.plot(
                xy[:, 0],
                xy[:, 1],
                color="#ff7f0e",
                lw=1,
                alpha=0.8,
                label="paths" if k == 0 else None,
            )
        if snap.links:
            ax.plot(
                [lk["sat_lon"] for lk in snap.links],
                [lk["sat_lat"] for lk in snap.links],
                "D",
                color="#ff7f0e",
                ms=5,
                ls="none",
                label="serving satellites",
            )
    for kind, (label, symbol, color, size) in SITE_STYLE.items():
        sites = [s for s in v.sites if s.kind == kind]
        if sites:
            ax.plot(
                [s.lon_deg for s in sites],
                [s.lat_deg for s in sites],
                _MARKERS[symbol],
                color=color,
                ms=size * 0.7,
                ls="none",
                label=label,
            )
        if kind == "terminal":
            for s in sites:
                ax.annotate(
                    s.name,
                    (s.lon_deg, s.lat_deg),
                    xytext=(4, 4),
                    textcoords="offset points",
                    fontsize=8,
                )
    ax.set_xlim(*v.lon_range)
    ax.set_ylim(*v.lat_range)
    # Equirectangular, true to scale at the middle latitude (as on the web page).
    ax.set_aspect(1 / max(math.cos(math.radians(sum(v.lat_range) / 2)), 0.2))
    ax.set_facecolor("#eef4fa")
    ax.set_xlabel("longitude [deg]")
    ax.set_ylabel("latitude [deg]")
    when = (
        datetime.fromtimestamp(snap.time_ms / 1e3, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        if snap
        else ""
    )
    ax.set_title(f"{v.title}: sites, serving satellites and paths {when}")
    ax.legend(fontsize=7, loc="best")
    return _save(fig, path)


def _series(v: Views, path: Path) -> Path:
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    shown = v.series[:MAX_SERIES_PLOTS]
    colors = reason_colors(v.reasons)
    fig = Figure(figsize=(10, 1.8 + 1.8 * len(shown)), layout="constrained")
    axes = fig.subplots(len(shown), 1, sharex=True, squeeze=False)[:, 0]
    for ax, s in zip(axes, shown, strict=True):
        for reason, (start_ms, end_ms) in s.outages.items():
            for a, b in zip(_dates(start_ms), _dates(end_ms), strict=True):
                ax.axvspan(a, b, color=colors[reason], alpha=0.35, lw=0)
        ax.plot(_dates(s.rtt_time_ms), s.rtt_ms, lw=0.6, color="#1f77b4")
        ax.set_ylabel("RTT [ms]")
        ax.set_ylim(bottom=0)
        ax.set_title(s.name, fontsize=9, loc="left")
        # Extra series (throughput down and up) share one right-hand axis, one colour each.
        present = [c for c in v.extra_columns if c[0] in s.extra]
        if present:
            twin = ax.twinx()
            colours = ("#2ca02c", "#ff7f0e", "#9467bd")
            for k, (col, label, _) in enumerate(present):
                colour = colours[k % len(colours)]
                t, val = s.extra[col]
                twin.plot(_dates(t), val, lw=0.6, color=colour, label=label)
            twin.set_ylabel(f"[{present[0][2]}]")
            twin.set_ylim(bottom=0)
            twin.legend(fontsize=7, loc="lower right")
    if v.reasons:
        handles = [Patch(color=colors[r], alpha=0.35, label=f"outage: {r}") for r in v.reasons]
        axes[0].legend(handles=handles, fontsize=7, loc="upper right")
    axes[-1].set_xlabel("time (UTC)")
    return _save(fig, path)


def _cdfs(v: Views, path: Path) -> Path:
    from matplotlib.figure import Figure

    panels = [("rtt_ms", "RTT", "ms"), *v.extra_columns]
    fig = Figure(figsize=(6 * len(panels), 4.5), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (col, label, unit) in zip(axes, panels, strict=True):
        for i, (name, (x, p)) in enumerate(v.cdfs[col].items()):
            ax.plot(x, p, color=TERMINAL_COLORS[i % len(TERMINAL_COLORS)], label=name)
        ax.set_xlabel(f"{label} [{unit}]")
        ax.set_ylabel("cumulative share of connected time")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return _save(fig, path)


def render_pngs(v: Views, folder: Path) -> list[Path]:
    """Write map.png (when the scenario's sites are known), timeseries.png and cdf.png."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [_map(v, folder / "map.png")] if v.sites else []
    written.append(_series(v, folder / "timeseries.png"))
    written.append(_cdfs(v, folder / "cdf.png"))
    return written
