"""Loading scenarios: TOML files, presets, ``extends``, and the input files they name.

Loading is apart from validation: this module reads the TOML, resolves ``extends`` (deep merge,
:func:`merge`), finds and reads the input files a scenario names, and only then validates the
merged dict against :class:`~lifeline.config.scenario.Scenario`, whose validators read nothing.

``extends = "NAME-or-path"`` loads a base scenario and deep-merges this file over it
(:func:`merge` says what the overlay keeps of its base). Relative file paths in a base
(:data:`PATH_KEYS`) are resolved against the base's folder.

Hypatia's input files can stand in for parts of a scenario: ``constellation.hypatia_tle_file``
(``tles.txt``), ``network.isl_file`` (``isls.txt``) and ``ground_stations_file``
(``ground_stations.txt``, whose stations become terminals after the ``[[terminals]]`` tables).
Paths are relative to the scenario file's folder.

Every problem with user input raises :class:`~lifeline.errors.ScenarioError` (never a pydantic
traceback), naming the file, the field path (``terminals[2].lat_deg``), the bad value and what
is allowed. When validation finds several problems they are all listed, one per line, in a
:class:`~lifeline.config.errors.ScenarioValidationError`.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lifeline.config.errors import ScenarioValidationError, to_scenario_error
from lifeline.config.fields import FILES, did_you_mean
from lifeline.config.place import expand_place
from lifeline.config.scenario import UNION_TAGS, Scenario
from lifeline.errors import InputFileError, ScenarioError
from lifeline.io.celestrak import resolve_cached
from lifeline.io.depth import (
    MAX_DEPTH,
    MAX_KEY_PARTS,
    deep_path,
    describe_path,
    first_deep_line,
    long_dotted_key,
)
from lifeline.io.geojson import read_linestring
from lifeline.io.hypatia import HypatiaFormatError, read_ground_stations
from lifeline.presets import preset_names, preset_path

__all__ = [
    "EXCLUSIVE_KEYS",
    "PATH_KEYS",
    "load_scenario",
    "locate",
    "merge",
    "read_toml",
    "scenario_from_dict",
]

log = logging.getLogger(__name__)

_BUILTIN = "builtin:"
_CACHE = "cache:"
_TOML_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END_RE = re.compile(r"\s*\(at end of document\)\s*$")


# ----------------------------------------------------------------------------------------------
# TOML files and presets
# ----------------------------------------------------------------------------------------------


def _looks_like_path(source: str) -> bool:
    return source.endswith(".toml") or "/" in source or "\\" in source


def locate(
    source: str | Path,
    base_dir: Path | None,
    preset: Callable[[str], tuple[Path, str]] = lambda name: (preset_path(name), f"preset:{name}"),
    kind: str = "scenario",
    names: Callable[[], list[str]] = preset_names,
) -> tuple[Path, str]:
    """(file, label for messages) of a ``.toml`` path or a preset name.

    A string that does not look like a path (no ``.toml``, no slash) and names no file in
    `base_dir` is a preset name, looked up by `preset` (which raises a ScenarioError for an
    unknown one); `kind` and `names` word the error for a missing file.
    """
    if isinstance(source, str) and not _looks_like_path(source):
        candidate = (base_dir or Path.cwd()) / source
        if not candidate.is_file():
            return preset(source)
    path = Path(source).expanduser()
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    if not path.is_file():
        article = "a preset" if kind == "scenario" else f"a {kind} preset"
        raise ScenarioError(
            str(source),
            "",
            str(path),
            f"an existing {kind} .toml file (not found) or {article} name ({', '.join(names())})",
        )
    return path, str(source) if base_dir is None else str(path)


def read_toml(path: Path, label: str) -> dict[str, Any]:
    """The tables of a TOML file; a located ScenarioError (line, column) if it is not TOML."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(label, "", str(path), f"a readable UTF-8 TOML file ({exc})") from None
    too_deep = f"at most {MAX_DEPTH} levels of nested arrays and tables"
    line = long_dotted_key(text)
    if line is not None:
        raise ScenarioError(
            label,
            f"line {line}",
            f"a dotted key of more than {MAX_KEY_PARTS} parts",
            f"keys of at most {MAX_KEY_PARTS} parts (a.b.c has 3)",
        )
    try:
        data = tomllib.loads(text)
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        line = first_deep_line(text)
        raise ScenarioError(
            label,
            f"line {line}" if line else "",
            "arrays or tables nested hundreds of levels deep",
            too_deep,
        ) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        pos = _TOML_POS_RE.search(message)
        end = _TOML_END_RE.search(message)
        if pos is None and end is not None:
            # e.g. a file cut off inside a string or after "key": point at its last line.
            lines = text.splitlines() or [""]
            raise ScenarioError(
                label,
                f"line {len(lines)}, end of file",
                lines[-1],
                f"valid TOML ({message[: end.start()]})",
            ) from None
        if pos is None:
            raise ScenarioError(label, "", None, f"valid TOML ({message})") from None
        line, column = int(pos.group(1)), int(pos.group(2))
        lines = text.splitlines()
        bad = lines[line - 1] if 0 < line <= len(lines) else ""
        raise ScenarioError(
            label, f"line {line}, column {column}", bad, f"valid TOML ({message[: pos.start()]})"
        ) from None
    path = deep_path(data)
    if path is not None:
        raise ScenarioError(
            label, describe_path(path), f"nested more than {MAX_DEPTH} levels deep", too_deep
        )
    return data


# ----------------------------------------------------------------------------------------------
# extends
# ----------------------------------------------------------------------------------------------

#: Keys that exclude each other per table: when the overlay sets one of the first set, the base's
#: keys of the second set are dropped (a file chooses one source, not a mix of two).
EXCLUSIVE_KEYS = {
    "time": ({"duration_s", "end_utc"}, {"duration_s", "end_utc"}),
    "constellation": (
        {"tle_file", "hypatia_tle_file", "preset", "shells"},
        {"tle_file", "hypatia_tle_file", "preset", "shells", "launched_by", "epoch_utc"},
    ),
}


def merge(base: dict[str, Any], over: dict[str, Any], table: str = "") -> dict[str, Any]:
    """Deep-merge `over` (a file that ``extends``) onto `base`: the one place that decides
    what an overlay keeps of its base.

    Tables (``[time]``, ``[network]``, ``[radio]``, ...) merge key by key, at every depth: a key
    the overlay sets wins, the others are the base's. Everything else replaces: scalars, arrays
    and arrays of tables alike (``[[gateways]]``, ``[[pops]]``, ``[[events]]``, ``[[rain]]``,
    ``[[jammers]]``, ``[[constellation.shells]]``, ``[[pairs]]``), except that the overlay's
    ``[[terminals]]`` follow its ``terminals_mode``: ``"append"`` adds them after the base's,
    ``"replace"`` takes the base's place, and no mode replaces them with a warning. Keys that
    exclude each other (:data:`EXCLUSIVE_KEYS`) set in the overlay drop the base's others, and
    ``network.isl = false`` drops the base's ``network.isl_file`` (bent pipe has no laser
    links).

    Parameters
    ----------
    base, over : dict
        Parsed TOML tables; neither is modified.
    table : str
        Dotted name of the table being merged ("" at the top).

    Returns
    -------
    dict
    """
    out = dict(base)
    triggers, dropped = EXCLUSIVE_KEYS.get(table, (set(), set()))
    if triggers & over.keys():
        for key in dropped - over.keys():
            out.pop(key, None)
    if table == "network" and over.get("isl") is False and "isl_file" not in over:
        out.pop("isl_file", None)  # bent pipe has no laser links (isl_file needs isl = true)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value, key if not table else f"{table}.{key}")
        else:
            out[key] = value
    if not table and isinstance(over.get("terminals"), list) and base.get("terminals"):
        mode = over.get("terminals_mode")
        if mode == "append" and isinstance(base["terminals"], list):
            out["terminals"] = [*base["terminals"], *over["terminals"]]
        elif mode is None:
            # Replacing is what an array does in a merge, but a base's sites vanishing
            # unannounced surprised users: say it, and how to keep them.
            log.warning(
                "[[terminals]] replace the %d of the base; set terminals_mode = \"replace\" "
                'to say so, or "append" to add to them',
                len(base["terminals"]),
            )
    return out


#: Input-file keys whose relative paths are relative to the file that gives them (``[]``: every
#: entry of an array of tables).
PATH_KEYS = (
    "constellation.tle_file",
    "constellation.hypatia_tle_file",
    "network.isl_file",
    "ground_stations_file",
    "terminals[].path.geojson",
    "terminals_file",
)

# "builtin:NAME" and other "scheme:NAME" values name no file of the scenario's folder.
_SCHEME_RE = re.compile(r"^[a-z]{2,}:")


def _anchored(node: Any, parts: list[str], base_dir: Path) -> Any:
    """`node` with the relative path at `parts` joined to `base_dir` (copied on the way;
    values of the wrong type are left for the field's own check)."""
    if not parts:
        if not isinstance(node, str) or not node.strip() or _SCHEME_RE.match(node):
            return node
        return node if Path(node).is_absolute() else str(base_dir / node)
    key, rest = parts[0], parts[1:]
    if not isinstance(node, dict):
        return node
    if key.endswith("[]"):
        items = node.get(key[:-2])
        if not isinstance(items, list):
            return node
        return {**node, key[:-2]: [_anchored(item, rest, base_dir) for item in items]}
    return {**node, key: _anchored(node[key], rest, base_dir)} if key in node else node


def _absolute_paths(data: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """Anchor a base file's relative input paths (:data:`PATH_KEYS`) to that file's folder
    before merging. Set directly, not merged: merging a ``tle_file`` would drop the base's
    ``launched_by`` and ``epoch_utc`` as if the overlay had chosen a new source."""
    for key in PATH_KEYS:
        data = _anchored(data, key.split("."), base_dir)
    return data


def _resolve_extends(
    data: dict[str, Any], source: str, base_dir: Path | None, chain: tuple[str, ...]
) -> dict[str, Any]:
    extends = data.get("extends")
    if extends is None:
        return data
    if not isinstance(extends, str) or not extends.strip():
        raise ScenarioError(source, "extends", extends, "a preset name or a path to a .toml file")
    try:
        path, label = locate(extends, base_dir)
    except ScenarioError as exc:
        raise ScenarioError(source, "extends", extends, exc.allowed) from None
    key = str(path.resolve())
    if key in chain:
        raise ScenarioError(source, "extends", extends, "a base that does not extend this file")
    # Resolved: a relative folder (a file given as a relative path) would be joined twice.
    base = _absolute_paths(read_toml(path, label), path.parent.resolve())
    base = _resolve_extends(base, label, path.parent, (*chain, key))
    return merge(base, data)


# ----------------------------------------------------------------------------------------------
# Input files
# ----------------------------------------------------------------------------------------------


def _named(value: Any) -> bool:
    """A file name the schema would accept (else the field's own check reports it)."""
    return isinstance(value, str) and bool(value.strip())


def _builtin_tles() -> list[str]:
    folder = resources.files("lifeline.data")
    return sorted(p.name.removesuffix(".tle") for p in folder.iterdir() if p.name.endswith(".tle"))


def _input_path(
    value: str, base_dir: Path | None, what: str, source: str, field: str, also: str = ""
) -> Path:
    """The absolute path of an input file named in the scenario (relative to its folder)."""
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    if not path.is_file():
        raise ScenarioError(
            source,
            field,
            value,
            f"an existing {what} (not found: {path}), relative to the scenario's folder{also}",
        )
    return path.resolve()


def _tle_path(tle_file: str, base_dir: Path | None, source: str) -> Path:
    field = "constellation.tle_file"
    builtins = _builtin_tles()
    listing = ", ".join([_BUILTIN + b for b in builtins] + ["builtin:auto", "cache:NAME"])
    if tle_file.startswith(_CACHE):
        try:
            return resolve_cached(tle_file.removeprefix(_CACHE))
        except InputFileError as err:
            raise ScenarioError(source, field, tle_file, err.allowed) from None
    if tle_file.startswith(_BUILTIN):
        name = tle_file.removeprefix(_BUILTIN)
        if name not in builtins:
            hint = did_you_mean(name, builtins)
            raise ScenarioError(
                source, field, tle_file, f"a shipped TLE snapshot{hint} (one of: {listing})"
            )
        return Path(str(resources.files("lifeline.data").joinpath(f"{name}.tle")))
    return _input_path(tle_file, base_dir, "TLE file", source, field, f", or one of: {listing}")


def _ground_stations(
    data: dict[str, Any], value: str, base_dir: Path | None, source: str
) -> dict[str, Any]:
    """`data` with the stations of ``ground_stations_file`` appended to its terminals."""
    key = "ground_stations_file"
    path = _input_path(value, base_dir, "Hypatia ground_stations.txt", source, key)
    try:
        stations = read_ground_stations(path)
    except HypatiaFormatError as exc:
        raise ScenarioError(
            source, key, value, f"a Hypatia ground_stations.txt, basic or extended form ({exc})"
        ) from None
    first: dict[str, int] = {}
    for g, name in enumerate(stations.names):
        if name in first:
            raise ScenarioError(
                source,
                key,
                value,
                f"unique station names (ids {first[name]} and {g} are both {name!r})",
            )
        first[name] = g
    tables = data.get("terminals", [])
    if not isinstance(tables, list | tuple):
        return data  # not an array of tables: the field's own check reports it
    for i, table in enumerate(tables):
        name = table.get("name") if isinstance(table, dict) else None
        if isinstance(name, str) and name in first:
            raise ScenarioError(
                source,
                key,
                value,
                f"station names that no [[terminals]] table uses (station {first[name]} "
                f"is {name!r}, as terminals[{i}].name)",
            )
    added = [
        {"name": name, "lat_deg": float(lat), "lon_deg": float(lon), "alt_m": float(alt)}
        for name, lat, lon, alt in zip(
            stations.names, stations.lat_deg, stations.lon_deg, stations.elevation_m, strict=True
        )
    ]
    return {**data, "terminals": [*tables, *added]}


def _read_inputs(
    data: dict[str, Any], source: str, base_dir: Path | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Find and read the input files a scenario names, before it is validated.

    Returns the scenario dict (with the ``ground_stations_file`` stations appended to its
    terminals) and what the models take from the validation context
    (:data:`lifeline.config.fields.FILES`). Values of the wrong type are left alone: the
    field's own check reports them.
    """
    files: dict[str, Any] = {}
    const = data.get("constellation")
    if isinstance(const, dict):
        if _named(const.get("tle_file")):
            files["constellation.tle_file"] = _tle_path(const["tle_file"], base_dir, source)
        if _named(const.get("hypatia_tle_file")):
            files["constellation.hypatia_tle_file"] = _input_path(
                const["hypatia_tle_file"],
                base_dir,
                "Hypatia tles.txt",
                source,
                "constellation.hypatia_tle_file",
            )
    net = data.get("network")
    if isinstance(net, dict) and _named(net.get("isl_file")) and net.get("isl", True) is True:
        files["network.isl_file"] = _input_path(
            net["isl_file"], base_dir, "Hypatia isls.txt", source, "network.isl_file"
        )
    if _named(data.get("ground_stations_file")):
        data = _ground_stations(data, data["ground_stations_file"], base_dir, source)
    terminals = data.get("terminals")
    for terminal in terminals if isinstance(terminals, list | tuple) else ():
        route = terminal.get("path") if isinstance(terminal, dict) else None
        geojson = route.get("geojson") if isinstance(route, dict) else None
        if _named(geojson) and f"geojson:{geojson}" not in files:
            path = Path(geojson)
            if not path.is_absolute() and base_dir is not None:
                path = Path(base_dir) / path
            lat, lon = read_linestring(path)  # InputFileError names the file and the place
            files[f"geojson:{geojson}"] = (tuple(lat.tolist()), tuple(lon.tolist()))
    return data, files


# ----------------------------------------------------------------------------------------------
# Entry points
# ----------------------------------------------------------------------------------------------


def scenario_from_dict(
    data: dict[str, Any], source: str = "<dict>", base_dir: Path | None = None
) -> Scenario:
    """Validate a scenario given as a dict (as parsed from TOML).

    Parameters
    ----------
    data : dict
        The scenario's tables and keys. ``extends`` is resolved relative to `base_dir`.
    source : str
        Name used in error messages and kept as ``Scenario.source``.
    base_dir : pathlib.Path, optional
        Folder that relative paths (``tle_file``, ``extends``) are resolved against; the
        current directory when omitted.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        For any problem, naming `source`, the field path, the value and what is allowed
        (a :class:`~lifeline.config.errors.ScenarioValidationError` listing all of them when
        there are several).
    """
    if not isinstance(data, dict):
        raise ScenarioError(source, "", type(data).__name__, "a table (dict) of scenario keys")
    return _validate(data, source, base_dir, ())


def _validate(
    data: dict[str, Any], source: str, base_dir: Path | None, chain: tuple[str, ...]
) -> Scenario:
    merged = _resolve_extends(data, source, base_dir, chain)
    merged, where = expand_place(merged, source, base_dir)
    merged, files = _read_inputs(merged, source, base_dir)
    try:
        return Scenario.model_validate(merged, context={"source": source, FILES: files})
    except ValidationError as exc:
        err = to_scenario_error(exc, source, Scenario, tags=UNION_TAGS)
        raise _in_terminals_file(err, where) from None


def _in_terminals_file(err: ScenarioError, where: dict[int, str]) -> ScenarioError:
    """The error with each ``terminals[i]`` that came from ``terminals_file`` named by its
    line there (``terminals[3] (sites.csv line 4).lat_deg``)."""
    if not where:
        return err

    def place(text: str) -> str:
        return re.sub(
            r"terminals\[(\d+)\]",
            lambda m: (
                m.group(0) + (f" ({where[int(m.group(1))]})" if int(m.group(1)) in where else "")
            ),
            text,
        )

    problems = getattr(err, "problems", None)
    if problems:
        return ScenarioValidationError(
            [ScenarioError(p.file, place(p.field), p.value, p.allowed) for p in problems]
        )
    return ScenarioError(err.file, place(err.field), err.value, err.allowed)


def load_scenario(source: str | Path) -> Scenario:
    """Load and validate a scenario file or preset.

    Parameters
    ----------
    source : str or pathlib.Path
        A path to a ``.toml`` file, or the name of a preset (see
        :func:`lifeline.presets.list_presets`).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Unknown preset (with the closest name), missing or unreadable file, TOML syntax error
        (with line and column), or any invalid value.

    Examples
    --------
    >>> sc = load_scenario("mariupol-2022")
    >>> sc.time.n_steps
    86400
    """
    path, label = locate(source, None)
    data = read_toml(path, label)
    return _validate(data, label, path.parent, (str(path.resolve()),))
