"""``docs/scenario.md``, the reference of every scenario and sweep key, written from the schema.

    python -m lifeline.config.reference > docs/scenario.md

Everything in the reference comes from the models in :mod:`lifeline.config`, so the text lives
in one place and a new key appears when the document is regenerated:

- one section per TOML table, in the order the models nest (``[[events]]`` with its keys common
  to every kind, then one section per ``kind``; a model used at several places, such as
  ``[sweep.gateways]`` and ``[sweep.pops]``, once);
- per key: its type (from the annotation), unit (from the key's suffix, :data:`UNITS`),
  default, allowed values (what its validator accepts, recorded by
  :func:`lifeline.config.fields.allowing`, or a ``Literal``'s options), its meaning (the
  field's ``description``) and its sources (the ``references.md#anchor`` the description
  cites);
- the table's own rules (exactly one of, mutually exclusive keys) from the model's docstring;
- how ``extends`` merges, from :func:`lifeline.config.load.merge` and the key groups it uses.

``tests/unit/test_scenario_reference.py`` fails when ``docs/scenario.md`` differs from
:func:`render`, and when a key has no description or a validator does not say what it accepts.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from lifeline.config.fields import allowed_text
from lifeline.config.load import EXCLUSIVE_KEYS, PATH_KEYS, merge
from lifeline.config.scenario import Scenario
from lifeline.config.sweep import SweepConfig

__all__ = [
    "COMMAND",
    "UNITS",
    "Section",
    "main",
    "render",
    "sections",
    "tables_markdown",
    "unchecked_validators",
]

#: How to regenerate the document (named in its header and in the test's failure message).
COMMAND = "python -m lifeline.config.reference > docs/scenario.md"

#: Unit of a key by the suffix of its name (the project writes units in names); the longest
#: matching suffix wins.
UNITS = {
    "_dbw_per_mhz": "dBW/MHz",
    "_mbps_down_per_user": "Mbit/s",
    "_mbps_up_per_user": "Mbit/s",
    "_db_k": "dB/K",
    "_utc_hours": "h (UTC)",
    "_percent": "%",
    "_mm_h": "mm/h",
    "_mbps": "Mbit/s",
    "_kmh": "km/h",
    "_deg": "deg",
    "_ghz": "GHz",
    "_mhz": "MHz",
    "_dbw": "dBW",
    "_utc": "UTC",
    "_km": "km",
    "_ms": "ms",
    "_db": "dB",
    "_wh": "Wh",
    "_m": "m",
    "_s": "s",
    "_w": "W",
    "_k": "K",
}

_CITATION = re.compile(r"references\.md#([a-z0-9-]+)")
_ROLE = re.compile(r":(?:attr|func|mod|class|data|meth):`~?([^`]+)`")


# ----------------------------------------------------------------------------------------------
# Reading the models
# ----------------------------------------------------------------------------------------------


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (typing.Union, types.UnionType)


def _strip(annotation: Any) -> Any:
    """The type under any ``Annotated`` layers."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _alternatives(annotation: Any) -> list[Any]:
    """The alternatives of a (possibly ``Annotated``) union, ``None`` left out, in order; a
    one-element list for any other type."""
    if _is_union(_strip(annotation)):
        args = [a for a in get_args(_strip(annotation)) if a is not type(None)]
        return [alt for a in args for alt in _alternatives(a)]
    return [annotation]


def _metadata(annotation: Any) -> list[Any]:
    """``Annotated`` metadata of an annotation and of each alternative of a union in it."""
    if get_origin(annotation) is Annotated:
        inner, *meta = get_args(annotation)
        return meta + _metadata(inner)
    if _is_union(annotation):
        return [m for a in get_args(annotation) for m in _metadata(a)]
    return []


def _validators(info: FieldInfo) -> list[Any]:
    """Validator metadata of a field: pydantic keeps a top-level ``Annotated``'s in
    ``metadata`` and leaves those inside ``X | None`` in the annotation."""
    return list(info.metadata) + _metadata(info.annotation)


def _is_model(t: Any) -> bool:
    return inspect.isclass(t) and issubclass(t, BaseModel)


def _items(annotation: Any) -> Any | None:
    """Item type of a ``tuple[X, ...]`` (or ``list[X]``), else ``None``."""
    core = _strip(annotation)
    args = get_args(core)
    if get_origin(core) is list and len(args) == 1:
        return args[0]
    if get_origin(core) is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    return None


def _children(annotation: Any) -> tuple[list[type[BaseModel]], bool]:
    """The models a key holds (several for a union such as ``[[events]]``), and whether it is
    an array of tables."""
    found: list[type[BaseModel]] = []
    many = False
    for alt in _alternatives(annotation):
        item = _items(alt)
        if item is not None:
            models = [_strip(m) for m in _alternatives(item) if _is_model(_strip(m))]
            many = many or bool(models)
            found += models
        elif _is_model(_strip(alt)):
            found.append(_strip(alt))
    return found, many


_NAMES = {bool: "boolean", int: "integer", float: "number", str: "string", datetime: "date-time"}


def _type_name(annotation: Any, validators: tuple[Any, ...] = ()) -> str:
    """The TOML type of a key: what its validator says TOML may hold
    (``json_schema_input_type``), else what its annotation says."""
    given = [getattr(v, "json_schema_input_type", Any) for v in validators]
    if any(g is not Any for g in given):
        return _type_name(next(g for g in given if g is not Any))
    alternatives = _alternatives(annotation)
    if len(alternatives) > 1:
        return " or ".join(dict.fromkeys(_type_name(a) for a in alternatives))
    core = _strip(alternatives[0])
    if get_origin(core) is Literal:
        return " or ".join(dict.fromkeys(_NAMES[type(v)] for v in get_args(core)))
    item = _items(core)
    if item is not None:
        inner = _type_name(item)
        if inner == "table":
            return "array of tables"
        return "array of " + " or ".join(f"{t}s" for t in inner.split(" or "))
    if get_origin(core) is tuple:
        return "[" + ", ".join(_type_name(a) for a in get_args(core)) + "]"
    if get_origin(core) is dict or _is_model(core):
        return "table"
    return _NAMES.get(core, getattr(core, "__name__", str(core)))


def _literal(annotation: Any) -> tuple[Any, ...]:
    """The options of a ``Literal`` key (``()`` for any other)."""
    alternatives = _alternatives(annotation)
    core = _strip(alternatives[0]) if len(alternatives) == 1 else None
    return get_args(core) if get_origin(core) is Literal else ()


def _allowed(info: FieldInfo) -> str:
    """What the key accepts, alternative by alternative: its validators' sentences, a
    Literal's options, true or false."""
    texts = [allowed_text(m) for m in info.metadata]
    for alt in _alternatives(info.annotation):
        texts += [allowed_text(m) for m in _metadata(alt)]
        if get_origin(_strip(alt)) is Literal:
            texts.append(", ".join(_toml(v) for v in get_args(_strip(alt))))
        elif _strip(alt) is bool:
            texts.append("true or false")
    return "; or ".join(dict.fromkeys(t for t in texts if t))


def unchecked_validators(model: type[BaseModel]) -> list[str]:
    """Keys of `model` whose field validator does not say what it accepts
    (:func:`lifeline.config.fields.allowing`)."""
    out = []
    for key, info in model.model_fields.items():
        for meta in _validators(info):
            if type(meta).__name__ == "PlainValidator" and allowed_text(meta) is None:
                out.append(info.alias or key)
    return out


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return str(value)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    value = info.get_default(call_default_factory=True)
    if value is None:
        return "not set"
    if isinstance(value, BaseModel):
        return "its defaults"
    return _toml(value)


def _unit(key: str) -> str:
    for suffix in sorted(UNITS, key=len, reverse=True):
        if f"_{key}".endswith(suffix):
            return UNITS[suffix]
    return ""


# ----------------------------------------------------------------------------------------------
# Text
# ----------------------------------------------------------------------------------------------


def _markdown(text: str) -> str:
    """reStructuredText roles and double back-quotes as Markdown code, citations as links."""
    text = re.sub(r"``([^`]+)``", r"`\1`", _ROLE.sub(r"`\1`", text))
    return _CITATION.sub(r"[references.md#\1](references.md#\1)", text)


def _paragraphs(doc: str) -> str:
    """A docstring's paragraphs (up to a numpydoc section), each joined onto one line."""
    doc = re.split(r"\n\s*\n(?=[A-Z][a-z]+\n-{3,})", inspect.cleandoc(doc))[0]
    return "\n\n".join(" ".join(p.split()) for p in doc.split("\n\n") if p.strip())


def _sources(description: str) -> tuple[str, list[str]]:
    """A description without its ``references.md#anchor`` citations, and the anchors."""
    anchors = list(dict.fromkeys(_CITATION.findall(description)))
    text = re.sub(r"[;,]?\s*references\.md#[a-z0-9-]+", "", description)
    return re.sub(r"\s*\(\s*\)", "", text), anchors


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# ----------------------------------------------------------------------------------------------
# Sections
# ----------------------------------------------------------------------------------------------


@dataclass
class Section:
    """One table of the reference: a model at one or more TOML paths."""

    model: type[BaseModel]
    paths: list[str]
    many: bool
    keys: list[str]  # the keys shown (a union member: its own, the others are the common ones)
    tag: str = ""  # ``kind = "..."`` of a union member
    kinds: str = ""  # the tag values, in the section of a union's common keys
    level: int = 2
    about: type[BaseModel] | None = None  # whose docstring introduces it (default: model)

    @property
    def anchor(self) -> str:
        where = f"{self.paths[0]} {self.tag}" if self.paths[0] else "top level"
        return re.sub(r"[^a-z0-9]+", "-", where.lower()).strip("-")

    @property
    def title(self) -> str:
        if not self.paths[0]:
            return "Top level"
        names = ", ".join(f"`[[{p}]]`" if self.many else f"`[{p}]`" for p in self.paths)
        return f"{names} with `{self.tag}`" if self.tag else names

    def intro(self) -> str:
        """The table's own rules, from its model's docstring."""
        if not self.paths[0]:
            return ""
        text = _paragraphs((self.about or self.model).__doc__ or "")
        if self.kinds:
            text += "\n\nEvery kind has the keys below; the sections after add each kind's own."
        return _markdown(text.strip())


def _tag(model: type[BaseModel]) -> tuple[str, str]:
    """(key, value) of the ``Literal`` that tells a union member apart (``kind``)."""
    for key, info in model.model_fields.items():
        if len(_literal(info.annotation)) == 1:
            return info.alias or key, _literal(info.annotation)[0]
    raise ValueError(f"{model.__name__} has no Literal tag")


def sections(root: type[BaseModel], path: str = "") -> list[Section]:
    """The tables under `root` (at TOML path `path`) in the order they nest, each model once."""
    out: list[Section] = []
    seen: dict[type[BaseModel], Section] = {}

    def walk(model: type[BaseModel], path: str, many: bool) -> None:
        if model in seen:
            seen[model].paths.append(path)
            return
        seen[model] = Section(model, [path], many, list(model.model_fields))
        out.append(seen[model])
        for key, info in model.model_fields.items():
            children, child_many = _children(info.annotation)
            where = f"{path}.{info.alias or key}" if path else info.alias or key
            if len(children) == 1:
                walk(children[0], where, child_many)
            elif children:
                union(children, where, child_many)

    def union(members: list[type[BaseModel]], path: str, many: bool) -> None:
        """A table whose keys depend on a tag: its common keys, then one section per tag."""
        common = [k for k in members[0].model_fields if all(k in m.model_fields for m in members)]
        tags = [_tag(m) for m in members]
        kinds = ", ".join(_toml(value) for _, value in tags)
        shared = set.intersection(*(set(m.__mro__) for m in members))
        base = next(c for c in members[0].__mro__ if c in shared)  # e.g. TimeWindow
        out.append(Section(members[0], [path], many, common, kinds=kinds, about=base))
        for model, (key, value) in zip(members, tags, strict=True):
            own = [k for k in model.model_fields if k not in common]
            out.append(Section(model, [path], many, own, tag=f"{key} = {_toml(value)}", level=3))

    walk(root, path, False)
    return out


def _row(section: Section, key: str, tables: dict[str, Section]) -> str:
    """A key's line: name, type, unit, default, allowed, meaning, sources."""
    info = section.model.model_fields[key]
    name = info.alias or key
    allowed = _allowed(info)
    if section.kinds and _literal(info.annotation):
        allowed = section.kinds
    child = tables.get(f"{section.paths[0]}.{name}" if section.paths[0] else name)
    if child is not None:
        allowed = "; ".join(filter(None, (allowed, f"see [{child.title}](#{child.anchor})")))
    description, anchors = _sources(info.description or "")
    cells = (
        f"`{name}`",
        _type_name(info.annotation, tuple(_validators(info))),
        _unit(name),
        _default(info),
        allowed,
        _markdown(description),
        ", ".join(f"[{a}](references.md#{a})" for a in anchors),
    )
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def tables_markdown(found: list[Section]) -> list[str]:
    """Markdown lines of the tables :func:`sections` found: heading, rules, one row per key."""
    tables = {p: s for s in found if not s.tag for p in s.paths}
    lines: list[str] = []
    for s in found:
        lines += [f'<a id="{s.anchor}"></a>', "", f"{'#' * s.level} {s.title}", ""]
        lines += [s.intro(), ""] if s.intro() else []
        if s.keys:
            lines += [
                "| key | type | unit | default | allowed | meaning | source |",
                "| --- | --- | --- | --- | --- | --- | --- |",
                *(_row(s, k, tables) for k in s.keys),
                "",
            ]
    return lines


# ----------------------------------------------------------------------------------------------
# The document
# ----------------------------------------------------------------------------------------------


def _extends() -> list[str]:
    """How ``extends`` merges: :func:`merge`'s docstring and the key groups it uses."""
    lines = [
        '<a id="extends"></a>',
        "",
        "## `extends`: building on another scenario",
        "",
        '`extends = "NAME-or-path"` loads a base scenario (a preset name, or a `.toml` path '
        "relative to this file's folder; a base may extend another) and merges this file over "
        "it.",
        "",
        _markdown(_paragraphs(merge.__doc__ or "").split("\n\n", 1)[-1]),  # after the summary
        "",
        "Keys that exclude each other, per table:",
        "",
    ]
    for table, (given, dropped) in EXCLUSIVE_KEYS.items():
        setting = ", ".join(f"`{k}`" for k in sorted(given))
        drops = ", ".join(f"`{k}`" for k in sorted(dropped))
        lines.append(
            f"- `[{table}]`: setting any of {setting} drops the base's {drops} "
            "(those this file does not set)."
        )
    keys = ", ".join(f"`{k}`" for k in PATH_KEYS)
    lines += [
        "- `[network]`: `isl = false` drops the base's `isl_file`.",
        "",
        f"Relative paths in a base ({keys}, and its own `extends`) are resolved against the "
        "base file's folder, so a base works the same when extended from another folder.",
        "",
    ]
    return lines


_PREAMBLE = f"""\
# Scenario reference

<!-- Generated from the schema in lifeline/config by `{COMMAND}`. Do not edit by hand:
tests/unit/test_scenario_reference.py fails when this file is out of date. -->

A scenario is one TOML file: *when* (`[time]`), *which satellites* (`[constellation]`), *how
the network behaves* (`[network]`), *where* (`[[terminals]]`, `[[gateways]]`, `[[pops]]`) and
*what goes wrong* (`[[events]]`, `[[rain]]`, `[[jammers]]`). `lifeline validate FILE` checks
one; the presets in `lifeline/presets/` are worked examples (`mariupol-2022.toml` is
commented). A wrong value is reported with the file, the key (`terminals[2].lat_deg`), the
value and what is allowed; unknown keys are errors.

Each table below lists every key with its type, unit (the project writes units in key names:
`_deg`, `_km`, `_s`, ...), default ("required" when it has none; "not set" when leaving it out
means something the meaning column says), the values it allows, what it means and the source
of its default or model in [references.md](references.md). Dates are RFC 3339 date-times with
a timezone (`2022-05-11T00:00:00Z`).
"""


def render() -> str:
    """The whole of ``docs/scenario.md``."""
    scenario = sections(Scenario)
    sweep = sections(SweepConfig, "sweep")
    contents = [
        "Contents: [extends](#extends)",
        *(f"[{s.title}](#{s.anchor})" for s in scenario[1:] if s.level == 2),
        "[sweep files](#sweep-files)",
    ]
    lines = [
        _PREAMBLE,
        " · ".join(contents),
        "",
        *_extends(),
        *tables_markdown(scenario),
        '<a id="sweep-files"></a>',
        "",
        "## Sweep files",
        "",
        "A sweep file is a scenario (or `extends = \"...\"` of one) with a `[sweep]` table: "
        "`lifeline sweep FILE --samples N --seed S` draws every unknown it lists once per "
        "sample ([sweeps.md](sweeps.md)).",
        "",
        *tables_markdown(sweep),
    ]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    """Write the reference to standard output (UTF-8)."""
    sys.stdout.buffer.write(render().encode("utf-8"))


if __name__ == "__main__":
    main()
