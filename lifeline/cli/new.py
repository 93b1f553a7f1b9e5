"""``lifeline new``: a commented, valid scenario from places and a date."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from lifeline.cli.app import app, guard
from lifeline.errors import ScenarioError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def parse_site(text: str, index: int) -> tuple[float, float, str]:
    """``LAT,LON[,NAME]`` -> (lat [deg], lon [deg], name); ``site-N`` when unnamed."""
    parts = [p.strip() for p in text.split(",", 2)]
    allowed = "LAT,LON[,NAME] with LAT in -90..90 and LON in -180..180 (decimal degrees)"
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        raise ScenarioError("--site", f"site {index + 1}", text, allowed) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ScenarioError("--site", f"site {index + 1}", text, allowed)
    name = parts[2] if len(parts) == 3 and parts[2] else f"site-{index + 1}"
    return lat, lon, name


def parse_start(text: str) -> datetime:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO date-time with a zone, as UTC."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            return datetime.combine(date.fromisoformat(text.strip()), datetime.min.time(), UTC)
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ScenarioError(
            "--start",
            "start",
            text,
            "a date (2022-01-20) or a date-time with a zone (2022-01-20T06:00:00Z)",
        )
    return value.astimezone(UTC)


def _toml_str(text: str) -> str:
    # A JSON string without \u escapes is a valid TOML basic string.
    return json.dumps(text, ensure_ascii=False)


def scenario_text(
    name: str,
    sites: list[tuple[float, float, str]],
    start: datetime,
    hours: float,
    step_s: float,
    notes: list[str],
) -> str:
    """The scenario file ``lifeline new`` writes (see the comments in it)."""
    names = ", ".join(s[2] for s in sites)
    end = start + timedelta(hours=hours)
    lines = [
        f"# lifeline scenario {_toml_str(name)}, written by `lifeline new`.",
        "# Every key, its unit, default and allowed values: docs/scenario.md.",
        f"# Run it: lifeline run {name}.toml --out out-{name}",
        "",
        f"name = {_toml_str(name)}",
        'description = """',
        f"{names} from {start:%Y-%m-%d %H:%M} UTC for {hours:g} h. Gateways and PoPs are the",
        "shipped ones that can reach the sites on that date; orbits are the shipped snapshot",
        "nearest the date.",
        '"""',
        "",
        "[time]",
        f"start_utc = {start:%Y-%m-%dT%H:%M:%SZ}",
        f"duration_s = {hours * 3600:g}   # {hours:g} h, to {end:%Y-%m-%d %H:%M} UTC",
        f"step_s = {step_s:g}          # one row per terminal and step in terminals.parquet",
        "",
        "[constellation]",
        "# The shipped Starlink snapshot nearest the start date. Satellites launched after the",
        "# start are left out (launched_by defaults from start_utc); elements more than 14 days",
        "# from the window give a warning, more than 120 days an error. For today's orbits run",
        '# `lifeline data fetch starlink` and set tle_file = "cache:starlink-latest".',
        'tle_file = "builtin:auto"',
        '# allow_stale_elements = "why old elements are fine here"   # silences the age warning',
        "",
        "[network]",
        *_network_lines(start),
        "",
        "[ground]",
        "# The shipped gateways that can share a satellite with a site (bent pipe, from both",
        "# elevation masks and the shell altitude) and were listed by the start date, each",
        "# homed to its nearest listed PoP. Add [[gateways]] and [[pops]] to use others too.",
        "auto = true",
    ]
    if notes:
        lines += ["#", "# When this file was written, loading it gave:"]
        for note in notes:
            lines += [f"#   {line}" for line in _wrap(note, 86)]
    for lat, lon, site in sites:
        lines += [
            "",
            "[[terminals]]",
            f"name = {_toml_str(site)}",
            f"lat_deg = {lat:g}",
            f"lon_deg = {lon:g}",
            "# users = 1              # people sharing this terminal",
            "# horizon_deg = [20, 20, 20, 20]   # obstructions: minimum elevation per sector "
            "from north",
        ]
    return "\n".join(lines) + "\n"


#: The first users publicly served over Starlink's lasers: McMurdo, Antarctica, announced
#: 14 Sep 2022 (references.md#laser-history).
FIRST_LASER_SERVICE = date(2022, 9, 14)


def _network_lines(start: datetime) -> list[str]:
    """Bent pipe before the first public laser service, the network default after it."""
    if start.date() < FIRST_LASER_SERVICE:
        return [
            "# Bent pipe: no public evidence of lasers carrying user traffic before",
            "# 14 Sep 2022 (references.md#laser-history); set isl = true for the what-if.",
            "isl = false",
        ]
    return [
        "# Laser links between satellites (the network default); isl = false for bent pipe",
        "# only (references.md#laser-history).",
        "# isl = true",
    ]


def _wrap(text: str, width: int) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return out + ([line] if line else [])


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="Scenario name; the file is NAME.toml.")],
    site: Annotated[
        list[str],
        typer.Option(
            "--site", help="A site as LAT,LON[,NAME] in decimal degrees (repeat for more)."
        ),
    ],
    start: Annotated[
        str, typer.Option("--start", help="Start: a date (midnight UTC) or an ISO date-time.")
    ],
    hours: Annotated[float, typer.Option("--hours", min=0.001, help="Window length [h].")] = 24.0,
    step_s: Annotated[float, typer.Option("--step-s", min=0.001, help="Time step [s].")] = 1.0,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default NAME.toml).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented scenario for places and a date (gateways and orbits found for you)."""
    from lifeline.api import load_scenario

    def go() -> None:
        if not _NAME.match(name):
            raise ScenarioError(
                "new", "NAME", name, "letters, digits, '.', '_' or '-' (it names the file)"
            )
        sites = [parse_site(s, i) for i, s in enumerate(site)]
        if len({s[2] for s in sites}) != len(sites):
            raise ScenarioError("--site", "NAME", [s[2] for s in sites], "distinct site names")
        begin = parse_start(start)
        path = out or Path(f"{name}.toml")
        if path.exists() and not force:
            raise ScenarioError(
                str(path), "file", "exists", "a new file (use --force to overwrite it)"
            )
        # Written beside the target first and loaded from there (relative paths resolve
        # alike), so a file that does not load is never left behind.
        tmp = path.with_name(f".{path.stem}.new.toml")
        text = scenario_text(name, sites, begin, hours, step_s, [])
        # Loading's warnings (old elements) are written into the file as notes instead.
        place_log = logging.getLogger("lifeline.config.place")
        level = place_log.level
        try:
            tmp.write_text(text, encoding="utf-8")
            place_log.setLevel(logging.ERROR)
            scenario = load_scenario(str(tmp.resolve()))
            text = scenario_text(name, sites, begin, hours, step_s, list(scenario.notes))
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        finally:
            place_log.setLevel(level)
            tmp.unlink(missing_ok=True)
        typer.echo(
            f"wrote {path}: {len(scenario.terminals)} sites, {len(scenario.gateways)} gateways "
            f"({', '.join(g.name for g in scenario.gateways)}), {len(scenario.pops)} PoPs, "
            f"{scenario.constellation.tle_file}"
        )

    guard(go)
