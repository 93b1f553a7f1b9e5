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

from lifeline.report.html import (
    MAX_SERIES_PLOTS,
    RATE_COLORS,
    REASON_SHORT,
    SITE_STYLE,
    TERMINAL_COLORS,
    path_lonlat,
    reason_colors,
)
from lifeline.report.mapping import (
    lat_label,
    lon_label,
    nice_ticks,
    unwrap_chain_deg,
    unwrap_lon_deg,
)
from lifeline.report.prepare import Views

__all__ = ["render_pngs"]

#: Resolution of the PNG figures; a presentation choice (references.md#report-display).
DPI = 150
# Plotly marker symbols -> Matplotlib markers.
_MARKERS = {"circle": "o", "triangle-up": "^", "x": "x", "square": "s", "star": "*"}


#: kind -> (label offset [pt], horizontal alignment, font size, colour).
_LABEL_STYLE = {
    "terminal": ((4, 4), "left", 8, "#111111"),
    "gateway": ((5, -4), "left", 6.5, "#2a6e2a"),
    "gateway_down": ((5, -4), "left", 6.5, "#a02020"),
    "pop": ((-5, -4), "right", 6.5, "#1f5f9f"),
    "jammer": ((4, 4), "left", 7, "#6a3d9a"),
}


def _dates(time_ms: np.ndarray) -> np.ndarray:
    return (np.asarray(time_ms, dtype=float) * 1e6).astype("datetime64[ns]")


def _save(fig, path: Path) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=DPI)
    return path


def _map_size_in(v: Views) -> tuple[float, float]:
    """Figure size [in] that fits the map's true-to-scale box (no squashed strip)."""
    aspect = _map_aspect(v)
    width_deg = v.lon_range[1] - v.lon_range[0]
    height_deg = (v.lat_range[1] - v.lat_range[0]) * aspect
    ratio = height_deg / max(width_deg, 1e-9)
    # 9 in wide for the axes; the height follows the map, within what a page can hold, plus
    # room for the title, the axis labels and the legend below.
    return 9.0, min(max(9.0 * ratio, 3.0), 11.0) + 2.2


def _map_aspect(v: Views) -> float:
    # Equirectangular, true to scale at the middle latitude (as on the web page).
    return 1 / max(math.cos(math.radians(sum(v.lat_range) / 2)), 0.2)


def _labels(fig, ax, sites: list) -> None:
    """Name every site, terminals first, each at the first of a few places around its marker
    where it overlaps no label placed before (a crowded map drops the names that do not fit
    rather than printing them over each other; the web page names every site on hover)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # the final layout, so label boxes are in the pixels they will take
    renderer = canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed = []
    order = sorted(sites, key=lambda s: list(_LABEL_STYLE).index(s.kind))
    for s in order:
        offset, align, size, tone = _LABEL_STYLE[s.kind]
        x, y = offset
        tries = [(x, y, align), (x, -y if y > 0 else abs(y), align)]
        tries += [(-x, y, "right" if align == "left" else "left"), (-x, -y, "right")]
        for dx, dy, ha in tries:
            text = ax.annotate(
                s.name,
                (s.lon_deg, s.lat_deg),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va="top" if dy < 0 else "bottom",
                fontsize=size,
                color=tone,
                annotation_clip=True,
            )
            box = text.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
            inside = inside and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            text.remove()


def _map(v: Views, path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=_map_size_in(v), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(v.outline_lon, v.outline_lat, color="#9a9a9a", lw=0.6)
    for name, lon, lat in v.routes:
        ax.plot(unwrap_chain_deg(lon, v.lon0_deg), lat, "--", color="#9467bd", lw=1.5, label=name)
    # The first instant with a path drawn (the slider on the web page shows the others).
    snap = next((sn for sn in v.snapshots if sn.links), v.snapshots[0] if v.snapshots else None)
    where = {s.name: (s.lon_deg, s.lat_deg) for s in v.sites if s.kind != "terminal"}
    terminal_at = {s.name: (s.lon_deg, s.lat_deg) for s in v.sites if s.kind == "terminal"}
    if snap is not None:
        for k, link in enumerate(snap.links):
            lon, lat = path_lonlat(link, terminal_at, where, v.lon0_deg)
            ax.plot(lon, lat, color="#ff7f0e", lw=1, alpha=0.8, label="paths" if k == 0 else None)
        if snap.links:
            ax.plot(
                unwrap_lon_deg([lk["sat_lon"] for lk in snap.links], v.lon0_deg),
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
    ax.set_xlim(*v.lon_range)
    ax.set_ylim(*v.lat_range)
    ax.set_aspect(_map_aspect(v))
    x_ticks, y_ticks = nice_ticks(*v.lon_range), nice_ticks(*v.lat_range)
    ax.set_xticks(x_ticks, [lon_label(x) for x in x_ticks])
    ax.set_yticks(y_ticks, [lat_label(y) for y in y_ticks])
    ax.grid(alpha=0.25)
    ax.set_facecolor("#eef4fa")
    when = (
        datetime.fromtimestamp(snap.time_ms / 1e3, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        if snap
        else ""
    )
    ax.set_title(f"{v.title}: sites, serving satellites and paths {when}", fontsize=10)
    fig.legend(loc="outside lower center", ncols=4, fontsize=7, frameon=False)
    _labels(fig, ax, v.sites)
    return _save(fig, path)


def _series(v: Views, path: Path) -> Path:
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    shown = v.series[:MAX_SERIES_PLOTS]
    colors = reason_colors(v.reasons)
    fig = Figure(figsize=(10, 1.8 + 1.8 * len(shown)), layout="constrained")
    axes = fig.subplots(len(shown), 1, sharex=True, squeeze=False)[:, 0]
    day = ""
    for ax, s in zip(axes, shown, strict=True):
        for reason, (start_ms, end_ms) in s.outages.items():
            for a, b in zip(_dates(start_ms), _dates(end_ms), strict=True):
                ax.axvspan(a, b, color=colors[reason], alpha=0.35, lw=0)
        ax.plot(_dates(s.rtt_time_ms), s.rtt_ms, lw=0.6, color="#1f77b4")
        ax.set_ylabel("RTT [ms]")
        top = np.nanmax(s.rtt_ms) if np.isfinite(s.rtt_ms).any() else 1.0
        ax.set_ylim(0, top * 1.12)  # from zero, with room above the highest value
        ax.set_title(s.name, fontsize=9, loc="left")
        ax.grid(alpha=0.25)
        if len(s.rtt_time_ms):
            day = datetime.fromtimestamp(s.rtt_time_ms[0] / 1e3, UTC).strftime("%Y-%m-%d")
        extra = [(c, lab, u) for c, lab, u in v.extra_columns if c in s.extra]
        if extra:
            # One right-hand axis for every rate (they share the unit).
            twin = ax.twinx()
            high = 0.0
            for k, (col, _, _) in enumerate(extra):
                t, val = s.extra[col]
                twin.plot(_dates(t), val, lw=0.8, color=RATE_COLORS[k % len(RATE_COLORS)])
                if np.isfinite(val).any():
                    high = max(high, float(np.nanmax(val)))
            label = extra[0][1] if len(extra) == 1 else "Rate"
            twin.set_ylabel(f"{label} [{extra[0][2]}]", color=RATE_COLORS[0])
            # From zero like the RTT axis, and no offset notation for a near-constant rate
            # (Matplotlib would label a flat 25 Mbit/s line "+2.5e1" around 0).
            twin.set_ylim(0, max(high, 1e-9) * 1.12)
            twin.ticklabel_format(axis="y", useOffset=False, style="plain")
    locator = AutoDateLocator(minticks=4, maxticks=9)
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(DateFormatter("%H:%M"))
    handles = [Line2D([], [], color="#1f77b4", lw=1, label="RTT")]
    handles += [
        Line2D([], [], color=RATE_COLORS[k % len(RATE_COLORS)], lw=1, label=label)
        for k, (_, label, _) in enumerate(v.extra_columns)
    ]
    handles += [
        Patch(color=colors[r], alpha=0.35, label=f"out: {REASON_SHORT.get(r, r)}")
        for r in v.reasons
    ]
    axes[0].legend(handles=handles, fontsize=7, loc="lower right", ncols=len(handles))
    axes[-1].set_xlabel(f"time (UTC, from {day})" if day else "time (UTC)")
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
