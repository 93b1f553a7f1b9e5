"""``lifeline plan``: kits (both directions), power kit and extra gateways per site."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lifeline.cli.app import DEFAULT_PRESET, app, guard, print_table
from lifeline.cli.text import cell, say
from lifeline.procs import interrupt_once


@app.command()
def plan(
    scenario: Annotated[str, typer.Argument(help="Scenario TOML file or preset name.")] = (
        DEFAULT_PRESET
    ),
    users: Annotated[int, typer.Option("--users", min=1, help="People per site.")] = 100,
    mbps_down: Annotated[
        float,
        typer.Option("--mbps-down", "--mbps", min=0.0, help="Download each person needs [Mbit/s]."),
    ] = 1.0,
    mbps_up: Annotated[
        float | None,
        typer.Option(
            "--mbps-up",
            min=0.0,
            help="Upload each person needs [Mbit/s] (default: a fifth of the download, the "
            "ratio of the FCC's 100/20 Mbit/s broadband benchmark).",
        ),
    ] = None,
    availability: Annotated[
        float, typer.Option("--availability", min=0.0, max=100.0, help="Required [%].")
    ] = 99.0,
    kit_mbps_down: Annotated[
        float | None,
        typer.Option(
            "--kit-mbps-down",
            min=1e-6,
            help="What one kit gets down in its loaded cell [Mbit/s] (default: radio layer).",
        ),
    ] = None,
    kit_mbps_up: Annotated[
        float | None,
        typer.Option("--kit-mbps-up", min=1e-6, help="The same, up [Mbit/s]."),
    ] = None,
    solar_w: Annotated[
        float, typer.Option("--solar-w", min=0.0, help="Solar panel per kit [W].")
    ] = 0.0,
    candidates: Annotated[
        Path | None,
        typer.Option(
            "--candidates",
            help="Gateway CSV to pick from (default: the shipped list): name, lat_deg, lon_deg "
            "and optionally alt_m, min_elevation_deg, max_satellites (as in [[gateways]]).",
        ),
    ] = None,
    n_candidates: Annotated[
        int, typer.Option("--n-candidates", min=1, help="Nearest candidates tried per site.")
    ] = 5,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for plan.json.")] = Path("out"),
    workers: Annotated[int, typer.Option("--workers", "-w", min=0, help="0: one per core.")] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Write into a folder that holds other files.")
    ] = False,
) -> None:
    """Print the plan and write OUT/plan.json."""
    from lifeline.api import load_scenario
    from lifeline.io.sites import read_gateways_csv
    from lifeline.outdir import output_errors, output_lock, prepare_output_dir
    from lifeline.plan import UPLINK_SHARE_OF_DOWNLINK, make_plan
    from lifeline.results import write_json

    up = mbps_down * UPLINK_SHARE_OF_DOWNLINK if mbps_up is None else mbps_up

    def go() -> None:
        with interrupt_once():
            work()

    def work() -> None:
        sc = load_scenario(scenario)
        # Checked before the planner's runs (minutes), so a bad --out fails at once.
        prepare_output_dir(out, force=force)
        path = candidates or Path(str(files("lifeline.data").joinpath("starlink-gateways.csv")))
        result = make_plan(
            sc,
            users,
            mbps_down,
            up,
            availability,
            read_gateways_csv(path),
            kit_mbps_down=kit_mbps_down,
            kit_mbps_up=kit_mbps_up,
            solar_w=solar_w,
            n_candidates=n_candidates,
            workers=workers or None,
        )
        with output_lock(out, f"lifeline plan {scenario}"), output_errors(out):
            write_json(out / "plan.json", result)
        table = Table(
            title=cell(
                f"Plan for {sc.name}: {users} people x {mbps_down:g} down / {up:g} up "
                f"Mbit/s, {availability:g} % of the time"
            )
        )
        columns = ("site", "served %", "kits", "cells", "binds", "per kit Mb/s", "battery Wh")
        for col in (*columns, "add gateways"):
            table.add_column(col, justify="left" if col in ("site", "add gateways") else "right")
        notes = []
        for name, s in result["sites"].items():
            battery = s["power_kit"]["battery_wh"]
            adds = "—" if s["meets_target"] else ", ".join(s["add_gateways"] or ["none found"])
            table.add_row(
                cell(name),
                f"{s['availability_pct']:.2f}",
                str(s["kits"]),
                str(s["cells"]),
                s["binding"],
                f"{s['per_kit_down_mbps']:.0f} / {s['per_kit_up_mbps']:.1f}",
                "not enough" if battery is None else f"{battery:.0f}",
                cell(adds),
            )
            notes += [f"{name}: {note}" for note in s["notes"]]
        print_table(table)
        console = Console()
        kits = sorted({s["kit"] for s in result["sites"].values()})
        say(
            console,
            f"kits: {', '.join(kits)}; cells: sites at least a cell apart that the kits are "
            "spread over; binds: the direction that needs more kits; per kit: what one kit gets "
            "down / up in its loaded cell at the required share of the time; battery: per kit.",
        )
        for note in notes:
            say(console, note)
        say(console, f"wrote {out / 'plan.json'}")

    guard(go)
