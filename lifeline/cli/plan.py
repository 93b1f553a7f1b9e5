"""``lifeline plan``: terminals, power kit and extra gateways per site for a required service."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lifeline.cli.app import DEFAULT_PRESET, app, guard, print_table


@app.command()
def plan(
    scenario: Annotated[str, typer.Argument(help="Scenario TOML file or preset name.")] = (
        DEFAULT_PRESET
    ),
    users: Annotated[int, typer.Option("--users", min=1, help="People per site.")] = 100,
    mbps: Annotated[
        float, typer.Option("--mbps", min=0.0, help="Rate each person needs [Mbit/s].")
    ] = 1.0,
    availability: Annotated[
        float, typer.Option("--availability", min=0.0, max=100.0, help="Required [%].")
    ] = 99.0,
    terminal_mbps: Annotated[
        float | None,
        typer.Option(
            "--terminal-mbps",
            min=1e-6,
            help="One dish's throughput [Mbit/s] (default: from the radio layer's capacity).",
        ),
    ] = None,
    solar_w: Annotated[
        float, typer.Option("--solar-w", min=0.0, help="Solar panel per dish [W].")
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
) -> None:
    """Print the plan and write OUT/plan.json."""
    from lifeline.api import load_scenario
    from lifeline.io.sites import read_gateways_csv
    from lifeline.plan import make_plan
    from lifeline.results import write_json

    def go() -> None:
        sc = load_scenario(scenario)
        path = candidates or Path(str(files("lifeline.data").joinpath("starlink-gateways.csv")))
        result = make_plan(
            sc,
            users,
            mbps,
            availability,
            read_gateways_csv(path),
            terminal_mbps=terminal_mbps,
            solar_w=solar_w,
            n_candidates=n_candidates,
            workers=workers or None,
        )
        write_json(out / "plan.json", result)
        table = Table(
            title=f"Plan for {sc.name}: {users} users x {mbps:g} Mbit/s, {availability:g} %"
        )
        for col in ("site", "avail %", "dishes", "battery Wh", "add gateways"):
            table.add_column(col, justify="left" if col in ("site", "add gateways") else "right")
        for name, s in result["sites"].items():
            battery = s["power_kit"]["battery_wh"]
            adds = "—" if s["meets_target"] else ", ".join(s["add_gateways"] or ["none found"])
            table.add_row(
                name,
                f"{s['availability_pct']:.2f}",
                str(s["terminals"]),
                "not enough" if battery is None else f"{battery:.0f}",
                adds,
            )
        print_table(table)
        Console().print(f"wrote {out / 'plan.json'}")

    guard(go)
