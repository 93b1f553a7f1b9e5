"""The report in a real browser: headless Chromium, network blocked, driven over DevTools.

Chromium (Debian's ``chromium``; ``.ci/run`` installs it) is driven through the DevTools
protocol on a pipe (``--remote-debugging-pipe``: file descriptors 3 and 4, messages ended by a
NUL byte), so no WebSocket client and no browser download are needed. The network is blocked
three ways: host names resolve nowhere, every request goes to a dead proxy, and the page's own
Content-Security-Policy forbids fetching; on top of that every request the page *starts* is
recorded from ``Network.requestWillBeSent``, and any not for the report file itself fails the
test. The run is a 10-minute window of the default preset with a terminal named
``<script>alert(1)</script>`` and a gateway marked down.
"""

from __future__ import annotations

import base64
import fcntl
import io
import json
import math
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from lifeline.geo import great_circle_km
from tests.helpers import DATA

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,  # a real run and a browser: outside the quick loop `pytest -m "not slow"`
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium not installed (Debian: apt-get install chromium; .ci/run does it)",
    ),
]

XSS = "<script>alert(1)</script>"
VIEWPORT = (1280, 900)


class Browser:
    """Headless Chromium on a DevTools pipe with one page; collects console errors, requests
    and dialogs as they come."""

    def __init__(self, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def pipe_fds() -> None:
            # In the child: Chromium reads commands on fd 3 and writes replies on fd 4. Copy
            # both ends above 9 first, so the two dup2 calls cannot overwrite one another.
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome_r, from_chrome_w)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--remote-debugging-pipe",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--proxy-server=127.0.0.1:9",
                f"--user-data-dir={profile}",
                f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
                "about:blank",
            ],
            preexec_fn=pipe_fds,
            close_fds=False,  # keep 3 and 4 (Python's own descriptors are not inherited)
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=VIEWPORT[0],
            height=VIEWPORT[1],
            deviceScaleFactor=1,
            mobile=False,
        )

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("no DevTools message from Chromium in time")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: bool = False, timeout_s: float = 20.0, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout_s
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, expression: str, timeout_s: float = 20.0) -> object:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"{expression} stayed false for {timeout_s} s")

    def evaluate(self, expression: str) -> object:
        result = self.call(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, selector: str) -> bytes:
        """PNG of the element's box."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return [r.left + window.scrollX, r.top + window.scrollY,"
            " r.width, r.height]; })()"
        )
        x, y, w, h = box
        clip = {"x": x, "y": y, "width": w, "height": h, "scale": 1}
        shot = self.call(
            "Page.captureScreenshot", session=True, clip=clip, captureBeyondViewport=True
        )
        return base64.b64decode(shot["data"])

    def events_named(self, method: str) -> list[dict]:
        return [e["params"] for e in self.events if e.get("method") == method]

    def console_errors(self) -> list[str]:
        errors = [
            json.dumps(p["args"])[:300]
            for p in self.events_named("Runtime.consoleAPICalled")
            if p["type"] in ("error", "assert")
        ]
        errors += [
            p["exceptionDetails"].get("text", "") + json.dumps(p["exceptionDetails"])[:300]
            for p in self.events_named("Runtime.exceptionThrown")
        ]
        errors += [
            p["entry"]["text"]
            for p in self.events_named("Log.entryAdded")
            if p["entry"]["level"] == "error"
        ]
        return errors

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout_s=5)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


def open_report(browser: Browser, path: Path) -> None:
    """Load the report and wait until every Plotly figure has been drawn."""
    browser.call("Page.navigate", session=True, url=path.resolve().as_uri())
    n = browser.wait_for("document.body && document.body.getAttribute('data-rendered')")
    assert int(n) == browser.evaluate("document.querySelectorAll('[data-figure]').length")


SHORT_SCENARIO = """
extends = "mariupol-2022"
name = "browser-test"
[time]
duration_s = 600   # 10 minutes: the run takes ~3 s
[[terminals]]
name = "Azovstal"
lat_deg = 47.098
lon_deg = 37.610
[[terminals]]
name = "<script>alert(1)</script>"
lat_deg = 50.45
lon_deg = 30.5233
[[gateways]]
name = "Muallim"
lat_deg = 40.78875
lon_deg = 29.50939
live = false
[[gateways]]
name = "Kaunas"
lat_deg = 54.87947
lon_deg = 23.84173
[[gateways]]
name = "Frankfurt"
lat_deg = 50.3298
lon_deg = 8.47082
"""


def _run_and_open(scenario, folder):
    """Run `scenario` with the CLI into ``folder/out`` and yield (browser, out) with its report
    open; the browser closes afterwards."""
    from typer.testing import CliRunner

    from lifeline.cli import app

    out = folder / "out"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    browser = Browser(folder / "profile")
    try:
        open_report(browser, out / "report.html")
        yield browser, out
    finally:
        browser.close()


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The short run's report, open in Chromium (one browser for the module's tests)."""
    folder = tmp_path_factory.mktemp("browser")
    scenario = folder / "short.toml"
    scenario.write_text(SHORT_SCENARIO)
    yield from _run_and_open(scenario, folder)


def test_no_console_errors(page):
    browser, _ = page
    assert browser.console_errors() == []


def test_no_network_requests(page):
    browser, out = page
    urls = [p["request"]["url"] for p in browser.events_named("Network.requestWillBeSent")]
    assert urls == [(out / "report.html").resolve().as_uri()]


def _busy_pixels(png: bytes) -> float:
    """Share of pixels that differ from the image's most common colour (its background)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    counts = image.getcolors(maxcolors=1 << 24)
    background = max(counts)[0]
    return 1.0 - background / (image.width * image.height)


@pytest.mark.parametrize(
    "selector", ["#fig-map", "#fig-series-0", "#fig-series-1", "#fig-cdf-rtt_ms"]
)
def test_figure_is_drawn(page, selector):
    browser, _ = page
    png = browser.screenshot(selector)
    # A drawn plot has axes, grid, lines and labels: well over 2 % of its box is not
    # background (an empty div is 0 %; Plotly's empty axes alone are about 1 %).
    assert _busy_pixels(png) > 0.02
    n_traces = browser.evaluate(f"document.querySelector({json.dumps(selector)}).data.length")
    assert n_traces >= 1


def test_map_has_sites_satellites_and_paths(page):
    browser, _ = page
    names = browser.evaluate(
        "document.querySelector('#fig-map').data.filter(t => t.visible !== false).map(t => t.name)"
    )
    for name in ("Terminals", "Gateways (live)", "Gateways (down)", "PoPs"):
        assert name in names
    assert any(n.startswith("Serving satellites") for n in names)
    assert any(n.startswith("Paths") for n in names)


def test_site_tables_fit_the_page(page):
    # The per-site figures are split into narrow tables so none needs a horizontal scroll bar.
    browser, _ = page
    overflow = browser.evaluate(
        "Array.from(document.querySelectorAll('.table-wrap'))"
        ".map(w => w.scrollWidth - w.clientWidth)"
    )
    assert len(overflow) >= 3  # service, round trip, throughput (and the outage timetables)
    assert max(overflow) <= 0


def test_script_in_a_terminal_name_is_shown_as_text(page):
    browser, _ = page
    assert browser.events_named("Page.javascriptDialogOpening") == []
    cells = browser.evaluate("[...document.querySelectorAll('td')].map(td => td.textContent)")
    assert XSS in cells
    svg_text = browser.evaluate(
        "[...document.querySelectorAll('#fig-map text')].map(t => t.textContent)"
    )
    assert XSS in svg_text
    # The only scripts that run are the Plotly bundle and the loader; the name sits in the
    # JSON data blocks, escaped.
    running = browser.evaluate(
        "[...document.scripts].filter(s => !s.type && s.textContent.includes('alert(1)')).length"
    )
    assert running == 0


# ----------------------------------------------------------------------------------------------
# The dateline: a site across ±180° from its gateways (Tonga → Suva → Auckland). Before the fix
# Tonga's paths were drawn 353° the wrong way round, across three continents.
# ----------------------------------------------------------------------------------------------

FIXTURE = DATA / "tonga-2022.toml"
R_KM = 6371.0088  # lifeline.geo's mean radius


@pytest.fixture(scope="module")
def tonga(tmp_path_factory):
    yield from _run_and_open(FIXTURE, tmp_path_factory.mktemp("tonga"))


@pytest.mark.slow
def test_dateline_map_is_drawn_and_centred_on_the_sites(tonga):
    browser, _ = tonga
    assert browser.console_errors() == []
    assert _busy_pixels(browser.screenshot("#fig-map")) > 0.02
    x_range = browser.evaluate("document.querySelector('#fig-map').layout.xaxis.range")
    # Centred across 180°: Nuku'alofa at 184.8° (= -175.2°) and Suva at 178.5° both inside a
    # window narrower than 40°, not at the two ends of a -180..180 map.
    assert x_range[1] - x_range[0] < 40
    for lon in (184.8, 178.47, 174.75):
        assert x_range[0] < lon < x_range[1]
    ticks = browser.evaluate("document.querySelector('#fig-map').layout.xaxis.ticktext")
    assert "180°" in ticks and any(t.endswith("W") for t in ticks)


@pytest.mark.slow
def test_dateline_no_path_step_longer_than_the_great_circle(tonga):
    browser, _ = tonga
    traces = browser.evaluate(
        "document.querySelector('#fig-map').data"
        ".filter(t => (t.name || '').startsWith('Paths')).map(t => [t.x, t.y])"
    )
    steps = 0
    for xs, ys in traces:
        for x0, y0, x1, y1 in zip(xs[:-1], ys[:-1], xs[1:], ys[1:], strict=True):
            if None in (x0, y0, x1, y1):
                continue
            steps += 1
            gc_deg = math.degrees(float(great_circle_km(y0, x0, y1, x1)) / R_KM)
            # The drawn step on the equirectangular map, scaled at its middle latitude: at
            # these distances (< 2,500 km) it is within a few % of the great circle when drawn
            # the short way; the long way round would be ~340° of longitude.
            mid = math.radians((y0 + y1) / 2)
            drawn_deg = math.hypot((x1 - x0) * math.cos(mid), y1 - y0)
            assert abs(x1 - x0) <= 180.0
            assert drawn_deg <= 1.05 * gc_deg + 0.5, (x0, y0, x1, y1)
    assert steps > 0  # the 10 minutes have served steps with paths drawn


@pytest.mark.slow
def test_verdict_leads_the_page(tonga):
    browser, _ = tonga
    first_heading = browser.evaluate("document.querySelector('h2').textContent")
    assert first_heading == "Verdict"
    text = browser.evaluate("document.querySelector('#verdict').textContent")
    assert "Nukualofa" in text and "Served" in text
    assert "Longest gap" in text or "No gap in service" in text
