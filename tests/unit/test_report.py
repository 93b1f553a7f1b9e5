"""The report without a browser: display reductions, the page's content and escaping, PNGs,
the CLI. Runs use a hand-made run folder (no engine), so the expected numbers follow from the
table written here; tests/integration/test_report_browser.py opens a real run's report in
Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from lifeline.cli import app
from lifeline.errors import InputFileError
from lifeline.geo import geodetic_to_ecef_km, look_angles
from lifeline.report import build_report, load_report_data
from lifeline.report.prepare import (
    build_views,
    ecdf,
    minmax_decimate,
    runs_to_spans,
    subsatellite_lonlat,
)

XSS = "<script>alert(1)</script>"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_minmax_decimate_keeps_each_bins_extremes():
    t = np.arange(10_000.0)
    v = np.sin(t / 300.0)
    v[1234] = 50.0  # a one-step spike must survive the reduction
    v[5000:5100] = np.nan  # a gap (disconnected) stays a gap
    tt, vv = minmax_decimate(t, v, 100)
    assert len(tt) <= 200
    assert np.all(np.diff(tt) > 0)
    assert 50.0 in vv
    assert np.nanmin(vv) == np.nanmin(v)
    assert np.isnan(vv).any()


def test_minmax_decimate_leaves_short_series_alone():
    t, v = np.arange(5.0), np.array([1.0, np.nan, 3.0, 2.0, 0.0])
    tt, vv = minmax_decimate(t, v, 100)
    np.testing.assert_array_equal(tt, t)
    np.testing.assert_array_equal(vv, v)


def test_runs_to_spans_and_merging():
    t = np.arange(10.0)
    mask = np.array([0, 1, 1, 0, 1, 0, 0, 0, 1, 1], dtype=bool)
    start, end = runs_to_spans(t, mask, step_s=1.0)
    np.testing.assert_array_equal(start, [1, 4, 8])
    np.testing.assert_array_equal(end, [3, 5, 10])  # a run of steps i..j ends at t[j] + step
    start, end = runs_to_spans(t, mask, step_s=1.0, merge_gap_s=2.0)
    np.testing.assert_array_equal(start, [1, 8])  # the 1-s gap at 3..4 is joined
    np.testing.assert_array_equal(end, [5, 10])


def test_ecdf_exact_for_few_values_and_quantiles_for_many():
    x, p = ecdf([3.0, np.nan, 1.0, 2.0])
    np.testing.assert_array_equal(x, [1, 2, 3])
    np.testing.assert_allclose(p, [1 / 3, 2 / 3, 1])
    x, p = ecdf(np.arange(100_001.0), n_points=11)
    np.testing.assert_allclose(x, np.linspace(0, 100_000, 11))
    assert ecdf([np.nan])[0].size == 0


@pytest.mark.parametrize(
    ("lat", "lon", "sat_lat", "sat_lon"),
    [(47.098, 37.61, 46.5, 39.3), (50.45, 30.52, 52.0, 25.0), (-33.9, 151.2, -30.0, 150.0)],
)
def test_subsatellite_point_inverts_look_angles(lat, lon, sat_lat, sat_lon):
    # A satellite 550 km above a known point, seen through lifeline.geo.look_angles, must map
    # back to that point. Geocentric vs geodetic latitude differ by <= 0.193 deg for WGS84
    # (max at 45 deg: f * sin(2*phi) ~ 0.00335 rad), hence the latitude tolerance.
    site = geodetic_to_ecef_km(lat, lon, 0.0)
    sat = geodetic_to_ecef_km(sat_lat, sat_lon, 550e3)
    el, az, rng = look_angles(lat, lon, site, sat)
    got_lon, got_lat = subsatellite_lonlat(lat, lon, 0.0, az, el, rng)
    assert got_lon == pytest.approx(sat_lon, abs=1e-9)
    assert got_lat == pytest.approx(sat_lat, abs=0.2)


# ----------------------------------------------------------------------------------------------
# A hand-made run folder: 2 terminals x 7200 s at 1 s, with outages of two causes and a
# throughput columns (as the radio layer adds), a jammer and a route in the scenario.
# ----------------------------------------------------------------------------------------------

N = 7200
NAMES = ["Azovstal", XSS]


def _dictionary(values: list) -> pa.DictionaryArray:
    return pa.array(values, type=pa.string()).dictionary_encode()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run")
    t = np.arange(N, dtype=float)
    rows = {k: [] for k in ("time_s", "terminal", "connected", "reason", "satellite")}
    numeric = {k: [] for k in ("elevation_deg", "azimuth_deg", "range_km", "rtt_ms")}
    extra = {
        "throughput_down_mbps": [], "throughput_up_mbps": [], "isl_hops": [], "gateway": [],
        "pop": [],
    }  # fmt: skip
    connected = {
        NAMES[0]: ~((t >= 1000) & (t < 1300)),  # 300 s no_satellite
        NAMES[1]: ~(((t >= 2000) & (t < 2060)) | ((t >= 5000) & (t < 5010))),
    }
    reason = {
        NAMES[0]: np.where(connected[NAMES[0]], "", "no_satellite"),
        NAMES[1]: np.where(
            connected[NAMES[1]], "", np.where(t < 3000, "no_gateway_path", "jammed")
        ),
    }
    for i in range(N):
        for name in NAMES:
            c = bool(connected[name][i])
            rows["time_s"].append(t[i])
            rows["terminal"].append(name)
            rows["connected"].append(c)
            rows["reason"].append(str(reason[name][i]))
            rows["satellite"].append(f"SAT-{i // 60}" if c else None)
            numeric["elevation_deg"].append(60.0 if c else np.nan)
            numeric["azimuth_deg"].append(180.0 if c else np.nan)
            numeric["range_km"].append(630.0 if c else np.nan)
            numeric["rtt_ms"].append(30.0 + 10 * np.sin(i / 100) if c else np.nan)
            extra["throughput_down_mbps"].append(100.0 + 20 * np.sin(i / 50) if c else np.nan)
            extra["throughput_up_mbps"].append(15.0 if c else np.nan)
            extra["isl_hops"].append(1 if c else None)
            extra["gateway"].append("GW <b>1</b>" if c else None)
            extra["pop"].append("PoP & co" if c else None)
    table = pa.table(
        {
            "time_s": pa.array(rows["time_s"]),
            "terminal": _dictionary(rows["terminal"]),
            "connected": pa.array(rows["connected"]),
            "reason": _dictionary(rows["reason"]),
            "satellite": _dictionary(rows["satellite"]),
            **{k: pa.array(v) for k, v in numeric.items()},
            "isl_hops": pa.array(extra["isl_hops"], type=pa.int16()),
            "gateway": _dictionary(extra["gateway"]),
            "pop": _dictionary(extra["pop"]),
            "throughput_down_mbps": pa.array(extra["throughput_down_mbps"]),
            "throughput_up_mbps": pa.array(extra["throughput_up_mbps"]),
        }
    )
    pq.write_table(table, out / "terminals.parquet")
    summary = {
        "scenario": "hand-made",
        "start_utc": "2022-05-11T00:00:00+00:00",
        "end_utc": "2022-05-11T02:00:00+00:00",
        "step_s": 1.0,
        "isl": True,
        "terminals": {
            NAMES[0]: {"availability_pct": 100 * (1 - 300 / N), "outages": 1,
                       "outage_s_by_reason": {"no_satellite": 300.0},
                       "throughput_down_mbps_p50": 100.0},
            NAMES[1]: {"availability_pct": 100 * (1 - 70 / N), "outages": 2,
                       "outage_s_by_reason": {"no_gateway_path": 60.0, "jammed": 10.0},
                       "throughput_down_mbps_p50": 100.0},
        },
        "events": [{"kind": "ground_loss", "start_s": 0.0, "end_s": 600.0,
                    "gateways": ["Hit GW"], "pops": []}],
    }  # fmt: skip
    (out / "summary.json").write_text(json.dumps(summary))
    scenario = {
        "name": "hand-made",
        "description": "A </pre> test & more",
        "terminals": [
            {"name": NAMES[0], "lat_deg": 47.098, "lon_deg": 37.61,
             "waypoints": [{"time_s": 3600.0, "lat_deg": 47.85, "lon_deg": 35.1}]},
            {"name": NAMES[1], "lat_deg": 50.45, "lon_deg": 30.52},
        ],
        "gateways": [
            {"name": "GW <b>1</b>", "lat_deg": 51.86, "lon_deg": 20.92, "live": True},
            {"name": "Down GW", "lat_deg": 54.88, "lon_deg": 23.84, "live": False},
            {"name": "Hit GW", "lat_deg": 40.79, "lon_deg": 29.51, "live": True},
        ],
        "pops": [{"name": "PoP & co", "lat_deg": 50.12, "lon_deg": 8.68}],
        "jammers": [{"name": "J1", "lat_deg": 47.3, "lon_deg": 38.0}],
    }  # fmt: skip
    (out / "scenario.json").write_text(json.dumps(scenario))
    return out


def test_views_of_the_hand_made_run(run_dir):
    v = build_views(load_report_data(run_dir))
    assert [s.name for s in v.series] == NAMES
    assert set(v.reasons) == {"no_satellite", "no_gateway_path", "jammed"}
    start_ms = 1652227200000.0  # 2022-05-11T00:00:00Z in ms since the Unix epoch
    # Outage spans from the table above: [1000, 1300) s for Azovstal.
    a, b = v.series[0].outages["no_satellite"]
    np.testing.assert_array_equal(a, [start_ms + 1000e3])
    np.testing.assert_array_equal(b, [start_ms + 1300e3])
    assert set(v.series[1].outages) == {"no_gateway_path", "jammed"}
    assert [c for c, _, _ in v.extra_columns] == ["throughput_down_mbps", "throughput_up_mbps"]
    assert {s.kind for s in v.sites} == {"terminal", "gateway", "gateway_down", "pop", "jammer"}
    assert [r[0] for r in v.routes] == [NAMES[0]]  # the waypoint route of a moving terminal
    down = {s.name: s.detail for s in v.sites if s.kind == "gateway_down"}
    assert down == {"Down GW": "down", "Hit GW": "down during an event"}
    assert len(v.snapshots) == 48
    first = v.snapshots[0].links[0]
    assert first["gateway"] == "GW <b>1</b>" and first["isl_hops"] == 1


def test_page_is_self_contained_and_escaped(run_dir, tmp_path):
    path = build_report(run_dir, tmp_path / "r.html")
    page = path.read_text(encoding="utf-8")
    assert page.count(get_plotlyjs()) == 1  # Plotly inline, once
    page = page.replace(get_plotlyjs(), "")  # (its code has URLs in strings it never fetches)
    assert XSS not in page  # shown escaped in the table and as JSON escapes in figures
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "A &lt;/pre&gt; test &amp; more" in page
    # Nothing to fetch: no external script, stylesheet or image.
    for attribute in ("src=", "href=", "@import", "url("):
        assert attribute + "'http" not in page and attribute + '"http' not in page
    # Map; one series per terminal (RTT, download and upload); RTT, down and up distributions.
    assert page.count("data-figure=") == 1 + 2 + 3
    # One naming style in the table: names with units, no raw summary keys as column heads.
    assert "Lost to jamming [s]</th>" in page and "Down typical [Mbit/s]</th>" in page
    assert "throughput_down_mbps_p50</th>" not in page
    assert "time_to_first_service_s</th>" not in page
    assert path.stat().st_size < 8e6


def test_report_without_a_scenario_says_so(run_dir, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    for name in ("terminals.parquet", "summary.json"):
        (folder / name).write_bytes((run_dir / name).read_bytes())
    page = build_report(folder).read_text(encoding="utf-8")
    assert "The scenario is not available" in page
    assert "id='fig-map'" not in page


def test_missing_run_files_are_clean_errors(tmp_path):
    with pytest.raises(InputFileError, match="terminals.parquet"):
        load_report_data(tmp_path)
    pq.write_table(pa.table({"time_s": [0.0]}), tmp_path / "terminals.parquet")
    (tmp_path / "summary.json").write_text("{}")
    with pytest.raises(InputFileError, match="missing columns = 'terminal, connected, reason'"):
        load_report_data(tmp_path)


def test_cli_report(run_dir, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    for name in ("terminals.parquet", "summary.json", "scenario.json"):
        (folder / name).write_bytes((run_dir / name).read_bytes())
    result = CliRunner().invoke(app, ["report", str(folder), "--png"])
    assert result.exit_code == 0, result.output
    assert f"wrote {folder / 'report.html'}" in result.output
    for name in ("map.png", "timeseries.png", "cdf.png"):
        png = folder / "figures" / name
        assert f"wrote {png}" in result.output
        assert png.read_bytes()[:8] == PNG_SIGNATURE
        assert png.stat().st_size > 20_000  # drawn figures, not blank canvases
    missing = CliRunner().invoke(app, ["report", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2
    assert "terminals.parquet" in missing.output and "Traceback" not in missing.output


def test_png_map_labels_never_overlap():
    # Five sites within 0.05 deg of each other (a gateway beside its PoP, a city's terminals):
    # the names that fit are placed apart, the others dropped, none printed over another.
    from matplotlib.figure import Figure

    from lifeline.report.png import _labels
    from lifeline.report.prepare import Site

    fig = Figure(figsize=(4, 4))
    ax = fig.add_subplot()
    ax.set_xlim(170, 190)
    ax.set_ylim(-40, -15)
    kinds = ["terminal", "terminal", "gateway", "pop", "gateway"]
    sites = [Site(f"site number {k}", 180 + 0.01 * k, -20.0, kind) for k, kind in enumerate(kinds)]
    _labels(fig, ax, sites)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert 2 <= len(boxes) <= 5
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert {t.get_text() for t in ax.texts} >= {"site number 0", "site number 1"}  # terminals first
