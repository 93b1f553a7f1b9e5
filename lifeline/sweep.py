"""Sweeps: many plausible futures of one scenario, run on Dask, resumable.

A sweep file is a scenario file with a ``[sweep]`` table naming what nobody knows and how it is
distributed; every sample is an ordinary scenario variant whose unknowns became ``[[events]]``
(:mod:`lifeline.events`), so a sample's figures equal those of ``lifeline run`` on that variant.

``[sweep]`` keys (all optional; each sample draws them all):

=========================  =====================================================================
``gateways``, ``pops``     sites lost for the whole window: ``among = [names]`` (default: all
                           of the scenario's), and ``lost = k`` or ``lost = [k_min, k_max]``
                           (that many, uniformly chosen) or ``probability = p`` (each
                           independently)
``[[sweep.regions]]``      ``name``, ``probability`` and a region as in a ``ground_loss`` event
                           (circle or polygon): every gateway and PoP in it is lost
``satellite_failure``      ``fraction = f`` or ``[f_min, f_max]`` (uniform) of all satellites
                           fail, drawn with a recorded seed
``isl_failure``            the same for laser links
``terminals``              ``count = n`` or ``[n_min, n_max]``: keep the first n terminals
``rain``                   rain over a circle (``lat_deg``, ``lon_deg``, ``radius_km``) for the
                           whole window with ``probability`` (default 1), ``rate_mm_h = r`` or
                           ``[r_min, r_max]`` (uniform)
``jammer``                 one downlink jammer placed uniformly within ``radius_km`` of
                           (``lat_deg``, ``lon_deg``), ``eirp_dbw`` (number or uniform range),
                           ``bandwidth_mhz``, optional ``alt_m``, ``extra_loss_db``,
                           ``probability`` (present at all, default 1)
``grid``                   ``"dotted.path" = [values]``: a plain grid over any scenario field
                           (``"network.isl" = [true, false]``, ``"terminals[0].alt_m" = [...]``);
                           each grid point gets every random draw (common random numbers)
=========================  =====================================================================

Determinism: draw ``d`` of a sweep with seed ``S`` uses ``numpy.random.default_rng(s)`` with
``s = SeedSequence([S, d]).generate_state(1)[0]``, recorded as ``sample_seed``; the same seed gives
the same samples and results, whatever the number of workers or the order they finish in.

Each sample is run by the engine's public entry point (:func:`lifeline.api.run`), so its figures
are those of ``lifeline run`` on its variant by construction. What the unknowns cannot change
(satellites, laser links, propagated chunks, each instant's geometry and the terminals' view)
is built once per worker process and shared by its samples
(:class:`lifeline.engine.SharedInputs`, kept in :data:`SAMPLE_INPUTS`).

Resuming: every finished sample is written atomically to ``OUT/samples/`` (one Parquet file per
sample, named by grid point and draw, with that name in its metadata), beside a manifest
``OUT/sweep.json``; a file is either complete or absent, and ``resume=True`` runs only the
samples without a complete file of status ``ok``.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import logging
import math
import os
import re
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from lifeline.api import run as api_run
from lifeline.engine import SharedInputsCache
from lifeline.errors import ScenarioError
from lifeline.events import GroundLoss
from lifeline.geo import destination_deg
from lifeline.results import atomic_path, write_json
from lifeline.scenario import Scenario, scenario_from_dict

__all__ = [
    "SampleSpec",
    "Sweep",
    "SweepConfig",
    "SweepResult",
    "load_sweep",
    "plan_samples",
    "run_sample",
    "run_sweep",
    "summarize_sweep",
    "sweep_preset_names",
]

log = logging.getLogger(__name__)

SWEEP_SCHEMA_VERSION = "1"
_ERROR_TYPE = "lifeline"
#: Columns of the sample tables that describe the run, not an unknown (never rank-correlated).
META_COLUMNS = (
    "sample",
    "grid_point",
    "draw",
    "seed",
    "sample_seed",
    "status",
    "error",
    "elapsed_s",
    "satellite_failure_seed",
    "isl_failure_seed",
)
#: Per-terminal figures of each sample (from :func:`lifeline.results.summarize`).
FIGURES = (
    "availability_pct",
    "rtt_ms_p5",
    "rtt_ms_p50",
    "rtt_ms_p95",
    "handovers",
    "outages",
    "longest_outage_s",
    "time_to_first_service_s",
    "throughput_mbps_p5",
    "throughput_mbps_p50",
    "demand_served_pct",
)


# --------------------------------------------------------------------------------------------
# The [sweep] table
# --------------------------------------------------------------------------------------------


def _fail(allowed: str, *, loc: tuple[str | int, ...] = (), value: Any = None) -> Exception:
    ctx: dict[str, Any] = {"allowed": allowed, "loc": loc}
    if value is not None:
        ctx["value"] = value
    return PydanticCustomError(_ERROR_TYPE, "{allowed}", ctx)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _range(lo: float, hi: float, integer: bool) -> PlainValidator:
    """A fixed value or a ``[min, max]`` range within lo..hi, as a (min, max) tuple."""
    kind = "an integer" if integer else "a number"
    allowed = f"{kind} in {lo:g}..{hi:g}, or [min, max] with min <= max in that range"

    def ok(v: Any) -> bool:
        if not _is_number(v) or (integer and not isinstance(v, int)):
            return False
        return lo <= v <= hi

    def check(value: Any) -> tuple[float, float]:
        if isinstance(value, list | tuple):
            if len(value) != 2 or not all(ok(v) for v in value) or value[0] > value[1]:
                raise _fail(allowed)
            return (value[0], value[1])
        if not ok(value):
            raise _fail(allowed)
        return (value, value)

    return PlainValidator(check)


def _bounded(lo: float, hi: float) -> PlainValidator:
    """A plain number within lo..hi."""

    def check(value: Any) -> float:
        if not _is_number(value) or not lo <= value <= hi:
            raise _fail(f"a number in {lo:g}..{hi:g}")
        return float(value)

    return PlainValidator(check)


def _probability(value: Any) -> float:
    if not _is_number(value) or not 0 <= value <= 1:
        raise _fail("a probability in 0..1")
    return float(value)


def _names(value: Any) -> tuple[str, ...]:
    allowed = "a non-empty array of distinct names"
    if not isinstance(value, list | tuple) or not value:
        raise _fail(allowed)
    if any(not isinstance(v, str) or not v.strip() for v in value) or len(set(value)) < len(value):
        raise _fail(allowed)
    return tuple(value)


Probability = Annotated[float, PlainValidator(_probability)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteLoss(_Model):
    """``[sweep.gateways]`` / ``[sweep.pops]``: which of these sites are lost.

    Attributes
    ----------
    among : tuple of str or None
        Candidate names (default: every site of that kind in the scenario).
    lost : (int, int) or None
        Number lost, uniform in ``lost[0]..lost[1]`` (inclusive), chosen without replacement.
    probability : float or None
        Instead of ``lost``: each candidate is lost independently with this probability.
    """

    among: Annotated[tuple[str, ...], PlainValidator(_names)] | None = None
    lost: Annotated[tuple[int, int], _range(0, 100_000, integer=True)] | None = None
    probability: Probability | None = None

    @model_validator(mode="after")
    def _check(self) -> SiteLoss:
        if (self.lost is None) == (self.probability is None):
            raise _fail("exactly one of lost = k (or [k_min, k_max]) and probability = p")
        if self.among is not None and self.lost is not None and self.lost[1] > len(self.among):
            raise _fail(
                f"at most the {len(self.among)} names of among",
                loc=("lost",),
                value=self.lost[1],
            )
        return self


class RegionLoss(_Model):
    """``[[sweep.regions]]``: a region whose gateways and PoPs are all lost with a probability.

    The region keys are those of a ``ground_loss`` event (:class:`lifeline.events.GroundLoss`).
    """

    name: Annotated[str, PlainValidator(lambda v: _names([v])[0])]
    probability: Probability
    center_lat_deg: float | None = None
    center_lon_deg: float | None = None
    radius_km: float | None = None
    polygon_lat_deg: tuple[float, ...] | None = None
    polygon_lon_deg: tuple[float, ...] | None = None

    def event(self) -> dict[str, Any]:
        """The ``[[events]]`` table of this region's loss over the whole window."""
        keys = ("center_lat_deg", "center_lon_deg", "radius_km", "polygon_lat_deg")
        geometry = {k: getattr(self, k) for k in (*keys, "polygon_lon_deg")}
        return {"kind": "ground_loss", **{k: v for k, v in geometry.items() if v is not None}}

    @model_validator(mode="before")
    @classmethod
    def _check_region(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        region = {k: v for k, v in data.items() if k not in ("name", "probability")}
        try:
            GroundLoss.model_validate({"kind": "ground_loss", **region})
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            ctx = err.get("ctx") or {}
            loc = tuple(err["loc"]) + tuple(ctx.get("loc", ()))
            allowed = ctx.get("allowed", err["msg"])
            if err["type"] == "extra_forbidden":
                allowed = f"unknown key {loc[-1]!r}; a region takes the keys of a ground_loss event"
            raise _fail(str(allowed), loc=loc, value=ctx.get("value", err.get("input"))) from None
        return data


class FailureFraction(_Model):
    """``[sweep.satellite_failure]`` / ``[sweep.isl_failure]``: a failing fraction.

    Attributes
    ----------
    fraction : (float, float)
        Uniform in ``fraction[0]..fraction[1]`` (a single number: always that), in 0..1.
    """

    fraction: Annotated[tuple[float, float], _range(0, 1, integer=False)]


class RainDraw(_Model):
    """``[sweep.rain]``: whether it rains over a region for the whole window, and how hard.

    Attributes
    ----------
    lat_deg, lon_deg, radius_km : the region (a ``[[rain]]`` circle) [deg, deg, km].
    rate_mm_h : (float, float)
        Rain rate, uniform in ``rate_mm_h[0]..rate_mm_h[1]`` [mm/h] (a number: always that),
        within the attenuation table's (0, 250] mm/h.
    probability : float
        Chance that it rains at all in a sample (default 1).
    """

    lat_deg: Annotated[float, _bounded(-90, 90)]
    lon_deg: Annotated[float, _bounded(-180, 180)]
    radius_km: Annotated[float, _bounded(1e-3, 20_000)]
    rate_mm_h: Annotated[tuple[float, float], _range(1e-3, 250, integer=False)]
    probability: Probability = 1.0


class JammerDraw(_Model):
    """``[sweep.jammer]``: one ground jammer (a ``[[jammers]]`` table for the whole window) at
    a random place within ``radius_km`` of a point (uniform over the disc) with a random EIRP.

    Attributes
    ----------
    lat_deg, lon_deg : centre of the area it may stand in [deg]; radius_km : its radius [km]
        (0: always at the centre).
    eirp_dbw : (float, float)
        Uniform in ``eirp_dbw[0]..eirp_dbw[1]`` [dBW] (a number: always that).
    bandwidth_mhz, alt_m, extra_loss_db : as in ``[[jammers]]`` (:class:`lifeline.radio.Jammer`).
    probability : float
        Chance that the jammer is there at all in a sample (default 1).
    """

    lat_deg: Annotated[float, _bounded(-90, 90)]
    lon_deg: Annotated[float, _bounded(-180, 180)]
    radius_km: Annotated[float, _bounded(0, 2_000)] = 0.0
    eirp_dbw: Annotated[tuple[float, float], _range(-50, 100, integer=False)]
    bandwidth_mhz: Annotated[float, _bounded(1e-3, 10_000)]
    alt_m: Annotated[float, _bounded(0, 1_000)] = 10.0
    extra_loss_db: Annotated[float, _bounded(0, 300)] = 0.0
    probability: Probability = 1.0


class TerminalCount(_Model):
    """``[sweep.terminals]``: the scenario's first ``count`` terminals, uniform in a range."""

    count: Annotated[tuple[int, int], _range(1, 1_000_000, integer=True)]


def _grid(value: Any) -> dict[str, tuple[Any, ...]]:
    allowed = 'a table of "dotted.path" = [values] (a non-empty array per path)'
    if not isinstance(value, dict):
        raise _fail(allowed)
    for key, values in value.items():
        if not isinstance(values, list) or not values:
            raise _fail(allowed, loc=(key,), value=values)
        if any(isinstance(v, dict | list) for v in values):
            raise _fail("an array of plain values (numbers, strings, booleans)", loc=(key,))
    return {k: tuple(v) for k, v in value.items()}


class SweepConfig(_Model):
    """The ``[sweep]`` table (see the module docstring)."""

    description: str = ""
    gateways: SiteLoss | None = None
    pops: SiteLoss | None = None
    regions: tuple[RegionLoss, ...] = ()
    satellite_failure: FailureFraction | None = None
    isl_failure: FailureFraction | None = None
    terminals: TerminalCount | None = None
    rain: RainDraw | None = None
    jammer: JammerDraw | None = None
    grid: Annotated[dict[str, tuple[Any, ...]], PlainValidator(_grid)] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> SweepConfig:
        names = [r.name for r in self.regions]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise _fail("a unique region name", loc=("regions", i, "name"), value=name)
        return self


def _format_loc(loc: tuple[str | int, ...]) -> str:
    out = "sweep"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _config_error(exc: ValidationError, source: str) -> ScenarioError:
    err = exc.errors(include_url=False)[0]
    ctx = err.get("ctx") or {}
    loc = tuple(err["loc"]) + tuple(ctx.get("loc", ()))
    value = ctx.get("value", err.get("input"))
    if err["type"] == _ERROR_TYPE:
        allowed = str(ctx["allowed"])
    elif err["type"] == "extra_forbidden":
        allowed = f"unknown key {loc[-1]!r}"
        if len(loc) == 1:
            allowed += f"; allowed keys: {', '.join(SweepConfig.model_fields)}"
    elif err["type"] == "missing":
        allowed, value = "required", None
    elif err["type"] in ("model_type", "model_attributes_type", "dict_type"):
        allowed = "a table"
    elif err["type"] in ("tuple_type", "list_type"):
        allowed = "an array of tables"
    else:
        allowed = str(err["msg"])
    if isinstance(value, dict):
        value = "{" + ", ".join(f"{k} = ..." for k in value) + "}"
    return ScenarioError(source, _format_loc(loc), value, allowed)


# --------------------------------------------------------------------------------------------
# Loading a sweep file
# --------------------------------------------------------------------------------------------

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


def _locate(source: str | Path) -> tuple[Path, str]:
    text = str(source)
    if text.endswith(".toml") or "/" in text or "\\" in text or Path(text).is_file():
        path = Path(text).expanduser()
        if not path.is_file():
            raise ScenarioError(
                text,
                "",
                str(path),
                f"an existing sweep .toml file (not found) or a sweep preset name "
                f"({', '.join(sweep_preset_names())})",
            )
        return path, text
    names = sweep_preset_names()
    if text not in names:
        raise ScenarioError(
            f"sweep-preset:{text}",
            "",
            text,
            f"a sweep preset ({', '.join(names)}) or a path to a .toml file with a [sweep] table",
        )
    return _sweep_folder() / f"{text}.toml", f"sweep-preset:{text}"


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
    path, label = _locate(source)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(label, "", str(path), f"a readable TOML file ({exc})") from None
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
        raise _config_error(exc, label) from None
    resolved = resolved_dict(base)
    _check_names(config, base, label)
    grid_points = [
        dict(zip(config.grid, values, strict=True))
        for values in itertools.product(*config.grid.values())
    ]
    sweep = Sweep(label, base, resolved, config, grid_points)
    for point in grid_points:
        _grid_variant(sweep, point)  # every grid point must give a valid scenario
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


def _grid_variant(sweep: Sweep, point: dict[str, Any]) -> dict[str, Any]:
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


# --------------------------------------------------------------------------------------------
# Drawing samples
# --------------------------------------------------------------------------------------------


def sample_seed(seed: int, draw: int) -> int:
    """The seed of draw ``draw`` of a sweep seeded with ``seed`` (independent streams)."""
    return int(np.random.SeedSequence([seed, draw]).generate_state(1)[0])


@dataclass(frozen=True)
class SampleSpec:
    """One sample: where it sits in the sweep, what was drawn and the scenario it gives.

    ``scenario`` is None when the drawn values give no valid scenario (``error`` says why).
    """

    sample: int
    grid_point: int
    draw: int
    seed: int
    sample_seed: int
    values: dict[str, Any]
    scenario: Scenario | None
    error: str | None = None

    @property
    def key(self) -> str:
        """File stem of the sample in ``OUT/samples/``."""
        return f"g{self.grid_point:04d}-d{self.draw:06d}"


def _draw_sites(
    rng: np.random.Generator, loss: SiteLoss, known: list[str]
) -> tuple[list[str], list[str]]:
    among = list(loss.among) if loss.among is not None else known
    if loss.lost is not None:
        k = int(rng.integers(loss.lost[0], loss.lost[1] + 1))
        picked = np.zeros(len(among), dtype=bool)
        picked[rng.choice(len(among), size=k, replace=False)] = True
    else:
        picked = rng.random(len(among)) < loss.probability
    return among, [n for n, p in zip(among, picked, strict=True) if p]


def draw_variant(
    sweep: Sweep, point: dict[str, Any], seed: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(recorded values, scenario dict) of one draw at one grid point.

    The random stream is consumed in a fixed order (gateways, pops, regions, satellite failure,
    ISL failure, terminals), whatever is configured, so a draw is the same at every grid point.
    """
    cfg = sweep.config
    rng = np.random.default_rng(seed)
    data = _grid_variant(sweep, point)
    values: dict[str, Any] = {f"grid:{k}": v for k, v in point.items()}
    events = list(data.get("events", []))
    for key, kind in (("gateways", "gateway_outage"), ("pops", "pop_outage")):
        loss: SiteLoss | None = getattr(cfg, key)
        if loss is None:
            continue
        known = [s["name"] for s in data[key]]
        among, lost = _draw_sites(rng, loss, known)
        values[f"{key}_lost"] = len(lost)
        values.update({f"{key[:-1]}_lost:{name}": name in lost for name in among})
        if lost:
            events.append({"kind": kind, key: lost})
    for region in cfg.regions:
        lost = bool(rng.random() < region.probability)
        values[f"region_lost:{region.name}"] = lost
        if lost:
            events.append(region.event())
    for key in ("satellite_failure", "isl_failure"):
        fail: FailureFraction | None = getattr(cfg, key)
        if fail is None:
            continue
        fraction = float(rng.uniform(*fail.fraction))
        event_seed = int(rng.integers(2**31))
        values[f"{key}_fraction"] = fraction
        values[f"{key}_seed"] = event_seed
        if fraction > 0:
            events.append({"kind": key, "fraction": fraction, "seed": event_seed})
    if cfg.terminals is not None:
        n = int(rng.integers(cfg.terminals.count[0], cfg.terminals.count[1] + 1))
        values["terminals_count"] = n
        data["terminals"] = data["terminals"][:n]
    if cfg.rain is not None:
        rain = cfg.rain
        raining = bool(rng.random() < rain.probability)
        rate = float(rng.uniform(*rain.rate_mm_h))
        values["rain_mm_h"] = rate if raining else 0.0
        if raining:
            where = {"lat_deg": rain.lat_deg, "lon_deg": rain.lon_deg, "radius_km": rain.radius_km}
            data["rain"] = [*data.get("rain", []), {"name": "sweep", **where, "rate_mm_h": rate}]
    if cfg.jammer is not None:
        jam = cfg.jammer
        present = bool(rng.random() < jam.probability)
        # Uniform over the disc: distance ~ R sqrt(u), bearing uniform.
        distance_km = float(jam.radius_km * np.sqrt(rng.random()))
        bearing_deg = float(rng.uniform(0, 360))
        eirp = float(rng.uniform(*jam.eirp_dbw))
        lat, lon = destination_deg(jam.lat_deg, jam.lon_deg, bearing_deg, distance_km)
        values["jammer_present"] = present
        values["jammer_eirp_dbw"] = eirp if present else float("nan")
        values["jammer_offset_km"] = distance_km if present else float("nan")
        if present:
            jammer = {
                "name": "sweep",
                "lat_deg": round(float(lat), 9),
                "lon_deg": round(float(lon), 9),
                "eirp_dbw": eirp,
                "bandwidth_mhz": jam.bandwidth_mhz,
                "alt_m": jam.alt_m,
                "extra_loss_db": jam.extra_loss_db,
            }
            data["jammers"] = [*data.get("jammers", []), jammer]
    data["events"] = events
    return values, data


def plan_samples(sweep: Sweep, samples: int, seed: int) -> list[SampleSpec]:
    """Every sample of the sweep: ``samples`` draws at each grid point.

    The sample id is ``grid_point × samples + draw``; draw ``d`` has the same random values at
    every grid point and does not depend on ``samples``.
    """
    out = []
    for g, point in enumerate(sweep.grid_points):
        for d in range(samples):
            s = sample_seed(seed, d)
            values, data = draw_variant(sweep, point, s)
            label = f"{sweep.source} (grid point {g}, draw {d})"
            try:
                scenario, error = scenario_from_dict(data, label), None
            except ScenarioError as exc:
                scenario, error = None, str(exc)
            out.append(SampleSpec(g * samples + d, g, d, seed, s, values, scenario, error))
    return out


# --------------------------------------------------------------------------------------------
# Running one sample
# --------------------------------------------------------------------------------------------


#: This process's shared inputs for its samples: Dask runs :func:`run_sample` in each worker
#: process, and samples with the same constellation, window and gateways reuse what the first
#: one built (satellites do not pickle, so they cannot travel with the sample).
SAMPLE_INPUTS = SharedInputsCache()


def simulate_summary(scenario: Scenario) -> dict[str, dict]:
    """Per-terminal summary figures of one variant: exactly ``summary.json``'s ``"terminals"``
    of ``lifeline run`` on it (the engine's public entry point, in this process).

    The satellites, laser links, ephemerides and event-independent geometry come from this
    process's :data:`SAMPLE_INPUTS`: built by the first sample, reused by every later one with
    the same constellation, window and gateways.
    """
    shared = SAMPLE_INPUTS.get(scenario)
    return api_run(scenario, workers=1, shared=shared).summary["terminals"]


def _sample_frame(spec: SampleSpec, figures: dict[str, dict] | None, elapsed_s: float, error=None):
    meta = {
        "sample": spec.sample,
        "grid_point": spec.grid_point,
        "draw": spec.draw,
        "seed": spec.seed,
        "sample_seed": spec.sample_seed,
        "status": "ok" if error is None else "failed",
        "error": error or "",
        "elapsed_s": elapsed_s,
    }
    values = {k: v for k, v in spec.values.items()}
    rows = []
    for name, t in (figures or {None: {}}).items():
        rows.append({**meta, **values, "terminal": name, **{f: t.get(f) for f in FIGURES}})
    frame = pd.DataFrame(rows)
    for f in FIGURES:
        frame[f] = frame[f].astype(float)
    return frame


def run_sample(spec: SampleSpec) -> pd.DataFrame:
    """One sample's rows (one per terminal): its values and summary figures.

    A pure function of the sample (its scenario and recorded seeds): what Dask runs.
    """
    assert spec.scenario is not None
    # Propagation warnings repeat for every sample of the same window: keep them out of the log.
    logging.getLogger("lifeline").setLevel(logging.ERROR)
    started = time.perf_counter()
    figures = simulate_summary(spec.scenario)
    return _sample_frame(spec, figures, round(time.perf_counter() - started, 4))


# --------------------------------------------------------------------------------------------
# Files: manifest, one file per sample, the combined table
# --------------------------------------------------------------------------------------------


def _sample_path(out_dir: Path, key: str) -> Path:
    return out_dir / "samples" / f"{key}.parquet"


def _write_sample(out_dir: Path, spec: SampleSpec, frame: pd.DataFrame) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = {b"lifeline_sweep_sample": spec.key.encode(), b"status": frame["status"][0].encode()}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    path = _sample_path(out_dir, spec.key)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def _read_sample(out_dir: Path, key: str) -> pd.DataFrame | None:
    """A sample's complete file, or None (absent, unreadable or not that sample's)."""
    path = _sample_path(out_dir, key)
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        log.warning("%s is unreadable (%s): the sample runs again", path, exc)
        return None
    if (table.schema.metadata or {}).get(b"lifeline_sweep_sample") != key.encode():
        log.warning("%s is not the file of sample %s: it runs again", path, key)
        return None
    return table.to_pandas()


def _manifest(sweep: Sweep, seed: int) -> dict[str, Any]:
    return {
        "lifeline_version": version("lifeline"),
        "sweep_schema_version": SWEEP_SCHEMA_VERSION,
        "source": sweep.source,
        "scenario": sweep.base.name,
        "fingerprint": sweep.fingerprint,
        "seed": seed,
        "grid_points": sweep.grid_points,
        "sweep": config_json(sweep.config),
    }


def _open_out_dir(out_dir: Path, sweep: Sweep, seed: int, resume: bool) -> None:
    manifest_path = out_dir / "sweep.json"
    manifest = _manifest(sweep, seed)
    if manifest_path.is_file():
        old = json.loads(manifest_path.read_text())
        if not resume:
            raise ScenarioError(
                str(out_dir),
                "--out",
                str(out_dir),
                "a folder without a sweep (this one has sweep.json): add --resume to finish it, "
                "or choose another --out",
            )
        for key in ("fingerprint", "seed"):
            if old.get(key) != manifest[key]:
                raise ScenarioError(
                    str(manifest_path),
                    key,
                    old.get(key),
                    f"the same {key} as this sweep ({manifest[key]}): --resume only finishes "
                    "the sweep that started in this folder",
                )
        return
    write_json(manifest_path, manifest)


# --------------------------------------------------------------------------------------------
# Running a sweep
# --------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    """What a sweep produced.

    Attributes
    ----------
    table : pandas.DataFrame
        ``sweep.parquet``: one row per sample and terminal (failed samples: one row, no terminal).
    summary : dict
        :func:`summarize_sweep` of the table (also in ``sweep-summary.json``).
    out_dir : pathlib.Path
    ran, reused : int
        Samples run now, and samples whose complete file was found (``resume``).
    failures : list of dict
        Failed samples: id, values and error.
    """

    table: pd.DataFrame
    summary: dict
    out_dir: Path
    ran: int
    reused: int
    failures: list[dict] = field(default_factory=list)


ProgressCallback = Callable[[int, int], None]
FailureCallback = Callable[[SampleSpec, str], None]


def _in_process(todo: list[SampleSpec]) -> Iterator[tuple[SampleSpec, pd.DataFrame | str]]:
    for spec in todo:
        try:
            yield spec, run_sample(spec)
        except Exception as exc:  # noqa: BLE001 - one failing sample must not end the sweep
            yield spec, f"{type(exc).__name__}: {exc}"


def _on_dask(
    todo: list[SampleSpec], client: Any, fingerprint: str
) -> Iterator[tuple[SampleSpec, pd.DataFrame | str]]:
    from distributed import as_completed

    by_future = {
        client.submit(run_sample, spec, key=f"sample-{spec.key}-{fingerprint[:12]}"): spec
        for spec in todo
    }
    for future in as_completed(by_future):
        spec = by_future.pop(future)
        if future.status == "error":
            exc = future.exception()
            yield spec, f"{type(exc).__name__}: {exc}"
        else:
            yield spec, future.result()
        future.release()


def _client(scheduler: str | None, workers: int | None):
    """A Dask client: of an existing scheduler, or of a new local cluster of processes."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ScenarioError(
                "--scheduler", "", scheduler, f"the address of a running Dask scheduler ({exc})"
            ) from None
    cluster = LocalCluster(
        n_workers=workers or os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster)


def run_sweep(
    sweep: Sweep,
    out_dir: str | Path,
    samples: int,
    seed: int,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    on_failure: FailureCallback | None = None,
) -> SweepResult:
    """Run (or finish) a sweep and write ``OUT/sweep.parquet`` and ``OUT/sweep-summary.json``.

    Parameters
    ----------
    sweep : from :func:`load_sweep`.
    out_dir : the sweep's folder (``sweep.json``, ``samples/``, the results).
    samples : random draws per grid point (>= 1).
    seed : the sweep's seed (>= 0), recorded in every row.
    scheduler : address of a running Dask scheduler (``tcp://host:8786``); otherwise a local
        cluster of ``workers`` processes (None: one per core), one thread each.
    workers : ``1`` without ``scheduler`` runs in this process, without Dask.
    resume : finish the sweep already in ``out_dir`` (same file and seed): run only the samples
        without a complete file of status ``ok``.
    progress : called as ``progress(samples_done, samples_total)``.
    on_failure : called with each failed sample and its error; the sweep goes on.

    Raises
    ------
    ScenarioError
        ``out_dir`` holds another sweep, or holds one and ``resume`` is not set.
    """
    if samples < 1 or seed < 0:
        raise ScenarioError(sweep.source, "--samples/--seed", (samples, seed), ">= 1 and >= 0")
    out_dir = Path(out_dir)
    _open_out_dir(out_dir, sweep, seed, resume)
    specs = plan_samples(sweep, samples, seed)
    frames: dict[int, pd.DataFrame] = {}
    if resume:
        for spec in specs:
            frame = _read_sample(out_dir, spec.key)
            if frame is not None and (frame["status"] == "ok").all():
                frames[spec.sample] = frame
    reused = len(frames)
    failures: list[dict] = []

    def record(spec: SampleSpec, result: pd.DataFrame | str) -> None:
        if isinstance(result, str):
            result = _sample_frame(spec, None, 0.0, error=result)
            failures.append({"sample": spec.sample, "values": spec.values, "error": result})
            failures[-1]["error"] = str(result["error"][0])
            if on_failure is not None:
                on_failure(spec, failures[-1]["error"])
        _write_sample(out_dir, spec, result)
        frames[spec.sample] = result
        if progress is not None:
            progress(len(frames), len(specs))

    todo = [s for s in specs if s.sample not in frames]
    if progress is not None:
        progress(len(frames), len(specs))
    for spec in [s for s in todo if s.scenario is None]:
        record(spec, str(spec.error))
    todo = [s for s in todo if s.scenario is not None]
    if todo:
        if scheduler is None and workers == 1:
            for spec, result in _in_process(todo):
                record(spec, result)
        else:
            with _client(scheduler, workers) as client:
                try:
                    for spec, result in _on_dask(todo, client, sweep.fingerprint):
                        record(spec, result)
                finally:
                    if scheduler is None:
                        client.cluster.close()
    table = pd.concat([frames[s.sample] for s in specs], ignore_index=True)
    summary = summarize_sweep(table)
    summary.update({"seed": seed, "samples_per_grid_point": samples, "source": sweep.source})
    with atomic_path(out_dir / "sweep.parquet") as tmp:
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), tmp)
    write_json(out_dir / "sweep-summary.json", summary)
    return SweepResult(table, summary, out_dir, len(specs) - reused, reused, failures)


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def _quantiles(x: np.ndarray) -> dict[str, float | None]:
    x = x[np.isfinite(x)]
    if not len(x):
        return {"p5": None, "p50": None, "p95": None, "mean": None}
    p5, p50, p95 = np.percentile(x, [5, 50, 95])
    return {
        "p5": round(float(p5), 3),
        "p50": round(float(p50), 3),
        "p95": round(float(p95), 3),
        "mean": round(float(x.mean()), 3),
    }


def unknown_columns(table: pd.DataFrame) -> list[str]:
    """Columns of ``table`` holding sampled unknowns or grid values (numeric or boolean)."""
    skip = set(META_COLUMNS) | set(FIGURES) | {"terminal"}
    out = []
    for col in table.columns:
        if col in skip:
            continue
        kind = table[col].dtype.kind
        if kind in "biuf":
            out.append(col)
    return out


def summarize_sweep(table: pd.DataFrame, availability_threshold_pct: float = 90.0) -> dict:
    """Per-terminal distributions and which unknowns matter most.

    For each terminal: availability [%], RTT p50 [ms] and throughput p50 [Mbit/s] across
    samples (p5, p50, p95, mean; linear-interpolated percentiles), the share of samples with
    availability at or above ``availability_threshold_pct``, and for every unknown that varies
    the Spearman rank correlation with availability, RTT p50 and throughput p50, sorted by the
    absolute correlation with availability, then with throughput (``scipy.stats.spearmanr``;
    RTT and throughput only over samples where they exist).

    References
    ----------
    C. Spearman, "The proof and measurement of association between two things", Am. J. Psychol.
    15(1), 1904; SciPy ``scipy.stats.spearmanr``.
    """
    from scipy.stats import spearmanr

    ok = table[table["status"] == "ok"]
    unknowns = unknown_columns(ok)
    terminals: dict[str, Any] = {}
    for name, rows in ok.groupby("terminal", sort=False):
        avail = rows["availability_pct"].to_numpy(float)
        rtt = rows["rtt_ms_p50"].to_numpy(float)
        thr = rows["throughput_mbps_p50"].to_numpy(float)

        def rho(x: np.ndarray, y: np.ndarray) -> float | None:
            has = np.isfinite(x) & np.isfinite(y)
            if has.sum() < 3 or np.ptp(x[has]) == 0 or np.ptp(y[has]) == 0:
                return None
            return round(float(spearmanr(x[has], y[has]).statistic), 3)

        ranks = []
        for col in unknowns:
            x = rows[col].to_numpy(float)
            if len(x) < 3 or np.all(x == x[0]) or not np.isfinite(x).any():
                continue
            ranks.append(
                {
                    "unknown": col,
                    "spearman_availability": rho(x, avail),
                    "spearman_rtt_p50": rho(x, rtt),
                    "spearman_throughput_p50": rho(x, thr),
                }
            )
        ranks.sort(
            key=lambda r: (
                -abs(r["spearman_availability"] or 0.0),
                -abs(r["spearman_throughput_p50"] or 0.0),
            )
        )
        terminals[str(name)] = {
            "samples": len(rows),
            "availability_pct": _quantiles(avail),
            "availability_at_least_pct": availability_threshold_pct,
            "share_of_samples_at_least": round(
                float(np.mean(avail >= availability_threshold_pct)), 4
            ),
            "rtt_ms_p50": _quantiles(rtt),
            "throughput_mbps_p50": _quantiles(thr),
            "unknowns": ranks,
        }
    n_samples = table["sample"].nunique()
    n_failed = table.loc[table["status"] != "ok", "sample"].nunique()
    return {"samples": int(n_samples), "failed": int(n_failed), "terminals": terminals}
