"""Scenario presets shipped with lifeline (``lifeline/presets/*.toml``).

A preset is an ordinary scenario file; ``lifeline.config.load_scenario("mariupol-2022")``
loads one by name. This module only finds them.
"""

from __future__ import annotations

import difflib
import tomllib
from importlib import resources
from pathlib import Path

from lifeline.errors import ScenarioError

__all__ = ["describe_presets", "list_presets", "preset_names", "preset_path"]

_SUFFIX = ".toml"


def _folder() -> Path:
    # The package is installed as plain files (no zip import), so the traversable is a path.
    return Path(str(resources.files(__name__)))


def preset_names() -> list[str]:
    """Names of the shipped presets, sorted.

    Returns
    -------
    list of str
        File names of ``lifeline/presets/*.toml`` without the suffix.
    """
    return sorted(p.name.removesuffix(_SUFFIX) for p in _folder().glob(f"*{_SUFFIX}"))


def preset_path(name: str) -> Path:
    """Path of the preset called `name`.

    Parameters
    ----------
    name : str
        Preset name, e.g. ``"mariupol-2022"``.

    Returns
    -------
    pathlib.Path
        The preset's TOML file.

    Raises
    ------
    ScenarioError
        If no preset has that name; the message lists the presets and the closest match.
    """
    names = preset_names()
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ScenarioError(
            f"preset:{name}",
            "preset",
            name,
            f"unknown preset; {hint}presets: {', '.join(names)} (or give a path to a .toml file)",
        )
    return _folder() / f"{name}{_SUFFIX}"


def list_presets() -> list[tuple[str, str]]:
    """Shipped presets with a one-line description each.

    Returns
    -------
    list of (str, str)
        ``(name, first line of the preset's description)``, sorted by name.
    """
    out = []
    for name in preset_names():
        with preset_path(name).open("rb") as fh:
            description = str(tomllib.load(fh).get("description", "")).strip()
        out.append((name, description.splitlines()[0] if description else ""))
    return out


def describe_presets() -> list[tuple[str, str, str]]:
    """Every shipped preset, scenario and sweep, with its whole description.

    Returns
    -------
    list of (str, str, str)
        ``(name, "scenario" or "sweep", description)``: the scenarios sorted by name, then the
        sweeps (``lifeline/presets/sweeps/*.toml``, for ``lifeline sweep NAME``).
    """
    out = []
    def by_name(folder: Path) -> list[Path]:
        return sorted(folder.glob(f"*{_SUFFIX}"), key=lambda p: p.stem)

    files = [(p, "scenario") for p in by_name(_folder())]
    files += [(p, "sweep") for p in by_name(_folder() / "sweeps")]
    for path, kind in files:
        with path.open("rb") as fh:
            description = str(tomllib.load(fh).get("description", "")).strip()
        out.append((path.name.removesuffix(_SUFFIX), kind, description))
    return out
