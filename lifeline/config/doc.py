"""Write ``docs/scenario.md``, the reference of every scenario key, from the schema itself.

    python -m lifeline.config.doc > docs/scenario.md      # regenerate
    python -m lifeline.config.doc --check docs/scenario.md  # exit 1 when out of date

For every model of the scenario (the top level, ``[time]``, ``[constellation]``, ...) one table:
the key, its type, unit (from the key's suffix: ``_deg``, ``_km``, ``_s``, ...), default,
allowed values (from the field's validator: the sentence its error message gives, or a
``Literal``'s options), what it means (the model's numpydoc ``Attributes`` entry) and its source
(the ``references.md#anchor`` cited beside the field or beside the constant its default is).
Prose that no field carries (``extends``, file references, the loading steps) is in
:data:`PREAMBLE` and :data:`LOADING`.
"""

from __future__ import annotations

import argparse
import enum
import functools
import inspect
import re
import sys
import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

__all__ = ["render", "main"]

COMMAND = "python -m lifeline.config.doc > docs/scenario.md"

#: Key suffix -> unit.
UNITS = (
    ("_mbps_per_user", "Mbit/s"),
    ("_dbw_per_mhz", "dBW/MHz"),
    ("_mm_h", "mm/h"),
    ("_kmh", "km/h"),
    ("_deg", "deg"),
    ("_km", "km"),
    ("_ms", "ms"),
    ("_mbps", "Mbit/s"),
    ("_ghz", "GHz"),
    ("_mhz", "MHz"),
    ("_dbw", "dBW"),
    ("_db", "dB"),
    ("_wh", "Wh"),
    ("_w", "W"),
    ("_pct", "%"),
    ("_percent", "%"),
    ("_utc", "UTC"),
    ("_k", "K"),
    ("_h", "h"),
    ("_m", "m"),
    ("_s", "s"),
)
_ANCHOR = re.compile(r"references\.md#([a-z0-9-]+)")
_ROOT = Path(__file__).resolve().parents[1]

PREAMBLE = """\
A scenario is one TOML file: *when* (`[time]`), *which satellites* (`[constellation]`), *how the
network behaves* (`[network]`), *where* (`[[terminals]]`, `[[gateways]]`, `[[pops]]`, or
`terminals_file` and `[ground] auto`) and *what goes wrong* (`[[events]]`, `[[rain]]`,
`[[jammers]]`). `lifeline new NAME --site LAT,LON,NAME --start DATE --hours H` writes a
commented one; `lifeline validate FILE` checks one; the presets in `lifeline/presets/` are
worked examples. Units are in the key names (`_deg`, `_km`, `_s`, ...). A wrong value is
reported with the file, the key (`terminals[2].lat_deg`), the value and what is allowed.

## `extends`: building on another scenario

`extends = "NAME-or-path"` loads a base (a preset name or a `.toml` path, relative to this
file) and merges this file over it:

- tables (`[time]`, `[network]`, ...) merge key by key: a key set here wins, the others are the
  base's;
- arrays and arrays of tables (`[[gateways]]`, `[[events]]`, ...) replace the base's, except
  `[[terminals]]`: with `terminals_mode = "append"` this file's terminals are added after the
  base's; with `"replace"` (the default) they take the base's place, and the loader warns when
  it happens without `terminals_mode` being said;
- setting `time.duration_s` drops the base's `time.end_utc` and the other way round; setting
  one constellation source (`tle_file`, `hypatia_tle_file`, `preset`, `shells`) drops the
  base's others and its `launched_by` and `epoch_utc`; `network.isl = false` drops the base's
  `network.isl_file`;
- relative file paths in a base are resolved against the base's folder.

## File references

- `tle_file`: `"builtin:NAME"` (a shipped snapshot: `lifeline data list`), `"builtin:auto"`
  (the shipped snapshot nearest the start date), `"cache:NAME"` (elements fetched by
  `lifeline data fetch starlink`, e.g. `"cache:starlink-latest"`), or a path.
- `terminals_file`: a CSV (`name,lat,lon` and any terminal key as a column; `horizon` as
  `;`-separated sectors) or GeoJSON points (properties hold `name` and terminal keys); its sites
  come after the `[[terminals]]` tables, and an error names its line or feature.
- Other paths (`hypatia_tle_file`, `isl_file`, `ground_stations_file`, a terminal's
  `path.geojson`) are relative to the scenario file's folder.
"""

LOADING = """\
## What loading fills in

- `launched_by`, when not given: the last launch that had flown by `time.start_utc`, estimated
  from the elements (revolution count over mean motion), so satellites launched after the
  scenario's date are left out.
- The elements' age: more than 14 days between the window and the elements' median epoch gives
  a warning, more than 120 days an error, unless `constellation.allow_stale_elements` is `true`
  or, better, the reason as a string (recorded in the run's notes instead of a warning).
- `[ground] auto = true` (or `gateways = "auto"`): the shipped gateways that can share a
  satellite with a site (bent pipe: both elevation masks at the highest shell's altitude) and
  were listed by the start date, each homed to its nearest listed PoP; gateways and PoPs the
  file gives are kept. What was chosen is written to `notes` and shown in the report.
"""


def _unit(key: str) -> str:
    for suffix, unit in UNITS:
        if key.endswith(suffix):
            return unit
    return ""


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """(core type, validator metadata, optional) of an annotation."""
    meta: list[Any] = []
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            args = get_args(annotation)
            annotation, meta = args[0], meta + list(args[1:])
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(get_args(annotation))
            if len(args) == 1:
                annotation = args[0]
            else:
                return annotation, meta, optional
        else:
            return annotation, meta, optional


def _is_model(t: Any) -> bool:
    return inspect.isclass(t) and issubclass(t, BaseModel)


def _models_of(annotation: Any) -> list[type[BaseModel]]:
    """The models a field holds: one, or each member of a union (``[[events]]`` kinds)."""
    core, _, _ = _unwrap(annotation)
    if get_origin(core) in (tuple, list):
        args = [a for a in get_args(core) if a is not Ellipsis]
        if len(args) != 1:
            return []
        core, _, _ = _unwrap(args[0])
    if _is_model(core):
        return [core]
    if get_origin(core) in (typing.Union, types.UnionType):
        members = [_unwrap(a)[0] for a in get_args(core)]
        return [m for m in members if _is_model(m)]
    return []


def _model_of(annotation: Any) -> type[BaseModel] | None:
    models = _models_of(annotation)
    return models[0] if len(models) == 1 else None


def _type_name(annotation: Any) -> str:
    core, _, _ = _unwrap(annotation)
    if get_origin(core) is Literal:
        return "string"
    if get_origin(core) in (typing.Union, types.UnionType):
        return " or ".join(dict.fromkeys(_type_name(a) for a in get_args(core)))
    if get_origin(core) in (tuple, list):
        return "array of tables" if _models_of(core) else "array"
    names = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        datetime: "date-time",
    }
    if inspect.isclass(core) and issubclass(core, BaseModel):
        return "table"
    if inspect.isclass(core) and issubclass(core, enum.Enum):
        return "string"
    return names.get(core, getattr(core, "__name__", str(core)))


def _validator_text(meta: list[Any]) -> str:
    """The sentence a field's validator puts in its error message, or its docstring."""
    for m in meta:
        func = getattr(m, "func", None)
        if func is None:
            continue
        closure = dict(
            zip(
                func.__code__.co_freevars,
                (c.cell_contents for c in func.__closure__ or ()),
                strict=True,
            )
        )
        for name in ("text", "allowed"):
            if isinstance(closure.get(name), str):
                return closure[name]
        source = _source(func)
        found = re.search(r'fail\(\s*(?:f?"([^"]+)")', source)
        if found and "{" not in found.group(1):
            return found.group(1)
        doc = inspect.getdoc(func)
        if doc:
            return doc.splitlines()[0].rstrip(".")
    return ""


def _allowed(annotation: Any) -> str:
    core, meta, _ = _unwrap(annotation)
    if get_origin(core) is Literal:
        return ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in get_args(core))
    if get_origin(core) in (typing.Union, types.UnionType):
        return "; or ".join(filter(None, (_allowed(a) for a in get_args(core))))
    return _validator_text(meta)


@functools.cache
def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


def _attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """``key -> text`` from the model docstring's numpydoc Attributes section."""
    doc = inspect.getdoc(model) or ""
    if "Attributes\n----------" not in doc:
        return {}
    section = doc.split("Attributes\n----------", 1)[1]
    section = re.split(r"\n\w[\w ]*\n-{3,}", section)[0]
    out: dict[str, str] = {}
    current: list[str] = []
    text: list[str] = []

    def flush() -> None:
        for key in current:
            out[key] = " ".join(text).strip()

    for line in section.splitlines():
        head = re.match(r"^([a-z_][\w, ]*?)\s*:\s*(.*)$", line)
        if head and not line.startswith(" "):
            flush()
            current = [k.strip() for k in head.group(1).split(",")]
            rest = head.group(2)
            # "name : type" lines carry the type; "name : text." ones the meaning.
            typed = re.match(r"^(str|int|float|bool|tuple|list|dict|datetime|\(|[A-Z]\w*)", rest)
            text = [] if typed and len(rest) < 40 and not rest.endswith(".") else [rest]
        elif line.startswith(" "):
            text.append(line.strip())
        elif not line.strip():
            continue
    flush()
    return out


@functools.cache
def _module_texts() -> tuple[str, ...]:
    return tuple(p.read_text(encoding="utf-8") for p in sorted(_ROOT.rglob("*.py")))


@functools.cache
def _constant_anchors(name: str) -> list[str]:
    """``references.md#anchor`` cited on or just above ``NAME = ...`` in any lifeline module."""
    pattern = re.compile(rf"^{re.escape(name)}\s*(:[^=]*)?=", re.M)
    for text in _module_texts():
        found = pattern.search(text)
        if found:
            start = text.rfind("\n\n", 0, found.start())
            end = text.find("\n", found.end())
            return _ANCHOR.findall(text[max(start, 0) : end])
    return []


def _field_anchors(model: type[BaseModel], key: str, attr_doc: str) -> list[str]:
    source = _source(model)
    anchors = _ANCHOR.findall(attr_doc)
    line = re.search(
        rf"^(?:\s*#.*\n)*\s*{re.escape(key)}\s*:[^\n]*(?:\n\s{{8,}}[^\n]*)*", source, re.M
    )
    if line:
        anchors += _ANCHOR.findall(line.group(0))
        default = re.search(r"=\s*\(?\s*([A-Z][A-Z0-9_]+)\b", line.group(0))
        if default:
            anchors += _constant_anchors(default.group(1))
    return list(dict.fromkeys(anchors))


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "—"
    if isinstance(value, BaseModel):
        return "(table)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_default_item(v) for v in value) + "]" if value else "[]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _default_item(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


_ROLE = re.compile(r":(?:attr|func|mod|class|data|meth):`~?([^`]+)`")


def _plain(text: str) -> str:
    """reStructuredText roles and double back-quotes as Markdown code."""
    return re.sub(r"``([^`]+)``", r"`\1`", _ROLE.sub(r"`\1`", text))


def _mentioned(model: type[BaseModel], key: str) -> str:
    """The first sentence of the model's docstring that names ``key``, when no Attributes
    entry describes it."""
    doc = re.sub(r"\s+", " ", inspect.getdoc(model) or "")
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z`])", doc):
        if f"``{key}``" in sentence:
            return sentence.strip()
    return ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _tables(model: type[BaseModel], path: str, many: bool, seen: set[str]) -> list[str]:
    """Markdown sections of a model (at TOML table ``path``, an array of tables when
    ``many``) and, after it, of the models it holds."""
    if path in seen:
        return []
    seen.add(path)
    table, _, tag = path.partition(" with ")
    heading = f"## `[[{table}]]`" if many else (f"## `[{table}]`" if table else "## Top level")
    heading += f", `{tag}`" if tag else ""
    docs = _attribute_docs(model)
    summary = _plain((inspect.getdoc(model) or "").split("\n\n")[0].replace("\n", " "))
    lines = [heading, "", summary, ""]
    lines += [
        "| key | type | unit | default | allowed | meaning | source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    children = []
    for key, field in model.model_fields.items():
        name = field.alias or key
        doc = docs.get(key) or docs.get(name) or field.description or _mentioned(model, name)
        anchors = _field_anchors(model, key, doc)
        source = ", ".join(f"[{a}](references.md#{a})" for a in anchors)
        lines.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    f"`{name}`",
                    _type_name(field.annotation),
                    _unit(name),
                    _default(field),
                    _allowed(field.annotation),
                    _plain(_ANCHOR.sub(lambda m: m.group(1), doc)),
                    source,
                )
            )
            + " |"
        )
        models = _models_of(field.annotation)
        inner = f"{path}.{name}" if path else name
        for child in models:
            tag = ""
            if len(models) > 1:  # a union: one table per kind, named by its Literal tag
                for k, f in child.model_fields.items():
                    if get_origin(_unwrap(f.annotation)[0]) is Literal:
                        tag = f'{f.alias or k} = "{get_args(_unwrap(f.annotation)[0])[0]}"'
                        break
            many = _type_name(field.annotation) == "array of tables"
            children.append((child, inner + (f" with {tag}" if tag else ""), many))
    out = [*lines, ""]
    for child, child_path, child_many in children:
        out += _tables(child, child_path, child_many, seen)
    return out


def render() -> str:
    """The whole of ``docs/scenario.md``."""
    from lifeline.config import Scenario

    head = [
        "# Scenario reference",
        "",
        f"<!-- Generated from the schema by `{COMMAND}`; do not edit by hand. -->",
        "",
        PREAMBLE,
        LOADING,
    ]
    return "\n".join(head + _tables(Scenario, "", False, set())).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write docs/scenario.md from the schema.")
    parser.add_argument("--check", type=Path, help="exit 1 if this file is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check is not None:
        if args.check.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{args.check} is out of date: run {COMMAND}\n")
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
