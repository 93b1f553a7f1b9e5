"""Hypatia-format inputs in a scenario: ``constellation.hypatia_tle_file``,
``network.isl_file`` and ``ground_stations_file``.

The pair RTTs of such a scenario are compared with Hypatia's published values and with
``lifeline hypatia`` on the same folder. The two differ in conventions, not inputs: a scenario
runs in lifeline's (SGP4 positions, GMST 1982 at UT1, WGS84 stations), ``lifeline hypatia`` and
Hypatia in libastro's (:mod:`lifeline.orbits.libastro`), so RTTs agree within a bound derived
below from those differences, and paths agree except at a step where a link crosses the range
limit at slightly different times.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from lifeline.cli import app
from lifeline.config import load_scenario, resolved_dict, scenario_from_dict
from lifeline.constants import C_KM_S, WGS84_A_KM
from lifeline.engine import SharedInputs, build_constellation, scenario_isl_edges, shared_key
from lifeline.io.hypatia import write_network_dir
from lifeline.links.isl import plus_grid
from lifeline.orbits.hypatia_paper import write_paper_network
from lifeline.orbits.libastro import libastro_gmst_rad
from lifeline.orbits.presets import HYPATIA_EPOCH_UTC
from lifeline.orbits.walker import hypatia_tle_lines
from lifeline.pairmode import run_scenario_pairs
from lifeline.time import earth_rotation_angle, sgp4_jd
from tests.helpers import write_text
from tests.reference.authorities import manila_dalian, paris_moscow

# Hypatia's Kuiper-630 setting (paper/satellite_networks_state/main_kuiper_630.py): 34 x 34
# satellites, GSLs up to the 30 deg elevation cone at 630 km, ISLs grazing 80 km over a
# 6,378.135 km Earth.
_ALT_M, _R_M = 630_000.0, 6_378_135.0
KUIPER_MAX_GSL_M = math.hypot(_ALT_M / math.tan(math.radians(30.0)), _ALT_M)
KUIPER_MAX_ISL_M = 2 * math.sqrt((_R_M + _ALT_M) ** 2 - (_R_M + 80_000.0) ** 2)
MANILA, DALIAN, PARIS, MOSCOW = 17, 85, 24, 21  # ids in hypatia-ground-stations-top100.txt


def _cities_text() -> str:
    cities = resources.files("lifeline.data").joinpath("hypatia-ground-stations-top100.txt")
    return cities.read_text()


@pytest.fixture(scope="module")
def kuiper_dir(tmp_path_factory) -> Path:
    """Kuiper-630, +Grid (isl_shift 0), 100 cities: Hypatia's paper setting."""
    return write_paper_network(tmp_path_factory.mktemp("kuiper_630"), "kuiper-630")


def _kuiper_scenario(folder: Path, step_s: float, duration_s: float) -> str:
    """A scenario on the Hypatia folder with Hypatia's link rules: range only (a 0 deg mask
    never binds inside the 30 deg cone), ISLs up to max_isl_length_m, time 0 = TLE epoch."""
    return f"""\
name = "kuiper-630-hypatia"
ground_stations_file = "{folder}/ground_stations.txt"
pairs = [{{src = "Manila", dst = "Dalian"}}, {{src = "Paris", dst = "Moskva-(Moscow)"}}]
[time]
start_utc = 2000-01-01T00:00:00Z
duration_s = {duration_s}
step_s = {step_s}
slot_s = {step_s}
[constellation]
hypatia_tle_file = "{folder}/tles.txt"
[network]
isl_file = "{folder}/isls.txt"
min_elevation_deg = 0
gsl_max_range_km = {KUIPER_MAX_GSL_M / 1e3}
isl_max_range_km = {KUIPER_MAX_ISL_M / 1e3}
[[gateways]]
name = "G"
lat_deg = 48.0
lon_deg = 2.0
[[pops]]
name = "P"
lat_deg = 48.0
lon_deg = 2.0
"""


def _small_dir(folder: Path, n_orbits: int = 3, per_orbit: int = 4) -> Path:
    """A small Hypatia folder: n_orbits x per_orbit satellites, +Grid, Quito and Nairobi."""
    records = hypatia_tle_lines(n_orbits, per_orbit, 53.0, 15.19, HYPATIA_EPOCH_UTC, "S")
    plane = np.repeat(np.arange(n_orbits), per_orbit)
    slot = np.tile(np.arange(per_orbit), n_orbits)
    return write_network_dir(
        folder,
        n_orbits,
        per_orbit,
        records,
        plus_grid(plane, slot),
        "0,Quito,-0.18,-78.47,0\n1,Nairobi,-1.29,36.82,0\n",
        2_500_000.0,
        9_000_000.0,
    )


#: A scenario whose Hypatia files are in net/ beside it (see _small_dir).
SMALL = """\
name = "small"
ground_stations_file = "net/ground_stations.txt"
[time]
start_utc = 2000-01-01T00:00:00Z
duration_s = 60
[constellation]
hypatia_tle_file = "net/tles.txt"
[network]
isl_file = "net/isls.txt"
[[gateways]]
name = "G"
lat_deg = 0.0
lon_deg = 0.0
[[pops]]
name = "P"
lat_deg = 0.0
lon_deg = 0.0
"""


def _stations_only(path: str) -> str:
    """A Walker scenario with one [[terminals]] table and the stations of `path`."""
    return f"""\
name = "stations"
ground_stations_file = "{path}"
[time]
start_utc = 2022-05-11T00:00:00Z
duration_s = 60
[constellation]
preset = "starlink-550"
[[terminals]]
name = "A"
lat_deg = 47.0
lon_deg = 37.5
[[gateways]]
name = "G"
lat_deg = 40.0
lon_deg = 29.0
[[pops]]
name = "P"
lat_deg = 50.0
lon_deg = 8.0
"""


# ----------------------------------------------------------------------------------------------
# The files are carried into the run unchanged
# ----------------------------------------------------------------------------------------------


def test_scenario_takes_satellites_links_and_stations_from_the_files(kuiper_dir, tmp_path):
    sc = load_scenario(write_text(tmp_path / "s.toml", _kuiper_scenario(kuiper_dir, 1.0, 2.0)))
    constellation = build_constellation(sc)
    assert len(constellation) == 1156
    # Satellite i is Hypatia's id i: same name line, same elements as its TLE lines.
    assert constellation.names[650] == "Kuiper-630 650"
    # Satellite 183's line 2, verbatim from Hypatia's satgenpy/tests/test_end_to_end_kuiper.py:
    # "2 00184  51.9000  52.9412 0000001   0.0000 142.9412 14.80000000    00".
    sat = constellation.satrecs[183]
    assert sat.satnum == 184
    assert np.degrees([sat.inclo, sat.nodeo, sat.mo]) == pytest.approx([51.9, 52.9412, 142.9412])
    # Hypatia numbers satellites orbit by orbit (generate_tles_from_scratch.py).
    assert (constellation.plane[35], constellation.slot[35]) == (1, 1)

    # The laser links are the file's lines, in order.
    expected = np.loadtxt(kuiper_dir / "isls.txt", dtype=np.int64)
    start = np.datetime64("2000-01-01T00:00:00", "ns")
    assert np.array_equal(scenario_isl_edges(sc, constellation, start), expected)

    # Each station is a terminal: name, position and height from its line, default settings.
    rows = [line.split(",") for line in _cities_text().splitlines()]
    assert [t.name for t in sc.terminals] == [r[1] for r in rows]
    paris = sc.terminals[PARIS]
    assert (paris.name, paris.lat_deg, paris.lon_deg, paris.alt_m) == (
        rows[PARIS][1],
        float(rows[PARIS][2]),
        float(rows[PARIS][3]),
        float(rows[PARIS][4]),
    )
    assert paris.min_elevation_deg is None and paris.horizon_deg is None
    assert sc.pair_ids == ((MANILA, DALIAN), (PARIS, MOSCOW))


def test_without_isl_file_the_grid_is_hypatias(tmp_path):
    """No isl_file: +Grid from the header's numbering equals Hypatia's
    generate_plus_grid_isls (satgenpy/satgen/isls/generate_plus_grid_isls.py, isl_shift 0):
    satellite o*Q+s links to o*Q+(s+1)%Q and ((o+1)%P)*Q+s."""
    n_orbits, per_orbit = 5, 4
    _small_dir(tmp_path / "net", n_orbits, per_orbit)
    text = SMALL.replace('isl_file = "net/isls.txt"\n', "")
    sc = load_scenario(write_text(tmp_path / "s.toml", text))
    constellation = build_constellation(sc)
    edges = scenario_isl_edges(sc, constellation, np.datetime64("2000-01-01T00:00:00", "ns"))
    expected = set()
    for o in range(n_orbits):
        for s in range(per_orbit):
            sat = o * per_orbit + s
            expected.add(frozenset((sat, o * per_orbit + (s + 1) % per_orbit)))
            expected.add(frozenset((sat, ((o + 1) % n_orbits) * per_orbit + s)))
    assert {frozenset(e) for e in edges.tolist()} == expected
    assert len(edges) == len(expected) == 2 * n_orbits * per_orbit


def test_extended_ground_stations_give_the_same_terminals(tmp_path):
    """The Cartesian columns of the extended form are not used: positions come from
    latitude, longitude and height (WGS84), as for any terminal."""
    basic = "0,Tokyo,35.6895,139.69171,40.0\n1,Delhi,28.66667,77.21667,0\n"
    # Hypatia's extended form (ground_stations_extended.txt) adds WGS72 x,y,z in metres.
    extended = (
        "0,Tokyo,35.6895,139.69171,40.0,-3954843.4,3354935.2,3700263.9\n"
        "1,Delhi,28.66667,77.21667,0,1238256.9,5418913.9,3045396.2\n"
    )
    found = []
    for text in (basic, extended):
        write_text(tmp_path / "gs.txt", text)
        sc = load_scenario(write_text(tmp_path / "s.toml", _stations_only("gs.txt")))
        found.append([(t.name, t.lat_deg, t.lon_deg, t.alt_m) for t in sc.terminals])
    assert (
        found[0]
        == found[1]
        == [
            ("A", 47.0, 37.5, 0.0),  # the [[terminals]] table comes first
            ("Tokyo", 35.6895, 139.69171, 40.0),
            ("Delhi", 28.66667, 77.21667, 0.0),
        ]
    )


# ----------------------------------------------------------------------------------------------
# RTTs: Hypatia's published values and `lifeline hypatia` on the same folder
# ----------------------------------------------------------------------------------------------


def _rtt_bound_ms(length_km: np.ndarray, hops: np.ndarray) -> np.ndarray:
    """Largest RTT difference between lifeline's and libastro's conventions on a path [ms].

    Per ground-satellite link (two per path), from lifeline/orbits/libastro.py: the Earth
    turned by a different angle (GMST 1982 at UT1 vs Newcomb's at UTC; computed here, 0.43 s
    of rotation on 2000-01-01) moves the satellites around the stations, by at most that
    angle times the equatorial radius at a station; libastro's latitude formula (<= 36 m) and
    radius (+23 m) move a station too; its position scaling adds 27 m at the satellite and
    its own SGP4 port <= 7 m. Satellite-satellite distances do not depend on the rotation:
    per laser link, the scaling is 3.9 ppm of the length and the SGP4 port <= 3 m.
    """
    t = np.array(["2000-01-01T00:00:00"], dtype="datetime64[ns]")
    delta_rad = libastro_gmst_rad(*sgp4_jd(t))[0] - earth_rotation_angle(t)[0][0]
    turn_rad = abs((delta_rad + np.pi) % (2 * np.pi) - np.pi)
    per_gsl_km = turn_rad * WGS84_A_KM + 0.036 + 0.023 + 0.027 + 0.007
    one_way_km = 2 * per_gsl_km + 3.9e-6 * np.asarray(length_km) + 0.003 * np.asarray(hops)
    return 2e3 * one_way_km / C_KM_S


def test_pair_rtts_match_hypatias_published_values(kuiper_dir, tmp_path):
    # Hypatia's published values (tests/reference/data): Manila (17) -> Dalian (85) and
    # Paris (24) -> Moscow (21). Steps of 1.2 s land on 0, 18 and 27.6 s.
    published = {(r.t_s, "Manila"): (r.rtt_ms, r.path) for r in manila_dalian()}
    paris = paris_moscow()
    published[(paris.t_s, "Paris")] = (paris.rtt_ms, paris.path)
    sc = load_scenario(write_text(tmp_path / "s.toml", _kuiper_scenario(kuiper_dir, 1.2, 28.8)))
    table = pq.read_table(run_scenario_pairs(sc, tmp_path / "out").path).to_pandas()
    table["time_s"] = table["time_s"].round(6)
    for (t_s, src), (rtt_ms, path) in published.items():
        row = table[(table["time_s"] == t_s) & (table["src"] == src)].iloc[0]
        bound = _rtt_bound_ms(rtt_ms * C_KM_S / 2e3, row["hops"])
        # Stations keep their Hypatia node ids S + g (no [[terminals]] table before them).
        if path is not None:
            assert list(row["path"]) == path
        assert abs(row["rtt_ms"] - rtt_ms) <= bound, (t_s, src, row["rtt_ms"], rtt_ms, bound)


def test_lifeline_run_matches_lifeline_hypatia_on_the_same_folder(kuiper_dir, tmp_path):
    runner = CliRunner()
    scenario = write_text(tmp_path / "s.toml", _kuiper_scenario(kuiper_dir, 0.5, 30.0))
    result = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / "run"), "-q"])
    assert result.exit_code == 0, result.output
    args = ["--duration-s", "30", "--step-ms", "500", "--pairs", "Manila-Dalian,Paris-Moscow"]
    result = runner.invoke(
        app, ["hypatia", str(kuiper_dir), *args, "--out", str(tmp_path / "hyp"), "-q"]
    )
    assert result.exit_code == 0, result.output
    ours = pq.read_table(tmp_path / "run" / "pairs.parquet").to_pandas()
    theirs = pq.read_table(tmp_path / "hyp" / "pairs.parquet").to_pandas()
    n_pairs = 2
    assert len(ours) == len(theirs) == 60 * n_pairs  # 30 s / 0.5 s steps
    assert (ours["src_id"] == theirs["src_id"]).all() and (ours["dst_id"] == theirs["dst_id"]).all()
    assert ours["connected"].all() and theirs["connected"].all()

    bound = _rtt_bound_ms(theirs["rtt_ms"].to_numpy() * C_KM_S / 2e3, theirs["hops"])
    same_path = np.array(
        [list(a) == list(b) for a, b in zip(ours["path"], theirs["path"], strict=True)]
    )
    diff_ms = (ours["rtt_ms"] - theirs["rtt_ms"]).abs().to_numpy()
    assert (diff_ms[same_path] <= bound[same_path]).all()
    assert bound.max() < 4.5e-3  # the tolerance is a few microseconds of RTT
    # A path may differ only where Hypatia's own path changes at the next step: a link crosses
    # the range limit a fraction of a step earlier in one convention. Here that happens once,
    # at 27.5 s, before the change at 27.6 s in Hypatia's published trace.
    for k in np.flatnonzero(~same_path):
        assert list(ours["path"][k]) == list(theirs["path"][k + n_pairs]), k
    assert 0 < np.count_nonzero(~same_path) <= 2


# ----------------------------------------------------------------------------------------------
# extends, sweeps
# ----------------------------------------------------------------------------------------------


def test_base_file_paths_stay_relative_to_the_base(tmp_path):
    _small_dir(tmp_path / "base" / "net")
    write_text(tmp_path / "base" / "base.toml", SMALL)
    child = write_text(
        tmp_path / "elsewhere" / "child.toml", 'extends = "../base/base.toml"\nname = "child"\n'
    )
    sc = load_scenario(child)
    net = (tmp_path / "base" / "net").resolve()
    assert sc.constellation.hypatia_tle_path == net / "tles.txt"
    assert sc.network.isl_path == net / "isls.txt"
    assert [t.name for t in sc.terminals] == ["Quito", "Nairobi"]


def test_bent_pipe_overlay_drops_the_base_isl_file(tmp_path):
    _small_dir(tmp_path / "net")
    write_text(tmp_path / "base.toml", SMALL)
    child = write_text(
        tmp_path / "bent.toml", 'extends = "base.toml"\nname = "bent"\n[network]\nisl = false\n'
    )
    sc = load_scenario(child)
    assert sc.network.isl_file is None
    start = np.datetime64("2000-01-01T00:00:00", "ns")
    assert scenario_isl_edges(sc, build_constellation(sc), start).shape == (0, 2)


def test_sweep_resolved_dict_validates_back(tmp_path):
    """Sweep variants start from resolved_dict: absolute paths, stations already among the
    terminals (reading the file again would repeat them)."""
    _small_dir(tmp_path / "net")
    sc = load_scenario(write_text(tmp_path / "s.toml", SMALL))
    data = resolved_dict(sc)
    assert "ground_stations_file" not in data
    again = scenario_from_dict(data, "<resolved>", base_dir=tmp_path / "other")
    assert again.terminals == sc.terminals
    assert again.constellation.hypatia_tle_path == sc.constellation.hypatia_tle_path
    assert again.network.isl_path == sc.network.isl_path


def test_sweep_samples_share_laser_links_only_with_the_same_isl_file(tmp_path):
    """Sweep samples reuse satellites and laser links across runs with equal shared_key: a
    different isl_file must give a different key, else its links would be ignored."""
    _small_dir(tmp_path / "net")
    (tmp_path / "net" / "few.txt").write_text("0 1\n", encoding="utf-8")
    sc = load_scenario(write_text(tmp_path / "s.toml", SMALL))
    other = load_scenario(write_text(tmp_path / "o.toml", SMALL.replace("isls.txt", "few.txt")))
    assert shared_key(sc) == shared_key(load_scenario(tmp_path / "s.toml"))
    assert shared_key(sc) != shared_key(other)
    assert SharedInputs(other).lasers.edges.tolist() == [[0, 1]]


# ----------------------------------------------------------------------------------------------
# Bad inputs: exit code 2 and one message naming the scenario file, the field, the value and
# what is allowed
# ----------------------------------------------------------------------------------------------


def _corrupt_checksum(text: str) -> str:
    """Line 3 (satellite 0's TLE line 1) with a wrong checksum digit (column 69)."""
    lines = text.splitlines()
    lines[2] = lines[2][:68] + str((int(lines[2][68]) + 1) % 10)
    return "\n".join(lines) + "\n"


BAD = [
    (
        "s.toml",
        ('"net/tles.txt"', '"net/none.txt"'),
        "constellation.hypatia_tle_file = 'net/none.txt': an existing Hypatia tles.txt "
        "(not found: ",
    ),
    (
        "net/tles.txt",
        _corrupt_checksum,
        "constellation.hypatia_tle_file = 'net/tles.txt': a Hypatia tles.txt (",
    ),
    ("net/tles.txt", _corrupt_checksum, "tles.txt:3: '1 00001U 00000ABC 00001.00000000 "),
    ("net/tles.txt", _corrupt_checksum, "checksum mismatch: column 69 says 5, columns 1-68 give 4"),
    (
        "net/tles.txt",
        ("3 4\n", "3 5\n"),
        "tles.txt:1: '3 5': 3 x 5 = 15 satellites as the header says (found 12))",
    ),
    (
        "s.toml",
        ("[constellation]\n", '[constellation]\ntle_file = "builtin:starlink-2022-08-17"\n'),
        "constellation = ['hypatia_tle_file', 'tle_file']: exactly one of tle_file",
    ),
    (
        "s.toml",
        ("[constellation]\n", "[constellation]\nepoch_utc = 2000-01-01T00:00:00Z\n"),
        "constellation.epoch_utc = '2000-01-01T00:00:00+00:00': only allowed with preset or shells",
    ),
    (
        "s.toml",
        ('"net/isls.txt"', '"isls.txt"'),
        "network.isl_file = 'isls.txt': an existing Hypatia isls.txt (not found: ",
    ),
    (
        "net/isls.txt",
        ("0 1\n", "0 1 2\n"),
        "network.isl_file = 'net/isls.txt': a Hypatia isls.txt linking satellites of the "
        "constellation, ids 0..11 (",
    ),
    # Satellite ids count 0..11 here (3 x 4); the check needs the constellation, at run start.
    ("net/isls.txt", ("0 1\n", "0 12\n"), "isls.txt:1: '12': two satellite ids 'a b' in 0..11"),
    (
        "s.toml",
        ("[network]\n", "[network]\nisl = false\n"),
        "network.isl_file = 'net/isls.txt': only allowed with isl = true",
    ),
    (
        "s.toml",
        ('"net/ground_stations.txt"', '"gs.txt"'),
        "ground_stations_file = 'gs.txt': an existing Hypatia ground_stations.txt (not found: ",
    ),
    (
        "net/ground_stations.txt",
        ("-0.18", "-123"),
        "ground_stations_file = 'net/ground_stations.txt': a Hypatia ground_stations.txt, "
        "basic or extended form (",
    ),
    (
        "net/ground_stations.txt",
        ("-0.18", "-123"),
        "ground_stations.txt:1: '-123': lat_deg: a number in -90..90)",
    ),
    (
        "net/ground_stations.txt",
        ("Nairobi", "Quito"),
        "ground_stations_file = 'net/ground_stations.txt': unique station names (ids 0 and 1 "
        "are both 'Quito')",
    ),
    (
        "s.toml",
        ("[[gateways]]", '[[terminals]]\nname = "Nairobi"\nlat_deg = 1\nlon_deg = 2\n[[gateways]]'),
        "ground_stations_file = 'net/ground_stations.txt': station names that no [[terminals]] "
        "table uses (station 1 is 'Nairobi', as terminals[0].name)",
    ),
    (
        "s.toml",
        ('"net/ground_stations.txt"', "3"),
        "ground_stations_file = 3: a non-empty string",
    ),
    (
        "s.toml",
        ("[time]", 'pairs = [{src = "Quito", dst = "Nairob"}]\n[time]'),
        "pairs[0].dst = 'Nairob': the name of a [[terminals]] entry or ground_stations_file "
        "station; did you mean 'Nairobi'?",
    ),
    (
        "s.toml",
        ("[time]", 'pairs = [{src = "Quito", dst = 2}]\n[time]'),
        "pairs[0].dst = 2: a terminal id in 0..1 (the position of a [[terminals]] table, then "
        "the ground_stations_file stations)",
    ),
]


@pytest.mark.parametrize(("name", "edit", "fragment"), BAD)
def test_bad_hypatia_inputs_are_clear_errors(tmp_path, name, edit, fragment):
    _small_dir(tmp_path / "net")
    scenario = write_text(tmp_path / "s.toml", SMALL)
    target = tmp_path / name
    text = target.read_text(encoding="utf-8")
    if callable(edit):
        new = edit(text)
    else:
        assert edit[0] in text, edit
        new = text.replace(edit[0], edit[1], 1)
    target.write_text(new, encoding="utf-8")
    for args in (["validate"], ["run", "--out", str(tmp_path / "out")]):
        result = CliRunner().invoke(app, [*args, str(scenario)])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert result.output.startswith(f"error: {scenario}: "), result.output
        assert fragment in result.output, result.output


def test_shipped_example_runs_on_a_kuiper_folder(kuiper_dir, tmp_path):
    """examples/hypatia-kuiper-630/kuiper-630.toml on the folder its make_network.py writes
    (the same as kuiper_dir): valid, with Hypatia's 1,156 satellites, 2,312 links, 100 cities."""
    example = Path(__file__).resolve().parents[2] / "examples" / "hypatia-kuiper-630"
    scenario = write_text(tmp_path / "kuiper-630.toml", (example / "kuiper-630.toml").read_text())
    (tmp_path / "kuiper_630").symlink_to(kuiper_dir)
    result = CliRunner().invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 0, result.output
    assert "(1156 satellites, 2312 laser links, 100 terminals," in result.output
