"""``lifeline data fetch`` against a local HTTP server (never the network): the cache files,
their sidecar, atomicity on a bad answer, OMM/JSON, and ``cache:`` names."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lifeline.cli import app
from lifeline.errors import InputFileError
from lifeline.io.celestrak import (
    FetchError,
    default_cache_dir,
    fetch_gp,
    gp_url,
    read_sidecar,
    resolve_cached,
)
from lifeline.io.tle import parse_tle

# The first three satellites of the shipped 2022-08-17 snapshot (lifeline/data/PROVENANCE.md).
SNAPSHOT = Path(str(files("lifeline.data").joinpath("starlink-2022-08-17.tle")))
THREE = "".join(SNAPSHOT.read_text().splitlines(keepends=True)[:9])


def _omm_records() -> str:
    from sgp4 import exporter

    tles = parse_tle(THREE, "three")
    return json.dumps(
        [exporter.export_omm(s, n) for s, n in zip(tles.satrecs, tles.names, strict=True)]
    )


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status, body = self.routes.get(self.path, (404, b"not here"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def server():
    _Handler.routes = {
        "/gp.tle": (200, THREE.encode()),
        "/gp.json": (200, _omm_records().encode()),
        "/broken": (200, b"STARLINK-1\n1 garbage\n2 garbage\n"),
        "/down": (503, b"busy"),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


NOW = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)


def test_fetch_writes_dated_and_latest_with_sidecar(server, tmp_path):
    got = fetch_gp("starlink", cache_dir=tmp_path, url=f"{server}/gp.tle", now=NOW)
    assert got.path == tmp_path / "starlink-2026-12-07.tle"
    assert got.latest == tmp_path / "starlink-latest.tle"
    assert got.latest.read_text() == THREE
    meta = read_sidecar(got.latest)
    assert meta == read_sidecar(got.path)
    assert meta["source_url"] == f"{server}/gp.tle"
    assert meta["fetched_utc"] == "2026-12-07T21:00:00Z"
    assert meta["n_satellites"] == 3
    # The three records' epochs are on 2022-08-16/17 (PROVENANCE.md: every epoch of the file
    # lies between 2022-08-16 02:02 and 2022-08-17 16:00 UTC).
    assert "2022-08-16" <= meta["epoch_min_utc"] <= meta["epoch_max_utc"] < "2022-08-18"
    assert resolve_cached("starlink-latest", tmp_path) == got.latest
    assert not list(tmp_path.glob("*.tmp"))


def test_omm_json_gives_the_same_elements(server, tmp_path):
    got = fetch_gp("starlink", cache_dir=tmp_path, url=f"{server}/gp.json", fmt="omm", now=NOW)
    a, b = parse_tle(THREE, "tle"), parse_tle(got.latest.read_text(), "omm")
    assert a.names == b.names
    assert list(a.catalog) == list(b.catalog)
    assert a.intl_designator == b.intl_designator
    for x, y in zip(a.satrecs, b.satrecs, strict=True):
        # OMM carries the elements the TLE has; the TLE columns round them the same way.
        assert x.inclo == pytest.approx(y.inclo, abs=1e-8)
        assert x.no_kozai == pytest.approx(y.no_kozai, rel=1e-9)
        assert x.ecco == pytest.approx(y.ecco, abs=1e-7)


@pytest.mark.parametrize(("path", "reason"), [("/broken", "not TLE"), ("/down", "HTTP 503")])
def test_a_bad_answer_leaves_the_cache_alone(server, tmp_path, path, reason):
    fetch_gp("starlink", cache_dir=tmp_path, url=f"{server}/gp.tle", now=NOW)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(FetchError, match=reason):
        fetch_gp("starlink", cache_dir=tmp_path, url=f"{server}{path}", now=NOW)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_unreachable_server_is_one_clear_error(tmp_path):
    # Port 9 (discard) on the loopback: nothing listens, the connection is refused at once.
    with pytest.raises(FetchError, match="could not download"):
        fetch_gp("starlink", cache_dir=tmp_path, url="http://127.0.0.1:9/gp", timeout_s=5)


def test_cli_fetch_and_list(server, tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["data", "fetch", "starlink", "--url", f"{server}/gp.tle", "--cache-dir", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert "3 satellites" in result.output
    assert 'tle_file = "cache:starlink-latest"' in result.output
    listed = runner.invoke(app, ["data", "list", "--cache-dir", str(tmp_path)])
    assert "builtin:starlink-2022-08-17" in listed.output
    assert "cache:starlink-latest  3 satellites" in listed.output
    bad = runner.invoke(
        app, ["data", "fetch", "--url", f"{server}/down", "--cache-dir", str(tmp_path)]
    )
    assert bad.exit_code == 2
    assert "HTTP 503" in bad.output
    assert "Traceback" not in bad.output


def test_missing_cache_entry_says_how_to_fetch(tmp_path):
    with pytest.raises(InputFileError, match="lifeline data fetch starlink"):
        resolve_cached("starlink-latest", tmp_path)


def test_cache_dir_follows_xdg(tmp_path):
    assert default_cache_dir({"LIFELINE_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert default_cache_dir({"XDG_CACHE_HOME": "/x/cache"}) == Path("/x/cache/lifeline")
    # XDG Base Directory Specification: a relative value is ignored.
    assert default_cache_dir({"XDG_CACHE_HOME": "rel"}) == Path.home() / ".cache" / "lifeline"
    assert gp_url("starlink") == (
        "https://celestrak.org/NORAD/elements/gp.php?GROUP=starlink&FORMAT=tle"
    )
