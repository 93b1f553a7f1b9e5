"""Hypatia-format inputs, Hypatia's TLE generator, and RTT agreement with Hypatia."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lifeline.io.hypatia import (
    HypatiaFormatError,
    parse_description,
    parse_ground_stations,
    parse_isls,
    parse_tles,
    read_network_dir,
)
from lifeline.network.dynamic import DynamicRouter
from lifeline.orbits.hypatia_paper import write_paper_network
from lifeline.orbits.libastro import libastro_gmst_rad, libastro_site_km
from lifeline.orbits.presets import HYPATIA_EPOCH_UTC, build_preset
from lifeline.orbits.walker import hypatia_tle_lines
from lifeline.pairmode import PairNetwork, PairStep, prepare, solve_step, step_links
from lifeline.pairmode.network import positions_km
from tests.reference.authorities import manila_dalian, paris_moscow

#: One microsecond in milliseconds: the agreement tolerance with Hypatia.
ONE_MICROSECOND_MS = 1e-3

#: Hypatia's Kuiper-630 link limits (paper/satellite_networks_state/main_kuiper_630.py):
#: GSL for a 30 deg elevation cone at 630 km, ISL grazing 80 km over a 6378.135 km Earth.
_ALT_M, _R_M = 630_000.0, 6_378_135.0
KUIPER_MAX_GSL_M = math.hypot(_ALT_M / math.tan(math.radians(30.0)), _ALT_M)
KUIPER_MAX_ISL_M = 2 * math.sqrt((_R_M + _ALT_M) ** 2 - (_R_M + 80_000.0) ** 2)


@pytest.fixture(scope="module")
def kuiper_dir(tmp_path_factory):
    """Kuiper-630, +Grid (isl_shift 0), 100 cities: Hypatia's paper setting."""
    return write_paper_network(tmp_path_factory.mktemp("kuiper_630"), "kuiper-630")


def test_generator_matches_hypatia_lines():
    # Verbatim from Hypatia satgenpy/tests/test_end_to_end_kuiper.py (Kuiper-630 satellites
    # 183 and 184, written by generate_tles_from_scratch_manual).
    records = hypatia_tle_lines(34, 34, 51.9, 14.80, HYPATIA_EPOCH_UTC, "Kuiper-630")
    assert records[183][1:] == (
        "1 00184U 00000ABC 00001.00000000  .00000000  00000-0  00000+0 0    06",
        "2 00184  51.9000  52.9412 0000001   0.0000 142.9412 14.80000000    00",
    )
    assert records[184][1:] == (
        "1 00185U 00000ABC 00001.00000000  .00000000  00000-0  00000+0 0    07",
        "2 00185  51.9000  52.9412 0000001   0.0000 153.5294 14.80000000    07",
    )
    assert records[650][0] == "Kuiper-630 650"


def test_presets_are_hypatia_shells():
    kuiper = build_preset("kuiper-630", HYPATIA_EPOCH_UTC)
    starlink = build_preset("starlink-550", HYPATIA_EPOCH_UTC)
    assert [len(s) for s in kuiper] == [1156]
    assert [len(s) for s in starlink] == [1584]
    rec = starlink[0].satrecs[23]  # orbit 1, slot 1: half-slot shift on odd orbits
    assert math.degrees(rec.nodeo) == pytest.approx(5.0, abs=1e-9)
    assert math.degrees(rec.mo) == pytest.approx(round(360 / 44 + 360 / 22, 4), abs=1e-9)
    assert rec.no_kozai * 1440 / (2 * math.pi) == pytest.approx(15.19, rel=1e-12)
    assert rec.ecco == pytest.approx(1e-7)


def test_network_dir_round_trip(kuiper_dir):
    net = read_network_dir(kuiper_dir)
    assert len(net.tles) == 1156 and net.tles.n_orbits == 34
    assert str(net.tles.epoch_utc).startswith("2000-01-01T00:00:00")
    assert net.isls.shape == (2312, 2)
    assert net.ground_stations.names[24] == "Paris"
    assert net.max_gsl_length_m == pytest.approx(KUIPER_MAX_GSL_M, abs=1e-6)


def _agreement(kuiper_dir, t_s, src, dst):
    network = PairNetwork.from_hypatia(read_network_dir(kuiper_dir))
    prepared = prepare(network)
    when = network.epoch_utc + np.array([round(t_s * 1e9)], dtype="timedelta64[ns]")
    r_km, valid = positions_km(prepared, when)
    return solve_step(prepared, r_km[0], valid[0], np.array([src]), np.array([dst]))


def test_paris_moscow_rtt_matches_hypatia(kuiper_dir):
    # Hypatia's value (tests/reference/data/README.md): Kuiper-630, 100 cities, +Grid.
    ref = paris_moscow()
    step = _agreement(kuiper_dir, ref.t_s, ref.src_city, ref.dst_city)
    assert step.rtt_ms[0] == pytest.approx(ref.rtt_ms, abs=ONE_MICROSECOND_MS)
    assert step.path(0)[0] == 1156 + 24 and step.path(0)[-1] == 1156 + 21


@pytest.mark.parametrize("ref", manila_dalian(), ids=lambda ref: f"t={ref.t_s:g}s")
def test_manila_dalian_matches_hypatia_trace(kuiper_dir, ref):
    # Hypatia's published RTTs and paths, Manila (17) -> Dalian (85): tests/reference/data.
    step = _agreement(kuiper_dir, ref.t_s, ref.src_city, ref.dst_city)
    assert step.rtt_ms[0] == pytest.approx(ref.rtt_ms, abs=ONE_MICROSECOND_MS)
    assert step.path(0) == ref.path


def test_manila_dalian_dynamic_router_matches_hypatia(kuiper_dir):
    """The same three instants through the dynamic router, one tree carried from 0 to 18 to
    27.6 s (repaired twice), with Paris -> Moscow alongside; Hypatia's values as above."""
    network = PairNetwork.from_hypatia(read_network_dir(kuiper_dir))
    prepared = prepare(network)
    expected, paris = manila_dalian(), paris_moscow()
    when = network.epoch_utc + np.array([round(r.t_s * 1e3) for r in expected], "timedelta64[ms]")
    r_km, valid = positions_km(prepared, when)
    router = DynamicRouter(network.n_sats, prepared.isl_edges, np.array([17, 24]), [85, 21])
    for i, ref in enumerate(expected):
        links = step_links(prepared, r_km[i], valid[i])
        step = PairStep(*router.solve(links.isl_km, links.gsl_start, links.gsl_sat, links.gsl_km))
        assert step.rtt_ms[0] == pytest.approx(ref.rtt_ms, abs=ONE_MICROSECOND_MS)
        assert step.path(0) == ref.path
        if ref.t_s == paris.t_s:
            assert step.rtt_ms[1] == pytest.approx(paris.rtt_ms, abs=ONE_MICROSECOND_MS)


def test_libastro_gmst_newcomb():
    # Newcomb GMST at 2000-01-01 0h UT: 6.6460656 + 2400.051262 T + 0.00002581 T^2 hours,
    # T = 36524.5 / 36525 centuries from 1900 Jan 0.5: 6.6645196 h = 99.9677945 deg.
    t = 36524.5 / 36525
    hours = 6.6460656 + 2400.051262 * t + 0.00002581 * t * t
    expected = math.radians((hours % 24) * 15)
    assert libastro_gmst_rad(2451544.5, 0.0) == pytest.approx(expected, abs=1e-12)
    # One solar day later the angle has advanced by 0.0027379093 turns (SiderealSolar), less
    # the day-to-day change of the 0h reference (2400.051262 h / 36525 per day).
    later = libastro_gmst_rad(2451544.5, 0.5) - libastro_gmst_rad(2451544.5, 0.0)
    assert later == pytest.approx(np.pi * 1.0027379093, abs=1e-12)


def test_libastro_site_on_ellipsoid():
    equator = libastro_site_km([0.0], [0.0])[0]
    pole = libastro_site_km([90.0], [0.0])[0]
    assert equator == pytest.approx([6378.16, 0.0, 0.0], abs=1e-9)
    assert pole[2] == pytest.approx(6378.16 * (1 - 1 / 298.25), abs=1e-6)


# ---------------------------------------------------------------------------------------------
# Readers: every error names the file and line, the value and what is allowed.
# ---------------------------------------------------------------------------------------------

_REC = hypatia_tle_lines(1, 3, 53.0, 15.19, HYPATIA_EPOCH_UTC, "X")
_GOOD_TLES = "1 3\n" + "".join(f"{a}\n{b}\n{c}\n" for a, b, c in _REC)


def test_good_tles():
    tles = parse_tles(_GOOD_TLES, "tles.txt")
    assert len(tles) == 3 and tles.lines[0] == _REC[0][1:]


@pytest.mark.parametrize(
    ("text", "line", "allowed"),
    [
        ("", 0, "header"),
        ("3\n", 1, "two integers"),
        ("1 x\n", 1, "two integers"),
        ("2 3\n" + "".join(f"{a}\n{b}\n{c}\n" for a, b, c in _REC), 1, "2 x 3 = 6"),
        (_GOOD_TLES.replace("X 1\n", "X 2\n"), 5, "'<name> 1'"),
        (_GOOD_TLES.rsplit("\n", 2)[0] + "\n", 9, "3-line records"),
        (_GOOD_TLES.replace(_REC[1][2], _REC[1][2][:-1] + "9"), 7, "checksum"),
    ],
)
def test_bad_tles(text, line, allowed):
    with pytest.raises(HypatiaFormatError, match=allowed) as info:
        parse_tles(text, "tles.txt")
    assert info.value.file == "tles.txt" and info.value.line == line


def test_mixed_epochs():
    other = hypatia_tle_lines(1, 3, 53.0, 15.19, "2000-01-02T00:00:00Z", "X")
    text = "1 3\n" + "".join(f"{a}\n{b}\n{c}\n" for a, b, c in [*_REC[:2], other[2]])
    with pytest.raises(HypatiaFormatError, match="same epoch") as info:
        parse_tles(text, "tles.txt")
    assert info.value.line == 9


@pytest.mark.parametrize(
    ("text", "line", "allowed"),
    [
        ("0 1\n1\n", 2, "two satellite ids"),
        ("0 1\n1 x\n", 2, "two satellite ids"),
        ("0 5\n", 1, r"0\.\.3"),
        ("2 2\n", 1, "a != b"),
        ("0 1\n1 0\n", 2, "already on line 1"),
    ],
)
def test_bad_isls(text, line, allowed):
    with pytest.raises(HypatiaFormatError, match=allowed) as info:
        parse_isls(text, "isls.txt", n_sats=4)
    assert info.value.line == line


def test_ground_stations_basic_and_extended():
    basic = parse_ground_stations("0,Tokyo,35.6895,139.69171,0\n1,Delhi,28.66667,77.21667,0\n", "g")
    assert basic.names == ["Tokyo", "Delhi"] and basic.ecef_m is None
    extended = parse_ground_stations(
        "0,Tokyo,35.6895,139.69171,0.000000,-3954843.4,3354935.2,3700263.9\n", "g"
    )
    assert extended.ecef_m.shape == (1, 3)
    assert extended.lat_deg[0] == pytest.approx(35.6895)


@pytest.mark.parametrize(
    ("text", "line", "allowed"),
    [
        ("0,A,1,2\n", 1, "5 columns"),
        ("0,A,1,2,0\n1,B,1,2,0,1,2,3\n", 2, "5 columns like the first"),
        ("1,A,1,2,0\n", 1, "id 0"),
        ("0,A,91,2,0\n", 1, r"lat_deg: a number in -90\.\.90"),
        ("0,A,1,-181,0\n", 1, "lon_deg"),
        ("0,A,1,2,x\n", 1, "elevation_m"),
        ("0,,1,2,0\n", 1, "non-empty name"),
        ("", 0, "at least one"),
    ],
)
def test_bad_ground_stations(text, line, allowed):
    with pytest.raises(HypatiaFormatError, match=allowed) as info:
        parse_ground_stations(text, "ground_stations.txt")
    assert info.value.line == line and info.value.file == "ground_stations.txt"


def test_description():
    values = parse_description("max_gsl_length_m=1260000.0\nmax_isl_length_m=5442958.2\n", "d")
    assert values["max_isl_length_m"] == pytest.approx(5442958.2)
    with pytest.raises(HypatiaFormatError, match="max_isl_length_m=<metres>"):
        parse_description("max_gsl_length_m=1\n", "d")
    with pytest.raises(HypatiaFormatError, match="> 0") as info:
        parse_description("max_gsl_length_m=-1\nmax_isl_length_m=1\n", "d")
    assert info.value.line == 1
    with pytest.raises(HypatiaFormatError, match="key=value"):
        parse_description("max_gsl_length_m 1\n", "d")


def test_missing_dir_and_file(tmp_path):
    with pytest.raises(HypatiaFormatError, match="satellite-network folder"):
        read_network_dir(tmp_path / "nope")
    with pytest.raises(HypatiaFormatError, match="existing file") as info:
        read_network_dir(tmp_path)
    assert info.value.file.endswith("tles.txt")
