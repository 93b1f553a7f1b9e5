"""The config layer's shared pieces: the one number guard, date-times, the merge rule, loading.

Expected values are the allowed ranges the validators declare (lifeline/config/fields.py) and
the behaviour lifeline/config/load.py documents.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import pytest
from pydantic import PlainValidator, TypeAdapter, ValidationError

from lifeline.config import load_scenario, merge, scenario_from_dict
from lifeline.config.fields import finite_number, number, utc_datetime
from lifeline.errors import ScenarioError
from tests.helpers import DATA, ROOT

HUGE = 10**400  # a TOML integer with no float


@pytest.mark.parametrize(
    ("value", "integer", "ok"),
    [
        (1, False, True),
        (1.5, False, True),
        (1.5, True, False),
        (True, False, False),  # a bool is not a number
        ("1", False, False),
        (float("nan"), False, False),
        (float("inf"), False, False),
        (HUGE, False, False),  # math.isfinite(10**400) raises OverflowError
        (HUGE, True, False),
        (-HUGE, True, False),
    ],
)
def test_finite_number(value, integer, ok):
    assert finite_number(value, integer=integer) is ok


def test_number_range_and_message():
    adapter = TypeAdapter(Annotated[float, number(0, 1, lo_open=True)])
    assert adapter.validate_python(1) == 1.0
    for bad in (0, 1.0000001, HUGE, "0.5", None):
        with pytest.raises(ValidationError, match=r"a number > 0 and <= 1"):
            adapter.validate_python(bad)


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59-01:00",  # year 10000 in UTC: astimezone overflows
        "1000-01-01T00:00:00Z",  # before datetime64[ns] begins (1677)
        "2262-04-12T00:00:00Z",  # after it ends
        "99999-01-01T00:00:00Z",  # not RFC 3339
        "2022-05-11T00:00:00",  # no timezone
    ],
)
def test_utc_datetime_refuses(value):
    adapter = TypeAdapter(Annotated[datetime, PlainValidator(utc_datetime)])
    with pytest.raises(ValidationError):
        adapter.validate_python(value)


def test_utc_datetime_converts_to_utc():
    got = utc_datetime("2022-05-11T03:00:00+03:00")
    assert got == datetime(2022, 5, 11, tzinfo=UTC)


def test_merge_replaces_arrays_of_tables():
    # The documented rule (lifeline/config/load.py, merge): an overlay's [[terminals]] replace
    # the base's; tables merge key by key.
    base = {"terminals": [{"name": "a"}], "time": {"step_s": 1.0, "duration_s": 60}}
    over = {"terminals": [{"name": "b"}], "time": {"step_s": 2.0}}
    assert merge(base, over) == {
        "terminals": [{"name": "b"}],
        "time": {"step_s": 2.0, "duration_s": 60},
    }


def test_extends_from_a_relative_path(tmp_path, monkeypatch):
    # A file given by a relative path that extends a base with a relative tle_file: the base's
    # path must be joined to its folder once (it was joined twice: DIR/DIR/tiny.tle).
    folder = tmp_path / "sub"
    folder.mkdir()
    for name in ("tiny.toml", "tiny.tle"):
        (folder / name).write_bytes((DATA / name).read_bytes())
    (folder / "over.toml").write_text('extends = "tiny.toml"\nname = "over"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    sc = load_scenario("sub/over.toml")
    assert sc.constellation.tle_path == (folder / "tiny.tle").resolve()


def test_missing_tle_file_is_located_by_the_loader():
    data = {
        "name": "x",
        "time": {"start_utc": "2022-08-17T12:00:00Z", "duration_s": 60},
        "constellation": {"tle_file": "missing.tle"},
        "terminals": [{"name": "t", "lat_deg": 0, "lon_deg": 0}],
        "gateways": [{"name": "g", "lat_deg": 0, "lon_deg": 0}],
        "pops": [{"name": "p", "lat_deg": 0, "lon_deg": 0}],
    }
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, "x.toml", DATA)
    assert info.value.field == "constellation.tle_file"
    assert info.value.value == "missing.tle"
    expected = f"an existing TLE file (not found: {DATA / 'missing.tle'})"
    assert info.value.allowed.startswith(expected)


def test_config_imports_no_model_code():
    # The schema must not pull in the link, orbit or network models (it once imported the whole
    # links/ stack for three radio models): check every import statement of lifeline/config.
    import ast

    folder = ROOT / "lifeline" / "config"
    above = ("lifeline.links", "lifeline.orbits", "lifeline.network", "lifeline.engine")
    found = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found += [f"{path.name}: {n}" for n in names if n.startswith(above)]
    assert len(list(folder.glob("*.py"))) >= 10
    assert found == []
