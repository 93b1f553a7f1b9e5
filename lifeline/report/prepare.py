"""What the report draws, computed once from a run: pure functions of arrays plus one builder.

Both renderers (``html.py`` with Plotly, ``png.py`` with Matplotlib) draw the same
:class:`Views`, so the web page and the PNG figures show the same numbers. Long series are
reduced for display only (the Parquet file keeps full resolution): RTT by min/max decimation
(each display bin keeps its lowest and highest sample, so spikes and dips stay visible),
outages as time spans by cause, distributions as quantiles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from lifeline.geo import enu_basis, geodetic_to_ecef_km
from lifeline.report.data import ReportData
from lifeline.report.mapping import central_lon_deg, shifted_rings, unwrap_lon_deg
from lifeline.report.verdict import SiteVerdict, outages_from_spans, site_verdict

__all__ = [
    "MapSnapshot",
    "TerminalSeries",
    "Views",
    "build_views",
    "ecdf",
    "minmax_decimate",
    "outline_lonlat",
    "runs_to_spans",
    "subsatellite_lonlat",
]

#: Display settings (presentation choices, references.md#report-display).
#: Display bins per time series: ~2 points per bin; finer than a screen's width in pixels.
DISPLAY_BINS = 1500
#: Points per distribution curve (quantiles at evenly spaced probabilities).
CDF_POINTS = 400
#: Times the map can show (slider positions).
MAP_SNAPSHOTS = 48
#: Optional numeric columns drawn as time series and distributions when a run has them
#: (column, label, unit).
OPTIONAL_SERIES = (
    ("throughput_mbps", "Throughput", "Mbit/s"),
    ("throughput_down_mbps", "Download", "Mbit/s"),
    ("throughput_up_mbps", "Upload", "Mbit/s"),
)
#: Map margin around the sites [deg].
MAP_MARGIN_DEG = 3.0
#: Largest height/width (or width/height) ratio of the map box (true to scale).
MAP_MAX_ASPECT = 1.3


def minmax_decimate(time_s: ArrayLike, values: ArrayLike, n_bins: int) -> tuple[NDArray, NDArray]:
    """Reduce a series to the lowest and highest finite sample of each time bin.

    Parameters
    ----------
    time_s : (n,) float, increasing [s].
    values : (n,) float; NaN samples (e.g. no RTT while disconnected) are skipped.
    n_bins : int, number of equal bins over ``[time_s[0], time_s[-1]]``.

    Returns
    -------
    time_s, values : (m,) with m <= 2 * n_bins, in time order. A bin without finite samples
    contributes a NaN sample at its first time so that a line plot breaks there. Series of at
    most ``2 * n_bins`` samples come back unchanged.

    References
    ----------
    The "min/max" reduction of U. Jugel et al., "M4: A Visualization-Oriented Time Series Data
    Aggregation", PVLDB 7(10), 2014, §3 (M4 keeps first/last too; min/max suffices for lines
    drawn at one pixel per bin).
    """
    t = np.asarray(time_s, dtype=float)
    v = np.asarray(values, dtype=float)
    if len(t) <= 2 * n_bins:
        return t, v
    edges = np.linspace(t[0], t[-1], n_bins + 1)
    b = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, n_bins - 1)
    finite = np.isfinite(v)
    # Within each bin, the first row of a (bin, value) sort is its minimum, of a
    # (bin, -value) sort its maximum; NaNs sort last in both, so an all-NaN bin keeps a NaN.
    by_min = np.lexsort((np.where(finite, v, np.inf), b))
    by_max = np.lexsort((np.where(finite, -v, np.inf), b))
    first = np.flatnonzero(np.r_[True, b[by_min][1:] != b[by_min][:-1]])
    keep = np.unique(np.r_[by_min[first], by_max[first]])
    return t[keep], np.where(finite[keep], v[keep], np.nan)


def runs_to_spans(
    time_s: ArrayLike, mask: ArrayLike, step_s: float, merge_gap_s: float = 0.0
) -> tuple[NDArray, NDArray]:
    """Time spans where ``mask`` holds, each step lasting ``step_s``.

    Parameters
    ----------
    time_s : (n,) float, step start times [s], increasing by ``step_s``.
    mask : (n,) bool.
    step_s : float, the step [s].
    merge_gap_s : float, spans separated by a gap shorter than this [s] are joined (for
        display: thousands of one-step outages would otherwise be thousands of shapes).

    Returns
    -------
    start_s, end_s : (k,) float; a run of steps ``i..j`` spans ``[time_s[i], time_s[j] + step_s)``.
    """
    t = np.asarray(time_s, dtype=float)
    m = np.asarray(mask, dtype=bool)
    edges = np.diff(np.r_[0, m.astype(np.int8), 0])
    first = np.flatnonzero(edges == 1)
    last = np.flatnonzero(edges == -1) - 1
    start_s, end_s = t[first], t[last] + step_s
    if len(start_s) > 1 and merge_gap_s > 0:
        keep = np.r_[True, (start_s[1:] - end_s[:-1]) >= merge_gap_s]
        end_s = np.maximum.reduceat(end_s, np.flatnonzero(keep))
        start_s = start_s[keep]
    return start_s, end_s


def ecdf(values: ArrayLike, n_points: int = CDF_POINTS) -> tuple[NDArray, NDArray]:
    """Empirical distribution of the finite values, as (value, cumulative probability).

    With more than ``n_points`` values it is sampled at ``n_points`` evenly spaced
    probabilities (``numpy.quantile``, linear interpolation); an empty input gives empty
    arrays.

    References
    ----------
    R. J. Hyndman, Y. Fan, "Sample Quantiles in Statistical Packages", The American
    Statistician 50(4), 1996 (definition 7, NumPy's default).
    """
    v = np.asarray(values, dtype=float)
    v = np.sort(v[np.isfinite(v)])
    if len(v) == 0:
        return v, v.copy()
    if len(v) <= n_points:
        return v, np.arange(1, len(v) + 1) / len(v)
    p = np.linspace(0.0, 1.0, n_points)
    return np.quantile(v, p), p


def subsatellite_lonlat(
    site_lat_deg: ArrayLike,
    site_lon_deg: ArrayLike,
    site_alt_m: ArrayLike,
    azimuth_deg: ArrayLike,
    elevation_deg: ArrayLike,
    range_km: ArrayLike,
) -> tuple[NDArray, NDArray]:
    """Point below a satellite seen at (azimuth, elevation, range) from a ground site.

    The inverse of :func:`lifeline.geo.look_angles`: the line of sight is rebuilt in the
    site's east/north/up frame and added to the site's ECEF position.

    Returns
    -------
    lon_deg, lat_deg : ndarray
        Longitude [deg] in (-180, 180] and *geocentric* latitude [deg] of the satellite. For
        a map this is enough: it differs from the geodetic latitude by at most 0.19 deg
        (WGS84, at 45 deg), invisible at the report's scale. Broadcasting as the inputs.

    References
    ----------
    B. Hofmann-Wellenhof, H. Lichtenegger, E. Wasle, "GNSS — Global Navigation Satellite
    Systems", Springer, 2008, §10.2.2 (local-level system).
    """
    el = np.radians(np.asarray(elevation_deg, dtype=float))
    az = np.radians(np.asarray(azimuth_deg, dtype=float))
    r = np.asarray(range_km, dtype=float)
    enu = np.stack(
        np.broadcast_arrays(
            r * np.cos(el) * np.sin(az), r * np.cos(el) * np.cos(az), r * np.sin(el)
        ),
        axis=-1,
    )
    basis = enu_basis(site_lat_deg, site_lon_deg)  # rows east, north, up
    sat = geodetic_to_ecef_km(site_lat_deg, site_lon_deg, site_alt_m) + np.einsum(
        "...i,...ij->...j", enu, basis
    )
    x, y, z = sat[..., 0], sat[..., 1], sat[..., 2]
    return np.degrees(np.arctan2(y, x)), np.degrees(np.arctan2(z, np.hypot(x, y)))


def outline_lonlat(
    geojson: dict, lon_range: tuple[float, float], lat_range: tuple[float, float]
) -> tuple[NDArray, NDArray]:
    """Country outline rings that reach into a lon/lat box, as one NaN-separated polyline.

    Parameters
    ----------
    geojson : a FeatureCollection of Polygon / MultiPolygon features.
    lon_range : (min, max) [deg], unwrapped (may extend past ±180°, see
        :mod:`lifeline.report.mapping`); a ring is copied at ±360° where the copy reaches in.
    lat_range : (min, max) [deg].

    Returns
    -------
    lon_deg, lat_deg : (n,) float, rings separated by NaN.
    """
    lons: list[NDArray] = []
    lats: list[NDArray] = []
    for feature in geojson["features"]:
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in polys:
            for ring in poly:
                xy = np.asarray(ring, dtype=float)
                if xy[:, 1].max() < lat_range[0] or xy[:, 1].min() > lat_range[1]:
                    continue
                lons += [xy[:, 0], [np.nan]]
                lats += [xy[:, 1], [np.nan]]
    if not lons:
        return np.zeros(0), np.zeros(0)
    return shifted_rings(np.concatenate(lons), np.concatenate(lats), lon_range)


# ----------------------------------------------------------------------------------------------
# The views
# ----------------------------------------------------------------------------------------------


@dataclass
class Site:
    """A point on the map."""

    name: str
    lon_deg: float
    lat_deg: float
    kind: str  # terminal, gateway, gateway_down, pop, jammer
    detail: str = ""


@dataclass
class MapSnapshot:
    """Serving satellites and paths at one instant."""

    time_ms: float
    #: one entry per connected terminal: terminal, satellite, sat lon/lat, gateway, pop, hops, rtt
    links: list[dict] = field(default_factory=list)


@dataclass
class TerminalSeries:
    """One terminal's time series, reduced for display (times in ms since the Unix epoch)."""

    name: str
    rtt_time_ms: NDArray
    rtt_ms: NDArray
    extra: dict[str, tuple[NDArray, NDArray]]  # column -> (time_ms, values)
    #: reason -> (start_ms, end_ms) spans of outages
    outages: dict[str, tuple[NDArray, NDArray]]


@dataclass
class Views:
    """Everything both renderers draw."""

    title: str
    subtitle: str
    sites: list[Site]
    routes: list[tuple[str, NDArray, NDArray]]  # (name, lon, lat)
    outline_lon: NDArray
    outline_lat: NDArray
    lon_range: tuple[float, float]  # unwrapped around lon0_deg
    lat_range: tuple[float, float]
    lon0_deg: float  # the map's central meridian (lifeline.report.mapping)
    snapshots: list[MapSnapshot]
    series: list[TerminalSeries]
    cdfs: dict[str, dict[str, tuple[NDArray, NDArray]]]  # column -> terminal -> (x, p)
    extra_columns: list[tuple[str, str, str]]
    reasons: list[str]
    table_rows: list[dict]
    notes: list[str]
    verdicts: list[SiteVerdict] = field(default_factory=list)


def _categorical(table, name: str) -> tuple[NDArray, list[str]]:
    """(codes (n,) int, categories) of a string or dictionary column; nulls are -1."""
    s = table.column(name).to_pandas()
    cat = s.cat if isinstance(s.dtype, pd.CategoricalDtype) else pd.Categorical(s)
    return np.asarray(cat.codes), [str(c) for c in cat.categories]


def _float(table, name: str) -> NDArray:
    return table.column(name).to_numpy(zero_copy_only=False).astype(float)


def _points(items: object) -> list[dict]:
    """Entries of a scenario list that have a position (lat_deg, lon_deg)."""
    if not isinstance(items, list):
        return []
    return [
        i
        for i in items
        if isinstance(i, dict)
        and isinstance(i.get("lat_deg"), int | float)
        and isinstance(i.get("lon_deg"), int | float)
    ]


def _event_down(summary: dict) -> tuple[set[str], set[str]]:
    """Gateways and PoPs that some event in the run took down (``summary["events"]``)."""
    gateways: set[str] = set()
    pops: set[str] = set()
    events = summary.get("events")
    for e in events if isinstance(events, list) else []:
        if isinstance(e, dict):
            gateways.update(str(g) for g in e.get("gateways") or [])
            pops.update(str(p) for p in e.get("pops") or [])
    return gateways, pops


def _sites(
    scenario: dict | None, summary: dict
) -> tuple[list[Site], list[tuple[str, NDArray, NDArray]]]:
    if scenario is None:
        return [], []
    down_gateways, down_pops = _event_down(summary)
    sites = [
        Site(str(t.get("name", "")), t["lon_deg"], t["lat_deg"], "terminal")
        for t in _points(scenario.get("terminals"))
    ]
    for g in _points(scenario.get("gateways")):
        name = str(g.get("name", ""))
        if g.get("live", True) is False:
            kind, note = "gateway_down", "down"
        elif name in down_gateways:
            kind, note = "gateway_down", "down during an event"
        else:
            kind, note = "gateway", "live"
        sites.append(Site(name, g["lon_deg"], g["lat_deg"], kind, note))
    sites += [
        Site(
            str(p.get("name", "")),
            p["lon_deg"],
            p["lat_deg"],
            "pop",
            "down during an event" if str(p.get("name", "")) in down_pops else "",
        )
        for p in _points(scenario.get("pops"))
    ]
    # Jammers ([[jammers]]) appear on the map when a scenario has them.
    sites += [
        Site(str(j.get("name", "jammer")), j["lon_deg"], j["lat_deg"], "jammer")
        for j in _points(scenario.get("jammers"))
    ]
    # A moving terminal's route: its start position, then its waypoints.
    routes = []
    for t in _points(scenario.get("terminals")):
        pts = [t] + _points(t.get("waypoints"))
        if len(pts) >= 2:
            routes.append(
                (
                    str(t.get("name", "route")),
                    np.array([p["lon_deg"] for p in pts], dtype=float),
                    np.array([p["lat_deg"] for p in pts], dtype=float),
                )
            )
    return sites, routes


def _extent(sites: list[Site]) -> tuple[float, tuple[float, float], tuple[float, float]]:
    """(central meridian, unwrapped longitude range, latitude range) of the map [deg].

    Sites are unwrapped in place around the central meridian (``Site.lon_deg`` becomes the
    map's x); a set of sites that spans most of the globe gets the whole world.
    """
    if not sites:
        return 0.0, (-180.0, 180.0), (-60.0, 80.0)
    lon0 = central_lon_deg([s.lon_deg for s in sites])
    for s in sites:
        s.lon_deg = float(unwrap_lon_deg(s.lon_deg, lon0))
    lon = np.array([s.lon_deg for s in sites])
    lat = np.array([s.lat_deg for s in sites])
    lo, hi = lon.min() - MAP_MARGIN_DEG, lon.max() + MAP_MARGIN_DEG
    south = max(-90.0, lat.min() - MAP_MARGIN_DEG)
    north = min(90.0, lat.max() + MAP_MARGIN_DEG)
    # Widen the narrower side so the map is at most MAP_MAX_ASPECT times taller than wide or
    # wider than tall (true to scale at the middle latitude): no strip.
    scale = 1 / max(np.cos(np.radians((south + north) / 2)), 0.2)
    width, height = hi - lo, (north - south) * scale
    if height > MAP_MAX_ASPECT * width:
        pad = (height / MAP_MAX_ASPECT - width) / 2
        lo, hi = lo - pad, hi + pad
    elif width > MAP_MAX_ASPECT * height:
        pad = (width / MAP_MAX_ASPECT - height) / 2 / scale
        south, north = max(-90.0, south - pad), min(90.0, north + pad)
    if hi - lo > 300.0:
        lo, hi = lon0 - 180.0, lon0 + 180.0
    return lon0, (float(lo), float(hi)), (float(south), float(north))


def build_views(data: ReportData, n_bins: int = DISPLAY_BINS) -> Views:
    """Reduce a run to what the report draws (see the module docstring)."""
    table, summary, scenario = data.table, data.summary, data.scenario
    notes: list[str] = []
    term_codes, term_names = _categorical(table, "terminal")
    reason_codes, reason_names = _categorical(table, "reason")
    time_s = _float(table, "time_s")
    connected = table.column("connected").to_numpy(zero_copy_only=False).astype(bool)
    start = summary.get("start_utc")
    start_ms = datetime.fromisoformat(start).timestamp() * 1e3 if isinstance(start, str) else 0.0
    step_s = float(summary.get("step_s") or (np.diff(np.unique(time_s[:1000])).min(initial=1.0)))
    duration_s = float(time_s.max() - time_s.min() + step_s) if len(time_s) else 0.0
    merge_gap_s = duration_s / n_bins

    order_names = list(summary.get("terminals", {})) or term_names
    order_names = [n for n in order_names if n in term_names] + [
        n for n in term_names if n not in order_names
    ]
    order = np.lexsort((time_s, term_codes))
    bounds = np.searchsorted(term_codes[order], np.arange(len(term_names) + 1))
    columns = set(table.column_names)
    rtt = _float(table, "rtt_ms") if "rtt_ms" in columns else np.full(len(time_s), np.nan)
    rtt = np.where(connected, rtt, np.nan)
    extra_columns = [c for c in OPTIONAL_SERIES if c[0] in columns]
    extra_values = {c: np.where(connected, _float(table, c), np.nan) for c, _, _ in extra_columns}
    reasons_present = [
        r for k, r in enumerate(reason_names) if r and np.any((reason_codes == k) & ~connected)
    ]

    start_utc = datetime.fromtimestamp(start_ms / 1e3, UTC)
    verdicts: list[SiteVerdict] = []
    exit_codes, exit_names = _exit_columns(table)
    series: list[TerminalSeries] = []
    cdfs: dict[str, dict[str, tuple[NDArray, NDArray]]] = {"rtt_ms": {}}
    cdfs.update({c: {} for c, _, _ in extra_columns})
    for name in order_names:
        code = term_names.index(name)
        rows = order[bounds[code] : bounds[code + 1]]
        t = time_s[rows]
        t_rtt, v_rtt = minmax_decimate(t, rtt[rows], n_bins)
        extra = {}
        for c, _, _ in extra_columns:
            te, ve = minmax_decimate(t, extra_values[c][rows], n_bins)
            extra[c] = (start_ms + te * 1e3, ve)
            cdfs[c][name] = ecdf(extra_values[c][rows])
        outages = {}
        for r in reasons_present:
            mask = (reason_codes[rows] == reason_names.index(r)) & ~connected[rows]
            s0, s1 = runs_to_spans(t, mask, step_s, merge_gap_s)
            if len(s0):
                outages[r] = (start_ms + s0 * 1e3, start_ms + s1 * 1e3)
        series.append(TerminalSeries(name, start_ms + t_rtt * 1e3, v_rtt, extra, outages))
        verdicts.append(
            site_verdict(
                name,
                summary.get("terminals", {}).get(name, {}),
                _outages(t, ~connected[rows], reason_codes[rows], reason_names, step_s, start_utc),
                duration_s,
                _exits(exit_codes, exit_names, rows, connected),
            )
        )
        cdfs["rtt_ms"][name] = ecdf(rtt[rows])

    sites, routes = _sites(scenario, summary)
    if scenario is None:
        notes.append(f"The scenario is not available ({data.scenario_origin}): no map sites.")
    lon0, lon_range, lat_range = _extent(sites)
    geojson = json.loads(
        resources.files("lifeline.data")
        .joinpath("natural-earth-110m-countries.geojson")
        .read_text(encoding="utf-8")
    )
    outline_lon, outline_lat = outline_lonlat(geojson, lon_range, lat_range)
    snapshots = _snapshots(table, data.scenario, sites, time_s, start_ms)
    return Views(
        title=str(summary.get("scenario") or (scenario or {}).get("name") or data.out_dir.name),
        subtitle=_subtitle(summary),
        sites=sites,
        routes=routes,
        outline_lon=outline_lon,
        outline_lat=outline_lat,
        lon_range=lon_range,
        lat_range=lat_range,
        lon0_deg=lon0,
        snapshots=snapshots,
        series=series,
        cdfs=cdfs,
        extra_columns=extra_columns,
        reasons=reasons_present,
        table_rows=_table_rows(summary, order_names),
        notes=notes,
        verdicts=verdicts,
    )


def _exit_columns(table) -> tuple[NDArray | None, list[tuple[str, str]]]:
    """A code per row for its (gateway, PoP) pair, and the pairs; None without the columns."""
    if not {"gateway", "pop"} <= set(table.column_names):
        return None, []
    g_codes, g_names = _categorical(table, "gateway")
    p_codes, p_names = _categorical(table, "pop")
    pair = g_codes.astype(np.int64) * (len(p_names) + 1) + (p_codes + 1)
    ok = (g_codes >= 0) & (p_codes >= 0)
    uniq, codes = np.unique(np.where(ok, pair, -1), return_inverse=True)
    names = [
        (g_names[u // (len(p_names) + 1)], p_names[u % (len(p_names) + 1) - 1])
        if u >= 0
        else ("", "")
        for u in uniq.tolist()
    ]
    return codes, names


def _exits(
    codes: NDArray | None, names: list[tuple[str, str]], rows: NDArray, connected: NDArray
) -> list[tuple[str, str, float]]:
    """(gateway, PoP, share of the served steps) of one terminal, most used first."""
    if codes is None:
        return []
    served = rows[connected[rows]]
    if not len(served):
        return []
    counts = np.bincount(codes[served], minlength=len(names))
    order = np.argsort(-counts, kind="stable")
    return [(*names[k], float(counts[k] / len(served))) for k in order if counts[k] and names[k][0]]


def _outages(
    time_s: NDArray,
    down: NDArray,
    reason_codes: NDArray,
    reason_names: list[str],
    step_s: float,
    start_utc: datetime,
):
    """Every outage of one terminal (steps in time order), with the cause of most of its steps."""
    start_s, end_s = runs_to_spans(time_s, down, step_s)
    first = np.searchsorted(time_s, start_s)
    last = np.searchsorted(time_s, end_s - step_s / 2)
    causes = []
    for a, b in zip(first.tolist(), last.tolist(), strict=True):
        codes = reason_codes[a : b + 1]
        codes = codes[codes >= 0]
        causes.append(reason_names[int(np.bincount(codes).argmax())] if len(codes) else "")
    return outages_from_spans(start_s, end_s, causes, start_utc)


def _subtitle(summary: dict) -> str:
    parts = []
    if "start_utc" in summary and "end_utc" in summary:
        parts.append(f"{summary['start_utc']} to {summary['end_utc']}")
    if "step_s" in summary:
        parts.append(f"step {summary['step_s']:g} s")
    lasers = (summary.get("assumptions") or {}).get("lasers")
    if lasers:  # says which laser assumption the run makes, what-if included
        parts.append(lasers)
    elif "isl" in summary:
        parts.append("laser inter-satellite links" if summary["isl"] else "bent pipe (no ISLs)")
    access = (summary.get("assumptions") or {}).get("access_delay")
    if access:
        parts.append(f"access delay: {access}")
    if "n_satellites" in summary:
        parts.append(f"{summary['n_satellites']} satellites")
    return "; ".join(parts)


def _table_rows(summary: dict, names: list[str]) -> list[dict]:
    """One row per terminal; the RTT's mean parts (space, ground, access) as their own
    columns, beside the mean they add up to."""
    terminals = summary.get("terminals", {})
    rows = []
    for n in names:
        row = {"terminal": n, **terminals.get(n, {})}
        for part, value in (row.pop("rtt_parts_ms_mean", None) or {}).items():
            row[f"rtt_{part}_ms_mean"] = value
        row.pop("rtt_parts_ms_p50", None)
        rows.append(row)
    return rows


def _snapshots(
    table, scenario: dict | None, sites: list[Site], time_s: NDArray, start_ms: float
) -> list[MapSnapshot]:
    """Serving satellite and path of every terminal at :data:`MAP_SNAPSHOTS` instants."""
    need = {"satellite", "elevation_deg", "azimuth_deg", "range_km"}
    times = np.unique(time_s)
    if len(times) == 0:
        return []
    pick = times[np.unique(np.linspace(0, len(times) - 1, MAP_SNAPSHOTS).round().astype(int))]
    at = np.isin(time_s, pick)
    terminals = {s.name: s for s in sites if s.kind == "terminal"}
    alt = {
        t.get("name"): float(t.get("alt_m", 0.0) or 0.0)
        for t in _points((scenario or {}).get("terminals"))
    }
    snaps = {float(t): MapSnapshot(start_ms + float(t) * 1e3) for t in pick}
    if not need <= set(table.column_names) or not terminals:
        return list(snaps.values())
    sub = table.filter(at)
    codes, names = _categorical(sub, "terminal")
    sat_codes, sat_names = _categorical(sub, "satellite")
    cols = {c: _float(sub, c) for c in ("elevation_deg", "azimuth_deg", "range_km", "time_s")}
    optional = {}
    for c in ("gateway", "pop"):
        if c in sub.column_names:
            optional[c] = _categorical(sub, c)
    hops = _float(sub, "isl_hops") if "isl_hops" in sub.column_names else None
    rtt = _float(sub, "rtt_ms") if "rtt_ms" in sub.column_names else None
    ok = sub.column("connected").to_numpy(zero_copy_only=False).astype(bool)
    name = np.array(names, dtype=object)[codes]
    lat = np.array([terminals[n].lat_deg if n in terminals else np.nan for n in name])
    lon = np.array([terminals[n].lon_deg if n in terminals else np.nan for n in name])
    alt_m = np.array([alt.get(n, 0.0) for n in name])
    slon, slat = subsatellite_lonlat(
        lat, lon, alt_m, cols["azimuth_deg"], cols["elevation_deg"], cols["range_km"]
    )
    for i in np.flatnonzero(ok & np.isfinite(slon) & (sat_codes >= 0)):
        link = {
            "terminal": name[i],
            "satellite": sat_names[sat_codes[i]],
            "sat_lon": float(slon[i]),
            "sat_lat": float(slat[i]),
            "elevation_deg": float(cols["elevation_deg"][i]),
        }
        for c, (cc, cn) in optional.items():
            link[c] = cn[cc[i]] if cc[i] >= 0 else None
        if hops is not None and np.isfinite(hops[i]):
            link["isl_hops"] = int(hops[i])
        if rtt is not None and np.isfinite(rtt[i]):
            link["rtt_ms"] = float(rtt[i])
        snaps[float(cols["time_s"][i])].links.append(link)
    return list(snaps.values())
