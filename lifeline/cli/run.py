"""``lifeline run``, ``validate`` and ``presets``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lifeline.cli.app import DEFAULT_PRESET, app, guard, print_table, progress_bar
from lifeline.cli.text import cell, say
from lifeline.errors import printable
from lifeline.procs import interrupt_once


def _summary_table(summary: dict) -> Table:
    mode = "with laser ISLs" if summary["isl"] else "bent pipe"
    table = Table(
        title=cell(f"{summary['scenario']} ({mode})"),
        caption="avail%: share of steps served; RTT in ms; HO: handovers; out: outages "
        "(longest in s); Mb/s: throughput p50 down/up; dem%: share of demand served down/up",
    )
    table.add_column("terminal", no_wrap=True)
    radio = any("throughput_down_mbps_p50" in t for t in summary["terminals"].values())
    columns = ["avail%", "RTT p5", "p50", "p95", "HO", "out", "longest"]
    if radio:
        columns += ["Mb/s", "dem%"]
    for col in columns:
        table.add_column(col, justify="right", no_wrap=True)

    def ms(v: float | None) -> str:
        return "—" if v is None else f"{v:.1f}"

    for name, t in summary["terminals"].items():
        row = [
            cell(name),
            f"{t['availability_pct']:.2f}",
            ms(t["rtt_ms_p5"]),
            ms(t["rtt_ms_p50"]),
            ms(t["rtt_ms_p95"]),
            str(t["handovers"]),
            str(t["outages"]),
            f"{t['longest_outage_s']:.0f}",
        ]
        if radio:
            for key in ("throughput_{}_mbps_p50", "demand_{}_served_pct"):
                down, up = (t.get(key.format(way)) for way in ("down", "up"))
                row.append("—" if down is None or up is None else f"{down:.0f}/{up:.0f}")
        table.add_row(*row)
    return table


def _verdict_lines(out: Path) -> list[str]:
    """The report's verdict per site, in short: its headline and how much time was served,
    the longest gap and what broke it."""
    from lifeline.report import load_report_data
    from lifeline.report.prepare import build_views

    lines = []
    for v in build_views(load_report_data(out)).verdicts:
        lines.append(f"{v.name}: {v.headline}. " + " ".join(v.sentences[:2]))
    return lines


@app.command()
def run(
    scenario: Annotated[
        str, typer.Argument(help="Scenario TOML file or preset name (see `lifeline presets`).")
    ] = DEFAULT_PRESET,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print summary.json to stdout.")] = False,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=0, help="Processes to use (0: one per core).")
    ] = 0,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="Finish an interrupted run in OUT: recompute only missing chunks."
        ),
    ] = False,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh", help="Discard the finished chunks of an interrupted run in OUT; start over."
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Run even if it looks too large for this machine's memory, or write into a "
            "folder of other files.",
        ),
    ] = False,
) -> None:
    """Run a scenario; write OUT/terminals.parquet, summary.json, scenario.json, report.html.

    Finished 10-minute chunks are kept in OUT/.terminals.parts until the run completes, so an
    interrupted run (Ctrl-C, killed) continues with --resume. OUT is locked while the run
    writes it: a second run into it is refused.
    """

    def go() -> None:
        with interrupt_once():
            work()

    def work() -> None:
        console = Console(stderr=True)
        try:
            from lifeline.api import load_scenario
            from lifeline.api import run as run_scenario

            sc = load_scenario(scenario)
            show = not quiet and not as_json and console.is_terminal
            with progress_bar(console, disable=not show) as bar:
                task = bar.add_task(printable(sc.name, 60), total=sc.time.n_steps)
                result = run_scenario(
                    sc,
                    out,
                    progress=lambda done, total: bar.update(task, completed=done),
                    workers=workers or None,
                    resume=resume,
                    fresh=fresh,
                    force=force,
                    command=f"lifeline run {scenario}",
                )
        except KeyboardInterrupt:
            from lifeline.results import PARTS_DIR

            kept = list((out / PARTS_DIR).glob("steps-*.parquet")) if out.is_dir() else []
            if kept:
                say(
                    console,
                    f"interrupted: {len(kept)} finished chunks are kept in {out / PARTS_DIR}; "
                    "run again with --resume to finish",
                )
            else:
                say(console, "interrupted before any chunk finished; nothing kept")
            sys.exit(130)
        if result.already_finished:
            say(
                console,
                f"{out}: this run is already finished (summary.json); nothing was recomputed "
                "(--fresh runs it again)",
            )
        if as_json:
            sys.stdout.write(json.dumps(result.summary, indent=2) + "\n")
        elif not quiet:
            print_table(_summary_table(result.summary))
            for line in _verdict_lines(out):
                say(Console(), line)
            written = ", ".join(str(out / f) for f in ("terminals.parquet", "summary.json"))
            say(Console(), f"wrote {written}, {out / 'scenario.json'} and {out / 'report.html'}")

    guard(go)


@app.command()
def validate(
    scenario: Annotated[str, typer.Argument(help="Scenario TOML file or preset.")],
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=0, help="Processes to plan for (0: one per core).")
    ] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Pass a run too large for this machine's memory.")
    ] = False,
) -> None:
    """Check a scenario (and its TLE, ISL and ground-station files) without running it; print
    its size and an estimate of its time and memory (refused above the memory budget)."""
    import numpy as np

    from lifeline.config import load_scenario
    from lifeline.engine import build_constellation, run_size, scenario_isl_edges
    from lifeline.runsize import check_memory

    def go() -> None:
        sc = load_scenario(scenario)
        constellation = build_constellation(sc)
        start = np.datetime64(sc.time.start_utc.replace(tzinfo=None), "ns")
        n_isl = len(scenario_isl_edges(sc, constellation, start))
        size = run_size(sc, len(constellation), workers or None)
        check_memory(str(scenario), size, force=force)
        typer.echo(
            printable(
                f"{scenario}: ok ({len(constellation)} satellites, {n_isl} laser links, "
                f"{len(sc.terminals)} terminals, {len(sc.gateways)} gateways, "
                f"{len(sc.pops)} PoPs, {sc.time.n_steps} steps)"
            )
        )
        typer.echo(f"  size: {size.describe()}")
        typer.echo(f"  estimate: {size.estimate()}")
        for note in sc.notes:  # what loading assumed (orbits chosen, gateways found, ...)
            typer.echo(printable(f"  {note}"))

    guard(go)


@app.command()
def presets() -> None:
    """List the built-in scenarios and sweeps with their full descriptions."""
    import textwrap

    from lifeline.presets import describe_presets

    how = {"scenario": "lifeline run NAME", "sweep": "lifeline sweep NAME"}
    for name, kind, description in describe_presets():
        # Plain text wrapped at 100 columns: whole on a terminal and in a pipe alike.
        typer.echo(f"{name}  ({kind}: {how[kind]})")
        typer.echo(
            textwrap.fill(
                " ".join(description.split()),
                100,
                initial_indent="    ",
                subsequent_indent="    ",
                break_on_hyphens=False,  # "Ka-band" stays one word
            )
            + "\n"
        )
