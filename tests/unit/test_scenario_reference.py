"""docs/scenario.md is the schema's own reference: generated, complete and up to date."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field

from lifeline.config import Scenario, SweepConfig, merge
from lifeline.config.fields import Model, number
from lifeline.config.load import EXCLUSIVE_KEYS, PATH_KEYS
from lifeline.config.reference import (
    COMMAND,
    main,
    render,
    sections,
    tables_markdown,
    unchecked_validators,
)
from tests.helpers import ROOT

DOC = ROOT / "docs" / "scenario.md"
ALL_SECTIONS = [*sections(Scenario), *sections(SweepConfig, "sweep")]


def test_scenario_md_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render(), (
        f"docs/scenario.md is out of date with the models in lifeline/config: run {COMMAND}"
    )


def test_the_command_writes_the_document(capsysbinary):
    main()
    assert capsysbinary.readouterr().out.decode("utf-8") == render()
    assert COMMAND in render().splitlines()[2]


def test_every_key_has_a_description():
    missing = [
        f"{s.paths[0] or 'top level'}: {info.alias or key}"
        for s in ALL_SECTIONS
        for key, info in s.model.model_fields.items()
        if not (info.description or "").strip()
    ]
    assert not missing, f"give these keys a Field(description=...) in lifeline/config: {missing}"


def test_every_validator_says_what_it_allows():
    missing = {s.paths[0] or "top level": unchecked_validators(s.model) for s in ALL_SECTIONS}
    missing = {k: v for k, v in missing.items() if v}
    assert not missing, (
        "mark these validators with lifeline.config.fields.allowing(...) so the reference can "
        f"list what they accept: {missing}"
    )


def test_every_table_and_key_is_listed():
    text = render()
    for s in ALL_SECTIONS:
        assert f"## {s.title}\n" in text
        for key in s.keys:
            name = s.model.model_fields[key].alias or key
            assert f"| `{name}` |" in text, name


def test_cited_anchors_exist():
    references = (ROOT / "docs" / "references.md").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', references))
    cited = set(re.findall(r"\(references\.md#([a-z0-9-]+)\)", render()))
    assert cited, "the reference cites no source"
    assert cited <= anchors, f"anchors missing from docs/references.md: {cited - anchors}"


def test_a_new_key_appears_with_unit_default_range_and_source():
    # What happens when a key is added to a model: the generator reads it all from the field.
    class Beacon(Model):
        """``[beacon]``: a test table."""

        reach_km: Annotated[float, number(0, 5)] = Field(
            1.5, description="How far it reaches (references.md#isl-range)."
        )

    class Root(Model):
        beacons: tuple[Beacon, ...] = Field((), description="Beacons.")

    lines = tables_markdown(sections(Root))
    assert "## `[[beacons]]`" in lines
    row = "| `reach_km` | number | km | 1.5 | a number in 0..5 | How far it reaches. | "
    assert row + "[isl-range](references.md#isl-range) |" in lines


def test_keys_from_their_models():
    text = render()
    # Defaults and ranges as the models declare them: users 1, 100 down / 20 up Mbit/s each
    # (references.md#kits); shells 150..2000 km (lifeline.config.constellation.Shell).
    assert "| `users` | integer |  | 1 | an integer >= 0 |" in text
    assert "| `mbps_down_per_user` | number | Mbit/s | 100 | a number > 0 |" in text
    assert "| `mbps_up_per_user` | number | Mbit/s | 20 | a number > 0 |" in text
    assert "| `altitude_km` | number | km | required | a number in 150..2000 |" in text
    # Every [[events]] kind has its own section.
    for kind in ("gateway_outage", "pop_outage", "ground_loss", "power_loss"):
        assert f'### `[[events]]` with `kind = "{kind}"`' in text


def test_extends_rules_match_merge():
    text = render()
    for table, (given, dropped) in EXCLUSIVE_KEYS.items():
        assert f"- `[{table}]`: setting any of" in text
        assert all(f"`{key}`" in text for key in given | dropped)
    assert all(f"`{key}`" in text for key in PATH_KEYS)
    assert "merge key by key" in text and "`network.isl = false`" in text
    # ... and merge does what the text says: tables key by key, arrays replaced, the base's
    # end_utc dropped for the overlay's duration_s, its isl_file for isl = false.
    base = {
        "time": {"start_utc": "a", "end_utc": "b", "step_s": 2},
        "terminals": [{"name": "A"}, {"name": "B"}],
        "network": {"isl": True, "isl_file": "isls.txt", "min_elevation_deg": 40},
    }
    over = {"time": {"duration_s": 60}, "terminals": [{"name": "C"}], "network": {"isl": False}}
    merged = merge(base, over)
    assert merged["time"] == {"start_utc": "a", "step_s": 2, "duration_s": 60}
    assert merged["terminals"] == [{"name": "C"}]
    assert merged["network"] == {"isl": False, "min_elevation_deg": 40}
