"""Sweep files: a scenario with a ``[sweep]`` table, loaded and checked against its scenario.

:func:`load_sweep` reads the file (or a shipped sweep preset), validates the scenario without its
``[sweep]`` table (:func:`lifeline.config.load.scenario_from_dict`) and the table itself
(:class:`lifeline.config.sweep.SweepConfig`), checks the names it gives against the scenario's
sites, and checks that every grid point gives a valid scenario (:func:`grid_variant`). Drawing
and running the samples is :mod:`lifeline.sweep`.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lifeline.config.errors import to_scenario_error
from lifeline.config.load import locate, read_toml, scenario_from_dict
from lifeline.config.scenario import Scenario
from lifeline.config.sweep import SiteLoss, SweepConfig
from lifeline.errors import ScenarioError

__all__ = [
    "Sweep",
    "config_json",
    "grid_variant",
    "load_sweep",
    "resolved_dict",
    "set_path",
    "sweep_preset_names",
]

_PATH_RE = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _path_parts(path: str) -> list[str | int]:
    """``"terminals[0].alt_m"`` → ``["terminals", 0, "alt_m"]`` (raises ValueError if malformed)."""
    parts: list[str | int] = []
    pos = 0
    for m in _PATH_RE.finditer(path):
        gap = path[pos : m.start()]
        if gap not in ("", ".") or (gap == "." and not parts):
            raise ValueError(path)
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    if pos != len(path) or not parts or not isinstance(parts[0], str):
        raise ValueError(path)
    return parts


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the field at a dotted path (``network.isl``, ``terminals[0].alt_m``) in place.

    Intermediate tables and array entries must exist; the last key may be new (an optional
    field left at its default). Raises KeyError or IndexError naming what is missing.
    """
    parts = _path_parts(path)
    node: Any = data
    for here, part in enumerate(parts[:-1]):
        where = ".".join(str(p) for p in parts[: here + 1])
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                raise IndexError(f"{where}: no entry {part}")
            node = node[part]
        else:
            if not isinstance(node, dict) or not isinstance(node.get(part), dict | list):
                raise KeyError(f"{where}: no such table")
            node = node[part]
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            raise IndexError(f"{path}: no entry {last}")
    elif not isinstance(node, dict):
        raise KeyError(f"{path}: not a table field")
    node[last] = value


def _lists(value: Any) -> Any:
    """Tuples as lists, recursively (as TOML gives arrays), so paths can set their entries."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def resolved_dict(scenario: Scenario) -> dict[str, Any]:
    """The validated scenario as a plain dict that validates back to it on its own: ``extends``
    merged in, input files as absolute paths, the stations of a ``ground_stations_file``
    already among the terminals (so the file is not read again)."""
    data = _lists(scenario.model_dump(mode="python", by_alias=True, exclude_none=True))
    data.pop("extends", None)
    data.pop("ground_stations_file", None)
    const, net = scenario.constellation, scenario.network
    if const.tle_path is not None:
        data["constellation"]["tle_file"] = str(const.tle_path)
    if const.hypatia_tle_path is not None:
        data["constellation"]["hypatia_tle_file"] = str(const.hypatia_tle_path)
    if net.isl_path is not None:
        data["network"]["isl_file"] = str(net.isl_path)
    return data


@dataclass(frozen=True)
class Sweep:
    """A loaded sweep file.

    Attributes
    ----------
    source : str
        The file (or ``"sweep-preset:NAME"``), for messages and the manifest.
    base : Scenario
        The scenario without its ``[sweep]`` table.
    resolved : dict
        ``base`` as a self-contained dict (:func:`resolved_dict`): what variants start from.
    config : SweepConfig
    grid_points : list of dict
        Every combination of the grid's values (``[{}]`` without a grid), in row-major order.
    """

    source: str
    base: Scenario
    resolved: dict[str, Any]
    config: SweepConfig
    grid_points: list[dict[str, Any]]

    @property
    def fingerprint(self) -> str:
        """SHA-1 of what the samples depend on (base scenario and ``[sweep]`` table)."""
        text = json.dumps(
            {"scenario": self.resolved, "sweep": config_json(self.config)},
            sort_keys=True,
            default=str,
        )
        return hashlib.sha1(text.encode()).hexdigest()


def config_json(config: SweepConfig) -> dict[str, Any]:
    """The ``[sweep]`` table as JSON-ready values (ranges as [min, max])."""
    return json.loads(json.dumps(config.model_dump(mode="python"), default=str))


def _sweep_folder() -> Path:
    return Path(str(resources.files("lifeline.presets"))) / "sweeps"


def sweep_preset_names() -> list[str]:
    """Names of the shipped sweep presets (``lifeline/presets/sweeps/*.toml``)."""
    return sorted(p.stem for p in _sweep_folder().glob("*.toml"))


def _sweep_preset(name: str) -> tuple[Path, str]:
    names = sweep_preset_names()
    if name not in names:
        raise ScenarioError(
            f"sweep-preset:{name}",
            "",
            name,
            f"a sweep preset ({', '.join(names)}) or a path to a .toml file with a [sweep] table",
        )
    return _sweep_folder() / f"{name}.toml", f"sweep-preset:{name}"


def load_sweep(source: str | Path) -> Sweep:
    """Load a scenario file (or sweep preset) with a ``[sweep]`` table and check it.

    Parameters
    ----------
    source : str or pathlib.Path
        A ``.toml`` path or a sweep preset name (:func:`sweep_preset_names`).

    Returns
    -------
    Sweep

    Raises
    ------
    ScenarioError
        Naming ``sweep.<field>`` for a problem in the ``[sweep]`` table (unknown key, bad range,
        unknown site name, grid path or value the scenario does not accept), or the scenario's
        own field for a problem elsewhere.
    """
    path, label = locate(source, None, _sweep_preset, "sweep", sweep_preset_names)
    data = read_toml(path, label)
    raw = data.pop("sweep", None)
    if not isinstance(raw, dict):
        raise ScenarioError(
            label,
            "sweep",
            raw,
            "a [sweep] table naming the unknowns (gateways, pops, regions, satellite_failure, "
            "isl_failure, terminals, rain, jammer, grid); see docs/sweeps.md",
        )
    base = scenario_from_dict(data, label, base_dir=path.parent)
    try:
        config = SweepConfig.model_validate(raw)
    except ValidationError as exc:
        raise to_scenario_error(exc, label, SweepConfig, prefix=("sweep",)) from None
    resolved = resolved_dict(base)
    _check_names(config, base, label)
    grid_points = [
        dict(zip(config.grid, values, strict=True))
        for values in itertools.product(*config.grid.values())
    ]
    sweep = Sweep(label, base, resolved, config, grid_points)
    for point in grid_points:
        grid_variant(sweep, point)  # every grid point must give a valid scenario
    return sweep


def _check_names(config: SweepConfig, base: Scenario, source: str) -> None:
    for key, sites in (("gateways", base.gateways), ("pops", base.pops)):
        loss: SiteLoss | None = getattr(config, key)
        if loss is None or loss.among is None:
            continue
        known = [s.name for s in sites]
        for j, name in enumerate(loss.among):
            if name not in known:
                raise ScenarioError(
                    source,
                    f"sweep.{key}.among[{j}]",
                    name,
                    f"the name of a [[{key}]] entry (one of: {', '.join(known)})",
                )
    loss = config.gateways
    if loss is not None and loss.among is None and loss.lost and loss.lost[1] > len(base.gateways):
        raise ScenarioError(
            source,
            "sweep.gateways.lost",
            loss.lost[1],
            f"at most the scenario's {len(base.gateways)} gateways",
        )
    loss = config.pops
    if loss is not None and loss.among is None and loss.lost and loss.lost[1] > len(base.pops):
        raise ScenarioError(
            source, "sweep.pops.lost", loss.lost[1], f"at most the scenario's {len(base.pops)} PoPs"
        )


def grid_variant(sweep: Sweep, point: dict[str, Any]) -> dict[str, Any]:
    """The resolved scenario dict with a grid point's values set (checked)."""
    data = copy.deepcopy(sweep.resolved)
    for path, value in point.items():
        try:
            set_path(data, path, value)
        except (ValueError, KeyError, IndexError) as exc:
            raise ScenarioError(
                sweep.source,
                f'sweep.grid."{path}"',
                value,
                f"a dotted path to a scenario field, e.g. network.isl or terminals[0].alt_m "
                f"({exc.args[0] if exc.args else 'malformed'})",
            ) from None
        try:
            scenario_from_dict(copy.deepcopy(data), sweep.source)
        except ScenarioError as exc:
            raise ScenarioError(
                sweep.source,
                f'sweep.grid."{path}"',
                value,
                f"a value the scenario accepts ({exc.field}: {exc.allowed})",
            ) from None
    return data
