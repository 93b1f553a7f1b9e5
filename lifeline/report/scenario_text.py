"""The resolved scenario as a readable HTML section: tables as key/value lists, arrays of tables
(terminals, gateways, PoPs, events) as small tables, nothing as a raw JSON dump.

Every string is HTML-escaped here (names, descriptions and file paths are user text).
"""

from __future__ import annotations

import html
import json

__all__ = ["scenario_html"]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and all(
        isinstance(x, int | float | str) and not isinstance(x, bool) for x in value
    ):
        return ", ".join(_value(x) for x in value)
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _flat(table: dict, prefix: str = "") -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for key, value in table.items():
        if isinstance(value, dict):
            out += _flat(value, f"{prefix}{key}.")
        elif value is not None and value != [] and value != ():
            out.append((f"{prefix}{key}", value))
    return out


def _key_values(items: list[tuple[str, object]]) -> str:
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(_value(v))}</td></tr>" for k, v in items)
    return f"<table class='kv'>{rows}</table>"


def _rows_table(rows: list[dict]) -> str:
    flat = [dict(_flat(r)) for r in rows]
    keys = list(dict.fromkeys(k for r in flat for k in r))
    head = "".join(f"<th>{_e(k)}</th>" for k in keys)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(_value(r.get(k)))}</td>" for k in keys) + "</tr>" for r in flat
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f"<div class='table-wrap'>{table}</div>"


def scenario_html(scenario: dict) -> str:
    """HTML for the scenario: top-level keys, then one heading per table or array of tables.

    Parameters
    ----------
    scenario : dict
        The scenario as JSON data (``scenario.json`` of a run).
    """
    top = [
        (k, v)
        for k, v in scenario.items()
        if k != "description" and not isinstance(v, dict | list) and v is not None
    ]
    parts = [_key_values(top)] if top else []
    for key, value in scenario.items():
        if isinstance(value, dict):
            items = _flat(value)
            if items:
                parts.append(f"<h4>[{_e(key)}]</h4>" + _key_values(items))
        elif isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
            parts.append(f"<h4>[[{_e(key)}]] ({len(value)})</h4>" + _rows_table(value))
        elif isinstance(value, list) and value:
            parts.append(f"<h4>{_e(key)}</h4><p>{_e(_value(value))}</p>")
    return "".join(parts)
