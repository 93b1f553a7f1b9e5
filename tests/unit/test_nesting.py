"""Deep nesting is a located error before any parser recurses (RecursionError before)."""

from __future__ import annotations

import tomllib

import pytest

from lifeline.errors import InputFileError
from lifeline.io.geojson import read_linestring
from lifeline.io.nesting import MAX_NESTING, check_nesting


def test_deep_geojson_is_located(tmp_path):
    path = tmp_path / "route.geojson"
    path.write_text(
        '{"type": "LineString",\n "coordinates": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    with pytest.raises(InputFileError) as info:
        read_linestring(path)
    assert str(info.value) == (
        f"{path}:2: nesting = 'more than 64 levels': at most 64 levels of nested arrays and tables"
    )


def test_deep_toml_is_located():
    text = 'name = "x"\n\n[time]\nx = ' + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(InputFileError) as info:
        check_nesting(text, "s.toml", "toml")
    assert info.value.line == 4


def test_brackets_in_strings_and_comments_do_not_count():
    deep = "[" * (MAX_NESTING + 5)
    toml = (
        f'a = "{deep}"\nb = \'{deep}\'\nc = """\n{deep}\n"""\n# {deep}\n[[terminals]]\n'
        f"[terminals.path]\nd = [[1, 2], [3, {{e = [4]}}]]\n"
    )
    check_nesting(toml, "s.toml", "toml")
    tomllib.loads(toml)  # and it is valid TOML
    check_nesting('{"a": "' + deep + '\\" ' + deep + '", "b": [[1]]}', "x.json")


def test_limit_is_inclusive():
    check_nesting("[" * MAX_NESTING + "]" * MAX_NESTING, "x.json")
    with pytest.raises(InputFileError):
        check_nesting("[" * (MAX_NESTING + 1), "x.json")
