"""From a place and a date to a scenario: the loading steps that fill in what a planner does
not know by heart, applied to the merged scenario dict before it is validated.

- ``terminals_file``: sites from a CSV or GeoJSON file (:func:`lifeline.io.sites.
  read_terminals_file`) are appended to the ``[[terminals]]`` tables.
- ``constellation.tle_file = "builtin:auto"``: the shipped snapshot nearest the start date;
  ``"cache:NAME"``: elements fetched by ``lifeline data fetch`` (:mod:`lifeline.io.celestrak`).
- ``constellation.launched_by``: when not given, the last launch that had flown by the start
  (estimated from the elements, :func:`lifeline.io.tle.launch_estimates_utc`), so satellites
  launched after the scenario's date are left out.
- How old the elements are: more than :data:`STALE_WARN_DAYS` between the window and the
  elements' median epoch gives a warning, more than :data:`STALE_REFUSE_DAYS` an error, unless
  ``constellation.allow_stale_elements`` is set (``true``, or better the reason as a string,
  which is recorded in the scenario's notes instead of a warning).
- ``[ground] auto = true`` (or ``gateways = "auto"``): the shipped gateways that can share a
  satellite with a site and were listed by the start date, with their PoPs
  (:func:`lifeline.ground.auto_ground`); gateways and PoPs given in the file are kept.

What a step assumed goes to the scenario's ``notes`` (shown by the report). Values of the wrong
type are left alone: the schema's own checks report them with their location.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from lifeline.config.fields import GRID_END_UTC, GRID_FIRST_UTC
from lifeline.errors import InputFileError, ScenarioError, TLEError

__all__ = [
    "STALE_REFUSE_DAYS",
    "STALE_WARN_DAYS",
    "builtin_snapshots",
    "expand_place",
    "nearest_snapshot",
]

log = logging.getLogger(__name__)

#: Element age [day] beyond which a run warns: SGP4 from TLEs drifts by roughly 1-3 km a day
#: from epoch, so after two weeks where each satellite is at a given second is uncertain by
#: tens of km, though coverage statistics still hold (assumption, references.md#element-age).
STALE_WARN_DAYS = 14.0
#: Element age [day] beyond which a run is refused: after about four months launches and
#: re-entries change the constellation itself (the default preset's 98-day back-propagation
#: already loses ~33 of 2,392 satellites to implausible states); an assumption
#: (references.md#element-age).
STALE_REFUSE_DAYS = 120.0
#: Shell altitude when the constellation gives none to read [km] (Starlink's first shell,
#: references.md#constellation-shells).
DEFAULT_SHELL_ALTITUDE_KM = 550.0
#: Terminal elevation mask when the scenario sets none [deg] (references.md#min-elevation).
DEFAULT_MIN_ELEVATION_DEG = 25.0
#: WGS72 Earth radius and gravitational parameter, those TLE mean motions are fitted with
#: (references.md#sgp4) [km, km³/s²].
_RE_KM, _MU_KM3_S2 = 6378.135, 398600.8

_BUILTIN, _CACHE, _AUTO = "builtin:", "cache:", "builtin:auto"
_SNAPSHOT = re.compile(r"^starlink-(\d{4}-\d{2}-\d{2})$")


def builtin_snapshots() -> dict[str, date]:
    """Shipped Starlink snapshots, ``name -> date`` (from their file names)."""
    out = {}
    for entry in resources.files("lifeline.data").iterdir():
        match = _SNAPSHOT.match(entry.name.removesuffix(".tle"))
        if entry.name.endswith(".tle") and match:
            out[match.group(0)] = date.fromisoformat(match.group(1))
    return out


def nearest_snapshot(on: date) -> tuple[str, int]:
    """The shipped snapshot nearest a date and how many days it is away from it."""
    snapshots = builtin_snapshots()
    name = min(snapshots, key=lambda n: (abs((snapshots[n] - on).days), snapshots[n]))
    return name, abs((snapshots[name] - on).days)


@lru_cache(maxsize=16)
def _columns(path: str, mtime_ns: int, size: int):
    from lifeline.io.tle import scan_tle

    return scan_tle(path)


def _scan(path: Path):
    stat = path.stat()
    return _columns(str(path), stat.st_mtime_ns, stat.st_size)


def _start_end(data: dict[str, Any]) -> tuple[datetime, datetime] | None:
    time = data.get("time")
    if not isinstance(time, dict) or not isinstance(time.get("start_utc"), datetime):
        return None
    start = time["start_utc"]
    if start.tzinfo is None:
        return None  # the schema refuses a naive time and says why
    try:
        start = start.astimezone(UTC)
    except OverflowError:
        return None  # year 1 with an offset: the schema reports the date
    if not GRID_FIRST_UTC <= start < GRID_END_UTC:
        return None  # the schema says which dates the time grid holds
    end = time.get("end_utc")
    if isinstance(end, datetime) and end.tzinfo is not None:
        try:
            end = end.astimezone(UTC)
        except OverflowError:
            return None
    else:
        duration = time.get("duration_s")
        end = start
        if isinstance(duration, int | float) and not isinstance(duration, bool):
            try:
                end = start + timedelta(seconds=float(duration))
            except (OverflowError, ValueError):
                return None
    return (start, end) if start <= end < GRID_END_UTC else None


def _np_utc(t: datetime) -> np.datetime64:
    return np.datetime64(t.replace(tzinfo=None), "ns")


def _tle_path(value: str, base_dir: Path | None, source: str, notes: list[str]) -> Path | None:
    """The file a ``tle_file`` names, for the checks here (the loader resolves it again)."""
    field = "constellation.tle_file"
    if value.startswith(_CACHE):
        from lifeline.io.celestrak import read_sidecar, resolve_cached

        try:
            path = resolve_cached(value.removeprefix(_CACHE))
        except InputFileError as err:
            raise ScenarioError(source, field, value, err.allowed) from None
        meta = read_sidecar(path) or {}
        fetched = meta.get("fetched_utc", "at an unknown time")
        notes.append(
            f"Orbits: {value} = {path.name}, fetched {fetched} from "
            f"{meta.get('source_url', 'an unknown source')}."
        )
        return path
    if value.startswith(_BUILTIN):
        name = value.removeprefix(_BUILTIN)
        if name not in builtin_snapshots():
            return None  # not a dated Starlink snapshot: the loader checks the name
        return Path(str(resources.files("lifeline.data").joinpath(f"{name}.tle")))
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    try:
        return path if path.is_file() else None
    except (OSError, ValueError):  # a NUL byte or an over-long name: the loader reports it
        return None


def _constellation(
    data: dict[str, Any], window: tuple[datetime, datetime] | None, source: str, base_dir
) -> tuple[list[str], float | None]:
    """Resolve ``builtin:auto``/``cache:``, default ``launched_by``, check the elements' age.

    Returns the notes and the shell altitude the elements give [km] (None when unknown).
    """
    notes: list[str] = []
    const = data.get("constellation")
    if not isinstance(const, dict):
        return notes, None
    sources = [k for k in ("tle_file", "hypatia_tle_file", "preset", "shells") if k in const]
    if len(sources) != 1:
        return notes, None  # the schema says "exactly one of ..."
    shells = const.get("shells")
    if isinstance(shells, list):
        alts = [s.get("altitude_km") for s in shells if isinstance(s, dict)]
        alts = [a for a in alts if isinstance(a, int | float) and not isinstance(a, bool)]
        return notes, (float(max(alts)) if alts else None)
    tle = const.get("tle_file")
    if not isinstance(tle, str) or not tle.strip():
        return notes, None
    field = "constellation.tle_file"
    if tle == _AUTO:
        if window is None:
            raise ScenarioError(source, field, tle, "builtin:auto with a [time] start_utc")
        name, days = nearest_snapshot(window[0].date())
        const["tle_file"] = tle = _BUILTIN + name
        notes.append(f"Orbits: builtin:auto chose {name}, {days} days from the start date.")
    path = _tle_path(tle, base_dir, source, notes)
    if path is None or window is None:
        return notes, None
    try:
        columns = _scan(path)
    except TLEError:
        return notes, None  # the full parse reports it with its line
    if len(columns.epoch_utc) == 0:
        return notes, None
    start, end = window
    if "launched_by" not in const:
        from lifeline.io.tle import launch_estimates_utc

        launches = launch_estimates_utc(columns)
        flown = [k for k, t in launches.items() if t <= _np_utc(start)]
        later = len(launches) - len(flown)
        if later:  # only when the file holds launches after the start
            if not flown:
                raise ScenarioError(
                    source,
                    field,
                    tle,
                    f"elements with satellites launched by the start ({start:%Y-%m-%d}); "
                    "every satellite in this file was launched later",
                )
            year, number = max(flown)
            const["launched_by"] = last = f"{year:04d}-{number:03d}"
            notes.append(
                f"Orbits: {later} launch{'es' if later != 1 else ''} after {start:%Y-%m-%d} left "
                f'out (launched_by = "{last}", estimated from the elements; set launched_by to '
                "override)."
            )
    epoch = np.median(columns.epoch_utc.astype("datetime64[s]").astype(np.int64))
    epoch_utc = datetime.fromtimestamp(float(epoch), UTC)
    age_days = max(abs((start - epoch_utc).total_seconds()), abs((end - epoch_utc).total_seconds()))
    age_days /= 86400.0
    allow = const.get("allow_stale_elements", False)
    if age_days > STALE_WARN_DAYS:
        why = (
            f"the elements' epochs (median {epoch_utc:%Y-%m-%d}) are {age_days:.0f} days from "
            f"the window; SGP4 drifts 1-3 km a day from epoch and launches and re-entries "
            "change the constellation"
        )
        if isinstance(allow, str) and allow.strip():
            notes.append(f"Orbits: {why}; accepted because: {allow.strip()}")
        elif age_days > STALE_REFUSE_DAYS and allow is not True:
            raise ScenarioError(
                source,
                field,
                tle,
                f"elements within {STALE_REFUSE_DAYS:.0f} days of the window ({why}): use "
                'tle_file = "builtin:auto" (the nearest shipped snapshot), fetch current ones '
                '(`lifeline data fetch starlink`, then "cache:starlink-latest"), or set '
                'constellation.allow_stale_elements = "the reason"',
            )
        else:
            log.warning("%s: %s", source, why)
            notes.append(f"Orbits: {why}.")
    altitude = _shell_altitude_km(columns.rev_per_day)
    return notes, altitude


def _shell_altitude_km(rev_per_day: np.ndarray) -> float | None:
    """The 95th percentile of the satellites' mean altitudes [km]: the highest shell without
    the odd satellite on its way up or down."""
    n = rev_per_day[np.isfinite(rev_per_day) & (rev_per_day > 0)] * 2 * np.pi / 86400.0
    if not len(n):
        return None
    altitude = (_MU_KM3_S2 / n**2) ** (1.0 / 3.0) - _RE_KM
    return float(np.percentile(altitude, 95))


def _terminals_file(
    data: dict[str, Any],
    source: str,
    base_dir: Path | None,
    notes: list[str],
    where: dict[int, str],
) -> None:
    from lifeline.io.sites import SitesError, read_terminals_file

    value = data.get("terminals_file")
    if not isinstance(value, str) or not value.strip():
        return
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    try:
        rows = read_terminals_file(path)
    except SitesError as err:
        raise ScenarioError(source, "terminals_file", value, f"a sites file: {err}") from None
    tables = data.get("terminals", [])
    if not isinstance(tables, list):
        return  # the schema reports the wrong type
    data["terminals"] = [*tables, *(dict(r.values) for r in rows)]
    where.update({len(tables) + i: f"{path.name} {r.where}" for i, r in enumerate(rows)})
    notes.append(f"Sites: {len(rows)} from {path.name}.")


def _ground(
    data: dict[str, Any],
    window: tuple[datetime, datetime] | None,
    altitude_km: float | None,
    source: str,
    notes: list[str],
) -> None:
    from lifeline.ground import auto_ground
    from lifeline.io.sites import read_gateways_csv, read_pops_csv

    ground = data.get("ground")
    if data.get("gateways") == "auto":
        data.pop("gateways")
        ground = {**(ground if isinstance(ground, dict) else {}), "auto": True}
        data["ground"] = ground
    if not isinstance(ground, dict) or ground.get("auto") is not True:
        return
    if window is None:
        return  # [time] is reported by its own check
    terminals = [
        t
        for t in data.get("terminals") or []
        if isinstance(t, dict)
        and all(
            isinstance(t.get(k), int | float) and not isinstance(t.get(k), bool)
            for k in ("lat_deg", "lon_deg")
        )
    ]
    if not terminals:
        return
    net = data.get("network") if isinstance(data.get("network"), dict) else {}
    default_mask = net.get("min_elevation_deg", DEFAULT_MIN_ELEVATION_DEG)
    masks = [t.get("min_elevation_deg", default_mask) for t in terminals]
    if not all(isinstance(m, int | float) and 0 <= m <= 90 for m in masks):
        return  # a bad mask is reported by the schema
    if altitude_km is None:
        altitude_km = DEFAULT_SHELL_ALTITUDE_KM
        notes.append(f"Ground: shell altitude taken as {altitude_km:g} km.")
    folder = Path(str(resources.files("lifeline.data")))
    found = auto_ground(
        [t["lat_deg"] for t in terminals],
        [t["lon_deg"] for t in terminals],
        masks,
        window[0].date(),
        altitude_km,
        read_gateways_csv(folder / "starlink-gateways.csv"),
        read_pops_csv(folder / "starlink-pops.csv"),
    )
    given_gw = data.get("gateways") if isinstance(data.get("gateways"), list) else []
    given_pops = data.get("pops") if isinstance(data.get("pops"), list) else []
    names = {g.get("name") for g in given_gw if isinstance(g, dict)}
    pop_names = {p.get("name") for p in given_pops if isinstance(p, dict)}
    added = [g for g in found.gateways if g["name"] not in names]
    data["gateways"] = [*given_gw, *added]
    data["pops"] = [*given_pops, *(p for p in found.pops if p["name"] not in pop_names)]
    if not data["gateways"]:
        raise ScenarioError(
            source,
            "ground.auto",
            True,
            "sites within reach of a shipped gateway (none of the listed gateways can share a "
            f"satellite at {altitude_km:.0f} km with any site); add [[gateways]] and [[pops]] "
            "by hand",
        )
    listing = ", ".join(
        f"{g['name']} ({d:,.0f} km)" for g, d in zip(found.gateways, found.distance_km, strict=True)
    )
    plural = "s" if len(added) != 1 else ""
    notes.append(
        f"Ground: {len(added)} shipped gateway{plural} within bent-pipe reach of the sites at "
        f"{altitude_km:.0f} km and listed by {window[0]:%Y-%m-%d}: {listing or 'none'}; PoPs: "
        f"{', '.join(p['name'] for p in found.pops) or 'none'}."
    )
    notes += found.notes


def expand_place(
    data: dict[str, Any], source: str, base_dir: Path | None
) -> tuple[dict[str, Any], dict[int, str]]:
    """The merged scenario dict with the steps of the module docstring applied.

    Returns
    -------
    data : dict
        A new dict (the input is not modified); its ``notes`` list holds what was assumed,
        after any notes the file gives.
    where : dict
        Terminal index -> its place in ``terminals_file`` (``"sites.csv line 4"``), so a
        validation error of that terminal can name the file's line.

    Raises
    ------
    ScenarioError
        Elements too far from the window, an unreadable sites file, no gateway in reach.
    """
    out = {
        k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()
    }  # tables copied: the steps below set keys in them
    notes: list[str] = []
    window = _start_end(out)
    where: dict[int, str] = {}
    _terminals_file(out, source, base_dir, notes, where)
    const_notes, altitude = _constellation(out, window, source, base_dir)
    notes += const_notes
    _ground(out, window, altitude, source, notes)
    if notes:
        given = out.get("notes", [])
        out["notes"] = [*(given if isinstance(given, list) else [given]), *notes]
    return out, where
