"""Scenario loading, presets, site CSVs and the friendly errors (lifeline/config/).

Each bad input must give one ScenarioError naming the file, the field path, the bad value and
what is allowed, never a pydantic traceback.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lifeline.config import (
    Scenario,
    ScenarioValidationError,
    load_scenario,
    scenario_from_dict,
)
from lifeline.errors import LifelineError, ScenarioError
from lifeline.io.sites import SitesError, read_gateways_csv, read_pops_csv
from lifeline.presets import list_presets, preset_path
from tests.helpers import ROOT, write_text

DATA = ROOT / "lifeline" / "data"

# A small valid scenario; the bad cases below edit one line of it.
BASE = """\
name = "test"
[time]
start_utc = 2022-05-11T00:00:00Z
duration_s = 60
[constellation]
tle_file = "builtin:starlink-2022-08-17"
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

WALKER = BASE.replace(
    'tle_file = "builtin:starlink-2022-08-17"',
    '[[constellation.shells]]\nname = "s1"\naltitude_km = 550\ninclination_deg = 53\n'
    "planes = 2\nsats_per_plane = 3\nphasing = 1",
)


def _write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    return write_text(tmp_path / name, text)


def _edit(old: str, new: str, base: str = BASE) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


# ----------------------------------------------------------------------------------------------
# Presets and valid files
# ----------------------------------------------------------------------------------------------


def test_mariupol_preset_loads_with_its_sites():
    sc = load_scenario("mariupol-2022")
    assert sc.source == "preset:mariupol-2022"
    assert [t.name for t in sc.terminals] == [
        "Azovstal",
        "Mariupol",
        "Zaporizhzhia",
        "Kharkiv",
        "Kyiv",
    ]
    azovstal = sc.terminals[0]
    # references.md#sites: 47.098 N, 37.610 E
    assert (azovstal.lat_deg, azovstal.lon_deg) == (47.098, 37.610)
    # tools/build_mariupol_preset.py filter over lifeline/data/starlink-gateways.csv: 26
    # European rows (PROVENANCE.md) minus Bristol, Fawley, Hoo, Morn Hill, Wherstead,
    # Woodwalton (LICENSE PENDING), Tromsø (TT&C, not in 2022-12) and Coviha (not in 2022-12).
    assert len(sc.gateways) == 18
    assert {"Muallim", "Kaunas", "Wola Krobowska"} <= {g.name for g in sc.gateways}
    # PROVENANCE.md, "Starlink PoPs": Frankfurt, London and Madrid are the European PoPs of
    # the starperf2-pops-2024 list.
    assert [p.name for p in sc.pops] == ["FRA - FRNTDEU1", "LON/LHR - LNDNGBR1", "MAD - MDRDESP1"]
    assert all(g.pop is None for g in sc.gateways)
    # Bent pipe: no public record of lasers carrying users' traffic before Sep 2022
    # (references.md#laser-history); mariupol-2022-lasers is the what-if.
    assert sc.network.isl is False
    # Volyna's appeal, 11 May 2022 (references.md#ukraine-2022); 24 h at 1 s; 15 s slots
    # (references.md#reconfiguration-interval).
    assert sc.time.start_utc == datetime(2022, 5, 11, tzinfo=UTC)
    assert sc.time.n_steps == 86_400
    assert sc.time.slot_s == 15.0
    assert sc.constellation.launched_by == "2022-049"
    # The installed package's copy (editable or not), not the repository's.
    shipped = Path(str(importlib.resources.files("lifeline.data") / "starlink-2022-08-17.tle"))
    assert sc.constellation.tle_path == shipped
    assert shipped.read_bytes() == (DATA / "starlink-2022-08-17.tle").read_bytes()


def test_bentpipe_preset_inherits_all_but_isl():
    base = load_scenario("mariupol-2022-lasers")
    bent = load_scenario("mariupol-2022-bentpipe")
    assert bent.name == "mariupol-2022-bentpipe"
    assert bent.extends == "mariupol-2022"
    assert bent.network.isl is False
    assert bent.network.model_copy(update={"isl": True}) == base.network
    # The default is bent pipe too (references.md#laser-history).
    assert load_scenario("mariupol-2022").network == bent.network
    assert (bent.terminals, bent.gateways, bent.pops) == (base.terminals, base.gateways, base.pops)
    assert bent.time == base.time
    assert bent.constellation == base.constellation
    assert bent.constellation.tle_path == base.constellation.tle_path


def test_list_presets_gives_one_line_descriptions():
    presets = dict(list_presets())
    assert set(presets) >= {
        "mariupol-2022",
        "mariupol-2022-bentpipe",
        "mariupol-2022-groundloss",
        "mariupol-2022-groundloss-bentpipe",
    }
    assert all(d and "\n" not in d for d in presets.values())
    text = preset_path("mariupol-2022").read_text(encoding="utf-8")
    assert "2022-08-17" in text and "98 days" in text


def test_preset_generated_block_is_up_to_date():
    spec = importlib.util.spec_from_file_location(
        "build_mariupol_preset", ROOT / "tools" / "build_mariupol_preset.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = preset_path("mariupol-2022").read_text(encoding="utf-8")
    assert module.updated(text) == text


def test_minimal_file_defaults_and_time_properties(tmp_path):
    sc = load_scenario(_write(tmp_path, BASE))
    assert sc.source == str(tmp_path / "scenario.toml")
    assert sc.time.duration_s == 60.0
    assert sc.time.end_utc == datetime(2022, 5, 11, 0, 1, tzinfo=UTC)
    assert sc.time.n_steps == 60
    # Gateway -> PoP backhaul: 1.3, Bozkurt et al.'s conduit figure (references.md#fibre-stretch).
    assert sc.network.fiber_stretch == 1.3
    assert sc.network.fiber_group_index == 1.4682  # references.md#fibre-group-index
    assert sc.network.min_elevation_deg == 25.0  # references.md#min-elevation
    assert sc.terminals[0].min_elevation_deg is None
    assert sc.gateways[0].min_elevation_deg == 25.0
    with pytest.raises(ValueError):
        sc.name = "changed"  # frozen


def test_end_utc_string_with_offset_is_stored_as_utc(tmp_path):
    text = _edit("duration_s = 60", 'end_utc = "2022-05-11T04:00:00+03:00"')
    sc = load_scenario(_write(tmp_path, text))
    assert sc.time.end_utc == datetime(2022, 5, 11, 1, 0, tzinfo=UTC)
    assert sc.time.duration_s == 3600.0


def test_walker_shells_and_epoch_default(tmp_path):
    sc = load_scenario(_write(tmp_path, WALKER))
    assert sc.constellation.tle_path is None
    assert sc.constellation.epoch_utc is None  # means time.start_utc
    assert sc.constellation.shells[0].planes == 2


def test_user_tle_path_is_relative_to_the_file_and_extends_keeps_it(tmp_path):
    _write(tmp_path / "base", "", "sats.tle")
    _write(tmp_path / "base", _edit("builtin:starlink-2022-08-17", "sats.tle"), "base.toml")
    child = _write(
        tmp_path / "child",
        'extends = "../base/base.toml"\nname = "child"\n[time]\nend_utc = 2022-05-11T00:00:30Z\n',
    )
    sc = load_scenario(child)
    assert sc.constellation.tle_path == (tmp_path / "base" / "sats.tle").resolve()
    assert sc.time.duration_s == 30.0  # end_utc in the overlay replaced the base's duration_s
    assert sc.terminals[0].name == "A"


def test_extends_keeps_launched_by_of_a_base_with_a_relative_tle_file(tmp_path):
    # Anchoring the base's relative tle_file to its folder must not count as the overlay
    # choosing a new constellation source (which drops launched_by and epoch_utc).
    _write(tmp_path / "base", (DATA / "starlink-2022-08-17.tle").read_text(), "sats.tle")
    base = _edit(
        'tle_file = "builtin:starlink-2022-08-17"',
        'tle_file = "sats.tle"\nlaunched_by = "2022-049"',
    )
    _write(tmp_path / "base", base, "base.toml")
    child = _write(tmp_path / "child", 'extends = "../base/base.toml"\nname = "child"\n')
    assert load_scenario(child).constellation.launched_by == "2022-049"


def test_scenario_from_dict():
    data = {
        "name": "d",
        "time": {"start_utc": "2022-05-11T00:00:00Z", "duration_s": 30},
        "constellation": {"preset": "starlink-gen1"},
        "terminals": [{"name": "A", "lat_deg": 0, "lon_deg": 0}],
        "gateways": [{"name": "G", "lat_deg": 1, "lon_deg": 1, "pop": "P"}],
        "pops": [{"name": "P", "lat_deg": 2, "lon_deg": 2}],
    }
    sc = scenario_from_dict(data, source="mine")
    assert isinstance(sc, Scenario) and sc.source == "mine"
    assert sc.gateways[0].pop == "P"


# ----------------------------------------------------------------------------------------------
# Bad inputs: (id, old line, new line, field path, bad value as shown, allowed text)
# ----------------------------------------------------------------------------------------------

_NO_TERMINALS = '[[terminals]]\nname = "A"\nlat_deg = 47.0\nlon_deg = 37.5\n'

BAD = [
    ("latitude", "lat_deg = 47.0", "lat_deg = 123", "terminals[0].lat_deg", "123", "-90..90"),
    ("negative duration", "duration_s = 60", "duration_s = -5", "time.duration_s", "-5", "> 0"),
    ("step zero", "duration_s = 60", "duration_s = 60\nstep_s = 0", "time.step_s", "0", "> 0"),
    (
        "end before start",
        "duration_s = 60",
        "end_utc = 2022-05-10T00:00:00Z",
        "time.end_utc",
        "'2022-05-10T00:00:00+00:00'",
        "a time after start_utc",
    ),
    (
        "missing TLE file",
        "builtin:starlink-2022-08-17",
        "nope.tle",
        "constellation.tle_file",
        "'nope.tle'",
        "an existing TLE file",
    ),
    (
        "unknown builtin TLE",
        "builtin:starlink-2022-08-17",
        "builtin:starlink-2022-08-18",
        "constellation.tle_file",
        "'builtin:starlink-2022-08-18'",
        "did you mean 'starlink-2022-08-17'",
    ),
    (
        "no constellation source",
        'tle_file = "builtin:starlink-2022-08-17"',
        "",
        "constellation",
        "[]",
        "exactly one of tle_file",
    ),
    (
        "two constellation sources",
        'tle_file = "builtin:starlink-2022-08-17"',
        'tle_file = "builtin:starlink-2022-08-17"\npreset = "starlink-gen1"',
        "constellation",
        "['preset', 'tle_file']",
        "exactly one of",
    ),
    (
        "empty shells list",
        'tle_file = "builtin:starlink-2022-08-17"',
        "shells = []",
        "constellation.shells",
        "[]",
        "at least one [[constellation.shells]]",
    ),
    (
        "duplicate terminal names",
        "[[gateways]]",
        '[[terminals]]\nname = "A"\nlat_deg = 1\nlon_deg = 1\n[[gateways]]',
        "terminals[1].name",
        "'A'",
        "a unique name (terminals[0]",
    ),
    (
        "unknown pop",
        "lon_deg = 29.0",
        'lon_deg = 29.0\npop = "Frankfrut"',
        "gateways[0].pop",
        "'Frankfrut'",
        "one of: P",
    ),
    (
        "unknown key, close match",
        "lat_deg = 40.0",
        "lat_deg = 40.0\nmax_satelites = 4",
        "gateways[0].max_satelites",
        "4",
        "unknown key 'max_satelites'; did you mean 'max_satellites'?",
    ),
    (
        "unknown key, no close match",
        'name = "test"',
        'name = "test"\nzzz = 1',
        "zzz",
        "1",
        "allowed keys: name, description, extends, time",
    ),
    (
        "slot not a multiple of step",
        "duration_s = 60",
        "duration_s = 60\nstep_s = 4.0",
        "time.slot_s",
        "15.0",
        "a whole multiple of step_s = 4 s",
    ),
    (
        "duration not a multiple of step",
        "duration_s = 60",
        "duration_s = 60.25\nstep_s = 0.5",
        "time.duration_s",
        "60.25",
        "whole number of steps of step_s = 0.5 s",
    ),
    (
        "naive datetime",
        "start_utc = 2022-05-11T00:00:00Z",
        "start_utc = 2022-05-11T00:00:00",
        "time.start_utc",
        "'2022-05-11T00:00:00'",
        "with a timezone (add Z for UTC",
    ),
    (
        "unparsable datetime string",
        "start_utc = 2022-05-11T00:00:00Z",
        'start_utc = "11 May 2022"',
        "time.start_utc",
        "'11 May 2022'",
        "RFC 3339",
    ),
    (
        "both duration and end",
        "duration_s = 60",
        "duration_s = 60\nend_utc = 2022-05-12T00:00:00Z",
        "time.end_utc",
        "'2022-05-12T00:00:00+00:00'",
        "either duration_s or end_utc, not both",
    ),
    (
        "neither duration nor end",
        "duration_s = 60",
        "",
        "time.duration_s",
        "None",
        "give duration_s",
    ),
    (
        "string for a number",
        "lon_deg = 37.5",
        'lon_deg = "37.5"',
        "terminals[0].lon_deg",
        "'37.5'",
        "a number in -180..180",
    ),
    (
        "boolean for a number",
        "lon_deg = 8.0",
        "lon_deg = true",
        "pops[0].lon_deg",
        "True",
        "a number in -180..180",
    ),
    ("nan", "lat_deg = 50.0", "lat_deg = nan", "pops[0].lat_deg", "nan", "a number in -90..90"),
    (
        "float for an integer",
        "lon_deg = 29.0",
        "lon_deg = 29.0\nmax_satellites = 2.5",
        "gateways[0].max_satellites",
        "2.5",
        "an integer >= 1",
    ),
    (
        "altitude band min >= max",
        'tle_file = "builtin:starlink-2022-08-17"',
        'tle_file = "builtin:starlink-2022-08-17"\naltitude_band_km = [500, 400]',
        "constellation.altitude_band_km",
        "[500, 400]",
        "0 < min_km < max_km",
    ),
    (
        "launched_by malformed",
        'tle_file = "builtin:starlink-2022-08-17"',
        'tle_file = "builtin:starlink-2022-08-17"\nlaunched_by = "22-049"',
        "constellation.launched_by",
        "'22-049'",
        '"YYYY-NNN"',
    ),
    (
        "launched_by without tle_file",
        'tle_file = "builtin:starlink-2022-08-17"',
        'preset = "starlink-gen1"\nlaunched_by = "2022-049"',
        "constellation.launched_by",
        "'2022-049'",
        "only allowed with tle_file",
    ),
    (
        "unknown Walker preset",
        'tle_file = "builtin:starlink-2022-08-17"',
        'preset = "starlink-gen"',
        "constellation.preset",
        "'starlink-gen'",
        "one of: 'starlink-gen1', 'kuiper-gen1', 'kuiper-630', 'starlink-550'; "
        "did you mean 'starlink-gen1'?",
    ),
    (
        "no terminals",
        _NO_TERMINALS,
        "",
        "terminals",
        "None",
        "required: at least one [[terminals]] table",
    ),
    (
        "table instead of an array of tables",
        "[[pops]]",
        "[pops]",
        "pops",
        "{name = ..., lat_deg = ..., lon_deg = ...}",
        "an array of tables ([[pops]])",
    ),
    (
        "misspelt table",
        "[time]",
        "[tme]",
        "tme",
        "{start_utc = ..., duration_s = ...}",
        "unknown key 'tme'; did you mean 'time'?",
    ),
    ("empty name", 'name = "test"', 'name = "  "', "name", "'  '", "a non-empty string"),
    (
        "serving policy",
        "[[terminals]]",
        '[network]\nserving_policy = "random"\n[[terminals]]',
        "network.serving_policy",
        "'random'",
        "one of: 'min_rtt', 'max_elevation', 'longest_visible'",
    ),
    (
        "isl not a boolean",
        "[[terminals]]",
        '[network]\nisl = "yes"\n[[terminals]]',
        "network.isl",
        "'yes'",
        "true or false",
    ),
    (
        "extends an unknown preset",
        'name = "test"',
        'name = "test"\nextends = "mariupl-2022"',
        "extends",
        "'mariupl-2022'",
        "did you mean 'mariupol-2022'?",
    ),
    # Radio layer: [radio], [[rain]], [[jammers]], terminal demand.
    (
        "radio key misspelt",
        "[[terminals]]",
        "[radio]\nbeams_per_satelite = 8\n[[terminals]]",
        "radio.beams_per_satelite",
        "8",
        "did you mean 'beams_per_satellite'?",
    ),
    (
        "beams per satellite zero",
        "[[terminals]]",
        "[radio]\nbeams_per_satellite = 0\n[[terminals]]",
        "radio.beams_per_satellite",
        "0",
        "an integer >= 1",
    ),
    (
        "rain rate beyond the table",
        "[[terminals]]",
        "[[rain]]\nlat_deg = 47\nlon_deg = 37\nradius_km = 10\nrate_mm_h = 400\n[[terminals]]",
        "rain[0].rate_mm_h",
        "400",
        "a number > 0 and <= 250",
    ),
    (
        "uplink jamming",
        "[[terminals]]",
        "[[jammers]]\nlat_deg = 47\nlon_deg = 37\neirp_dbw = 30\nbandwidth_mhz = 240\n"
        'target = "uplink"\n[[terminals]]',
        "jammers[0].target",
        "'uplink'",
        "set [radio] sat_uplink_g_over_t_db_k",
    ),
    (
        "jammer window backwards",
        "[[terminals]]",
        "[[jammers]]\nlat_deg = 47\nlon_deg = 37\neirp_dbw = 30\nbandwidth_mhz = 240\n"
        "[[jammers.windows]]\nstart_s = 50\nend_s = 10\n[[terminals]]",
        "jammers[0].windows[0].end_s",
        "10.0",
        "a time after start_s",
    ),
    (
        "negative users",
        'name = "A"',
        'name = "A"\nusers = -3',
        "terminals[0].users",
        "-3",
        "an integer >= 0",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "value", "allowed"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_input_names_file_field_value_and_allowed(tmp_path, old, new, field, value, allowed):
    path = _write(tmp_path, _edit(old, new))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problems = getattr(info.value, "problems", [info.value])
    matching = [p for p in problems if p.field == field]
    assert len(matching) == 1, str(info.value)
    err = matching[0]
    assert err.file == str(path)
    assert f"{path}: {field} = {value}: " in str(err)
    assert allowed in str(err)
    assert str(err) in str(info.value)
    assert "pydantic" not in str(info.value)


def test_phasing_must_be_below_planes(tmp_path):
    path = _write(tmp_path, _edit("phasing = 1", "phasing = 2", WALKER))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == (
        f"{path}: constellation.shells[0].phasing = 2: an integer in 0..1 (phasing < planes = 2)"
    )


def test_shell_altitude_out_of_range(tmp_path):
    path = _write(tmp_path, _edit("altitude_km = 550", "altitude_km = 100", WALKER))
    with pytest.raises(
        ScenarioError, match=r"shells\[0\]\.altitude_km = 100: a number in 150..2000"
    ):
        load_scenario(path)


def test_empty_terminals_list(tmp_path):
    text = _edit('name = "test"', 'name = "test"\nterminals = []', _edit(_NO_TERMINALS, ""))
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == (
        f"{path}: terminals = []: at least one [[terminals]] table (name, lat_deg, lon_deg)"
    )


def test_toml_syntax_error_gives_line_and_column(tmp_path):
    path = _write(tmp_path, _edit("lat_deg = 47.0", "lat_deg = = 47.0"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    # "lat_deg = 47.0" is line 9 of BASE; tomllib reports the column of the second "=".
    assert info.value.field == "line 9, column 11"
    assert info.value.value == "lat_deg = = 47.0"
    assert str(info.value).startswith(f"{path}: line 9, column 11 = 'lat_deg = = 47.0': valid TOML")


def test_unknown_preset_lists_presets_and_closest():
    with pytest.raises(ScenarioError) as info:
        load_scenario("mariupl-2022")
    err = info.value
    assert (err.file, err.field, err.value) == ("preset:mariupl-2022", "preset", "mariupl-2022")
    assert "did you mean 'mariupol-2022'?" in str(err)
    assert "mariupol-2022, mariupol-2022-bentpipe" in str(err)


def test_missing_file(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(ScenarioError, match=r"nope\.toml.*an existing scenario \.toml file"):
        load_scenario(path)


def test_several_problems_are_listed_one_per_line(tmp_path):
    text = _edit("lat_deg = 47.0", "lat = 47.0")
    text = _edit("duration_s = 60", "duration_s = 0", text)
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioValidationError) as info:
        load_scenario(path)
    lines = str(info.value).splitlines()
    assert lines == [
        f"{path}: time.duration_s = 0: a number > 0",
        f"{path}: terminals[0].lat_deg = None: required",
        f"{path}: terminals[0].lat = 47.0: unknown key 'lat'; did you mean 'lat_deg'?",
    ]
    assert info.value.field == "time.duration_s"  # attributes describe the first problem
    assert len(info.value.problems) == 3


def test_extends_cycle_is_an_error(tmp_path):
    _write(tmp_path, 'extends = "b.toml"\n' + BASE, "a.toml")
    _write(tmp_path, 'extends = "a.toml"\n' + BASE, "b.toml")
    with pytest.raises(ScenarioError, match="extends = 'a.toml': a base that does not extend"):
        load_scenario(tmp_path / "a.toml")


def test_scenario_from_dict_errors_name_the_source():
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict({"name": "x"}, source="api-call")
    assert info.value.file == "api-call"
    assert "api-call: time = None: required: a [time] table" in str(info.value)


# ----------------------------------------------------------------------------------------------
# Site CSVs
# ----------------------------------------------------------------------------------------------


def test_shipped_site_csvs_read():
    gateways = read_gateways_csv(DATA / "starlink-gateways.csv")
    pops = read_pops_csv(DATA / "starlink-pops.csv")
    # lifeline/data/PROVENANCE.md table: 267 gateways, 88 PoPs.
    assert (len(gateways), len(pops)) == (267, 88)
    muallim = next(g for g in gateways if g["name"] == "Muallim")
    # PROVENANCE.md, "Within 1,500 km of Mariupol" table.
    assert (muallim["lat_deg"], muallim["lon_deg"], muallim["antenna_count"]) == (
        40.78875,
        29.50939,
        8,
    )
    assert muallim["listed_2022_12"] is True
    tromso = next(g for g in gateways if g["name"] == "Tromsø")
    assert tromso["min_elevation_deg"] is None  # empty cell: not in the 2022-12 list


@pytest.mark.parametrize(
    ("text", "line", "column", "allowed"),
    [
        ("name,lat_deg,lon_deg\nA,47.0,37.5\nB,123,0\n", 3, "lat_deg", "a number in -90..90"),
        ("name,lat_deg,lon_deg\nA,north,37.5\n", 2, "lat_deg", "a number in -90..90"),
        ("name,lat_deg,lon_deg,antenna_count\nA,1,2,eight\n", 2, "antenna_count", "an integer"),
        ("name,lat,lon_deg\nA,1,2\n", 1, "header", "columns name, lat_deg, lon_deg"),
        ("name,lat_deg,lon_deg\n,1,2\n", 2, "name", "a value (required column)"),
        ("name,lat_deg,lon_deg\nA,1\n", 2, "row", "3 comma-separated cells"),
    ],
)
def test_bad_site_csv(tmp_path, text, line, column, allowed):
    path = _write(tmp_path, text, "sites.csv")
    with pytest.raises(SitesError) as info:
        read_gateways_csv(path)
    err = info.value
    assert isinstance(err, LifelineError)
    assert (err.file, err.line, err.column) == (str(path), line, column)
    assert str(err).startswith(f"{path}:{line}: {column} = ")
    assert allowed in str(err)


def test_run_size_is_capped(tmp_path):
    """A window of 1 ms steps over a day for 50 terminals is 4.3e9 rows: refused up front."""
    from lifeline.config import MAX_ROWS, scenario_from_dict

    data = {
        "extends": "mariupol-2022",
        "name": "huge",
        "time": {"step_s": 0.001, "slot_s": 15.0},
        "terminals": [{"name": f"t{i}", "lat_deg": 47.0, "lon_deg": 37.0} for i in range(50)],
    }
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data, source="big.toml")
    msg = str(err.value)
    assert "big.toml: time.step_s = 0.001" in msg and f"{MAX_ROWS:.0e}" in msg


# ----------------------------------------------------------------------------------------------
# Pair mode: [[pairs]] / pairs = "all", and the GSL range rule
# ----------------------------------------------------------------------------------------------

#: BASE with three terminals (A, B, C), for pairs.
THREE = _edit(
    "[[gateways]]",
    '[[terminals]]\nname = "B"\nlat_deg = 50.0\nlon_deg = 30.5\n'
    '[[terminals]]\nname = "C"\nlat_deg = 48.9\nlon_deg = 2.4\nmax_range_km = 900\n'
    "[[gateways]]",
)


def test_pairs_all_and_tables_by_name_or_id(tmp_path):
    sc = load_scenario(_write(tmp_path, 'pairs = "all"\n' + THREE))
    assert sc.pairs == "all"
    assert sc.pair_ids == ((0, 1), (0, 2), (1, 2))  # every unordered pair, i < j
    text = THREE + '[[pairs]]\nsrc = "C"\ndst = "A"\n[[pairs]]\nsrc = 1\ndst = "C"\n'
    sc = load_scenario(_write(tmp_path, text))
    assert sc.pair_ids == ((2, 0), (1, 2))  # file order, direction kept
    assert load_scenario(_write(tmp_path, BASE)).pair_ids == ()  # no pairs key: no pair mode


def test_gsl_range_rule_defaults_and_overrides(tmp_path):
    sc = load_scenario(
        _write(
            tmp_path,
            _edit("[[terminals]]", "[network]\ngsl_max_range_km = 1089.7\n[[terminals]]", THREE),
        )
    )
    assert sc.network.gsl_max_range_km == 1089.7
    assert [t.max_range_km for t in sc.terminals] == [None, None, 900.0]
    assert load_scenario(_write(tmp_path, BASE)).network.gsl_max_range_km is None


def test_hypatia_walker_presets_are_accepted(tmp_path):
    text = _edit(
        'tle_file = "builtin:starlink-2022-08-17"',
        'preset = "kuiper-630"\nepoch_utc = 2000-01-01T00:00:00Z',
    )
    assert load_scenario(_write(tmp_path, text)).constellation.preset == "kuiper-630"


_PAIR = '[[pairs]]\nsrc = "A"\ndst = "B"\n'

BAD_PAIRS = [
    ("not all", 'pairs = "some"\n' + THREE, "pairs", "'some'", '"all" or an array of [[pairs]]'),
    ("a number", "pairs = 5\n" + THREE, "pairs", "5", '"all" or an array of [[pairs]]'),
    ("empty", "pairs = []\n" + THREE, "pairs", "[]", '"all" or at least one [[pairs]]'),
    ("all of one", 'pairs = "all"\n' + BASE, "pairs", "'all'", "at least two [[terminals]]"),
    ("missing dst", THREE + '[[pairs]]\nsrc = "A"\n', "pairs[0].dst", "None", "required"),
    (
        "unknown name",
        THREE + _PAIR.replace('"B"', '"Cc"'),
        "pairs[0].dst",
        "'Cc'",
        "the name of a [[terminals]] entry; did you mean 'C'? (one of: A, B, C) or its 0-based id",
    ),
    (
        "id out of range",
        THREE + _PAIR.replace('"B"', "3"),
        "pairs[0].dst",
        "3",
        "a terminal id in 0..2",
    ),
    (
        "float id",
        THREE + _PAIR.replace('"B"', "1.5"),
        "pairs[0].dst",
        "1.5",
        "a terminal name (string) or a 0-based terminal id (integer >= 0)",
    ),
    (
        "self pair",
        THREE + _PAIR.replace('"B"', "0"),
        "pairs[0].dst",
        "0",
        "a terminal other than src ('A')",
    ),
    (
        "repeated",
        THREE + _PAIR + _PAIR.replace('"A"', "0"),
        "pairs[1]",
        "'A -> B'",
        "a pair not listed before (pairs[0] is the same)",
    ),
    (
        "unknown key",
        THREE + _PAIR + "via = 3\n",
        "pairs[0].via",
        "3",
        "unknown key 'via'; allowed keys: src, dst",
    ),
    (
        "range zero",
        THREE.replace("max_range_km = 900", "max_range_km = 0"),
        "terminals[2].max_range_km",
        "0",
        "a number > 0",
    ),
    (
        "network range negative",
        "[network]\ngsl_max_range_km = -1\n".join(THREE.split("[[terminals]]", 1)),
        "network.gsl_max_range_km",
        "-1",
        "a number > 0",
    ),
]


@pytest.mark.parametrize(
    ("text", "field", "value", "allowed"),
    [case[1:] for case in BAD_PAIRS],
    ids=[case[0] for case in BAD_PAIRS],
)
def test_bad_pairs_name_file_field_value_and_allowed(tmp_path, text, field, value, allowed):
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}: {field} = {value}: ")
    assert allowed in str(info.value)
    assert "pydantic" not in str(info.value)


def test_pair_steps_are_capped():
    """100 terminals, all 4,950 pairs, 1 ms steps over a day: 4.3e11 pair-steps, refused."""
    from lifeline.config import MAX_ROWS

    data = {
        "extends": "mariupol-2022",
        "name": "huge-pairs",
        "time": {"step_s": 0.2, "slot_s": 15.0},
        "terminals": [{"name": f"t{i}", "lat_deg": 47.0, "lon_deg": i} for i in range(100)],
        "pairs": "all",
    }
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data, source="big.toml")
    msg = str(err.value)
    # 86,400 s / 0.2 s = 432,000 steps x 4,950 pairs = 2.14e9 > MAX_ROWS.
    assert "big.toml: time.step_s = 0.2" in msg and "4950 pairs" in msg
    assert f"{MAX_ROWS:.0e}" in msg


def test_radio_defaults_and_demand(tmp_path):
    sc = load_scenario(_write(tmp_path, _edit('name = "A"', 'name = "A"\nusers = 40')))
    # [radio] defaults: 11.7 GHz, 240 MHz (references.md#rf-bands, #downlink-waveform); per user
    # 100 down / 20 up Mbit/s (FCC 24-27's benchmark, references.md#kits); the 2022 kit.
    assert sc.radio.enabled and sc.radio.downlink_freq_ghz == 11.7
    assert sc.radio.channel_bandwidth_mhz == 240.0
    t = sc.terminals[0]
    assert (t.users * t.mbps_down_per_user, t.users * t.mbps_up_per_user) == (4000.0, 800.0)
    assert t.kit == "standard-actuated"
    assert sc.rain == () and sc.jammers == ()
    jammed = load_scenario("mariupol-2022-jammed")
    assert jammed.jammers[0].eirp_dbw == 30.0 and len(jammed.jammers[0].windows) == 1
