"""``lifeline sweep``: many plausible futures of a scenario on Dask."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lifeline.cli.app import app, guard, print_table, progress_bar
from lifeline.cli.text import cell, say
from lifeline.procs import interrupt_once


def _distribution_table(summary: dict) -> Table:
    # escape: rich would read "[ms]" as markup and drop it.
    title = escape(
        f"{summary['samples']} samples: availability [%], RTT p50 [ms], throughput p50 down / "
        "up [Mbit/s]"
    )
    table = Table(title=title, caption="p5 / p50 / p95 across samples")
    table.add_column("terminal", no_wrap=True)
    for col in ("availability", "share >= 90 %", "RTT p50", "down p50", "up p50"):
        table.add_column(col, justify="right", no_wrap=True)

    def v(q: dict) -> str:
        return " / ".join("—" if q[k] is None else f"{q[k]:.1f}" for k in ("p5", "p50", "p95"))

    for name, t in summary["terminals"].items():
        table.add_row(
            cell(name),
            v(t["availability_pct"]),
            f"{100 * t['share_of_samples_at_least']:.0f} %",
            v(t["rtt_ms_p50"]),
            v(t["throughput_down_mbps_p50"]),
            v(t["throughput_up_mbps_p50"]),
        )
    return table


def _unknowns_table(summary: dict, top: int = 4) -> Table:
    table = Table(
        title="What matters most: Spearman rank correlation with availability, its 95 % "
        "interval (then with RTT p50, throughput p50)",
        caption="— : fewer samples than a correlation needs, or nothing varied; "
        "an interval that spans 0 means the samples cannot tell",
    )
    table.add_column("terminal", no_wrap=True)
    table.add_column("unknowns, strongest first")

    def f(x: float | None) -> str:
        return "—" if x is None else f"{x:+.2f}"

    for name, t in summary["terminals"].items():
        need = t.get("correlations_need_samples", 0)
        if t.get("samples", 0) < need:
            table.add_row(cell(name), f"(only {t['samples']} samples; correlations need {need})")
            continue
        parts = []
        for u in t["unknowns"][:top]:
            ci = u.get("spearman_availability_ci95")
            interval = f" [{ci[0]:+.2f}, {ci[1]:+.2f}]" if ci else ""
            parts.append(
                f"{u['unknown']} {f(u['spearman_availability'])}{interval} "
                f"({f(u['spearman_rtt_p50'])}, {f(u['spearman_throughput_p50'])})"
            )
        table.add_row(cell(name), cell("; ".join(parts) or "(nothing varied)"))
    return table


@app.command()
def sweep(
    scenario: Annotated[
        str,
        typer.Argument(help="Scenario TOML file with a [sweep] table, or a sweep preset name."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("sweep-out"),
    samples: Annotated[
        int, typer.Option("--samples", "-n", min=1, help="Random draws per grid point.")
    ] = 100,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the sweep (recorded).")] = 0,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Address of a running Dask scheduler (tcp://HOST:8786)."),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-w",
            min=0,
            help="Local Dask worker processes (0: one per core; 1: in this process, without Dask).",
        ),
    ] = 0,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish the interrupted sweep in --out.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No bar, no tables.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Write into a folder that holds other files.")
    ] = False,
) -> None:
    """Run a scenario over many draws of its unknowns; write OUT/sweep.parquet, a summary and
    OUT/sweep-report.html."""
    from lifeline.config import load_sweep
    from lifeline.report import build_sweep_report
    from lifeline.sweep import run_sweep

    def go() -> None:
        with interrupt_once():
            work()

    def work() -> None:
        sw = load_sweep(scenario)
        console = Console(stderr=True)
        show = not quiet and console.is_terminal
        total = samples * len(sw.grid_points)

        def failed(spec, error: str) -> None:
            # Always reported, progress bar or not: a failure names its sample and its values.
            values = ", ".join(f"{k}={v}" for k, v in spec.values.items())
            say(console, f"sample {spec.sample} failed ({values}): {error}", style="yellow")

        try:
            with progress_bar(console, disable=not show) as bar:
                task = bar.add_task(f"{sw.base.name}: {total} samples", total=total)
                result = run_sweep(
                    sw,
                    out,
                    samples,
                    seed,
                    scheduler=scheduler,
                    workers=workers or None,
                    resume=resume,
                    progress=lambda done, n: bar.update(task, completed=done),
                    on_failure=failed,
                    on_wait=lambda message: say(console, message, style="yellow"),
                    force=force,
                )
        except KeyboardInterrupt:
            say(
                console,
                f"interrupted: finished samples are kept in {out / 'samples'}; "
                "run again with --resume to finish",
            )
            sys.exit(130)
        page = build_sweep_report(out)
        if not quiet:
            print_table(_distribution_table(result.summary))
            print_table(_unknowns_table(result.summary))
            say(
                Console(),
                f"{result.ran} samples run, {result.reused} reused, {len(result.failures)} "
                f"failed; wrote {out / 'sweep.parquet'}, {out / 'sweep-summary.json'} and "
                f"{page}",
            )

    guard(go)
