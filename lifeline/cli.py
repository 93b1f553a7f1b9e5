"""The ``lifeline`` command: thin wrappers that load, validate and call the API.

User-input problems (``LifelineError``) are printed as one clear message with exit code 2,
never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from lifeline.errors import LifelineError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    help="Can a cut-off place get online through a LEO constellation, how well, and what would "
    "it take?",
)
DEFAULT_PRESET = "mariupol-2022"


def _fail(err: Exception) -> None:
    # The message is user text (file names, TOML like "[time]"): never read it as markup.
    Console(stderr=True).print(
        Text("error: ", style="bold red") + Text(str(err)), highlight=False, soft_wrap=True
    )
    raise typer.Exit(2)


def _guard(fn: Callable[[], None]) -> None:
    try:
        fn()
    except LifelineError as err:
        _fail(err)


def _summary_table(summary: dict) -> Table:
    mode = "with laser ISLs" if summary["isl"] else "bent pipe"
    table = Table(title=f"{summary['scenario']} ({mode}); RTT in ms")
    table.add_column("terminal", no_wrap=True)
    for col in ("avail %", "RTT p5", "p50", "p95", "handovers", "outages", "longest s"):
        table.add_column(col, justify="right", no_wrap=True)

    def ms(v: float | None) -> str:
        return "—" if v is None else f"{v:.1f}"

    for name, t in summary["terminals"].items():
        table.add_row(
            name,
            f"{t['availability_pct']:.2f}",
            ms(t["rtt_ms_p5"]),
            ms(t["rtt_ms_p50"]),
            ms(t["rtt_ms_p95"]),
            str(t["handovers"]),
            str(t["outages"]),
            f"{t['longest_outage_s']:.0f}",
        )
    return table


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
) -> None:
    """Run a scenario and write OUT/terminals.parquet and OUT/summary.json."""
    from lifeline.api import load_scenario
    from lifeline.api import run as run_scenario

    def go() -> None:
        sc = load_scenario(scenario)
        console = Console(stderr=True)
        show = not quiet and not as_json and console.is_terminal
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=not show,
        ) as bar:
            task = bar.add_task(sc.name, total=sc.time.n_steps)
            result = run_scenario(
                sc,
                out,
                progress=lambda done, total: bar.update(task, completed=done),
                workers=workers or None,
            )
        if as_json:
            sys.stdout.write(json.dumps(result.summary, indent=2) + "\n")
        elif not quiet:
            Console().print(_summary_table(result.summary))
            Console().print(f"wrote {out / 'terminals.parquet'} and {out / 'summary.json'}")

    _guard(go)


@app.command()
def validate(
    scenario: Annotated[str, typer.Argument(help="Scenario TOML file or preset.")],
) -> None:
    """Check a scenario (and its TLE file) without running it."""
    from lifeline.engine import build_constellation
    from lifeline.scenario import load_scenario

    def go() -> None:
        sc = load_scenario(scenario)
        n = len(build_constellation(sc))
        typer.echo(
            f"{scenario}: ok ({n} satellites, {len(sc.terminals)} terminals, "
            f"{len(sc.gateways)} gateways, {len(sc.pops)} PoPs, {sc.time.n_steps} steps)"
        )

    _guard(go)


@app.command()
def hypatia(
    network_dir: Annotated[
        Path, typer.Argument(help="Hypatia satellite-network folder (tles.txt, isls.txt, ...).")
    ],
    duration_s: Annotated[float, typer.Option("--duration-s", help="Simulated time [s].")],
    step_ms: Annotated[float, typer.Option("--step-ms", help="Time step [ms].")],
    pairs: Annotated[
        str, typer.Option("--pairs", help="'all' or 'Paris-Moscow,Tokyo-Delhi' (names or ids).")
    ] = "all",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Pair mode on a Hypatia folder: write OUT/pairs.parquet (time 0 = the TLE epoch)."""
    from lifeline.io.hypatia import read_network_dir
    from lifeline.pairs import PairNetwork, PairSelectionError, resolve_pairs, run_pairs

    def go() -> None:
        if not (duration_s > 0 and step_ms > 0):
            raise PairSelectionError(f"--duration-s {duration_s} --step-ms {step_ms}", "both > 0")
        network = PairNetwork.from_hypatia(read_network_dir(network_dir))
        selected = resolve_pairs(pairs, network.gs_names)
        console = Console(stderr=True)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%"),
            TimeElapsedColumn(),
            console=console,
            disable=quiet or not console.is_terminal,
        ) as bar:
            task = bar.add_task("pairs", total=None)
            result = run_pairs(
                network,
                duration_s,
                step_ms / 1e3,
                selected,
                out,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                source=str(network_dir),
            )
        if not quiet:
            split = result.times.per_step_ms()
            typer.echo(
                f"wrote {result.path}: {result.n_steps} steps x {result.n_pairs} pairs; "
                + ", ".join(f"{k} {v:.2f}" for k, v in split.items())
                + " ms per step"
            )

    _guard(go)


@app.command()
def analyze(
    out_dir: Annotated[Path, typer.Argument(help="Folder of a pair-mode run.")],
) -> None:
    """Per-pair RTT, stretch and path-change tables for a pair-mode run; prints the headline."""
    from lifeline.analyze import analyze as analyze_pairs

    def go() -> None:
        summary = analyze_pairs(out_dir).summary
        dist = summary["distributions_across_pairs"]

        def fmt(name: str, unit: str = "") -> str:
            d = dist[name]
            if d["p50"] is None:
                return f"{name}: -"
            return f"{name}: median {d['p50']:.3f}{unit} (min {d['p0']:.3f}, max {d['p100']:.3f})"

        typer.echo(
            f"{summary['n_pairs']} pairs x {summary['n_steps']} steps, "
            f"connected {summary['connected_pct']:.2f}% of pair-steps"
        )
        for name, unit in (
            ("rtt_min_ms", " ms"),
            ("rtt_swing_ms", " ms"),
            ("stretch_max", ""),
            ("path_changes", ""),
        ):
            typer.echo("  " + fmt(name, unit))
        top = summary["top10_rtt_swing_ms"][:3]
        typer.echo(
            "  largest RTT swing: "
            + "; ".join(f"{t['src']}-{t['dst']} {t['rtt_swing_ms']:.2f} ms" for t in top)
        )
        typer.echo(f"wrote {out_dir / 'analysis'}")

    _guard(go)


@app.command()
def presets() -> None:
    """List the built-in scenarios."""
    from lifeline.presets import list_presets

    for name, description in list_presets():
        typer.echo(f"{name:32s} {description}")


@app.callback()
def main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log what the engine does.")
    ] = False,
) -> None:
    # force: replace the handler of an earlier invocation in the same process (CliRunner,
    # notebooks), which holds that invocation's stderr, now closed; logging to it prints
    # "--- Logging error ---" and a traceback.
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        force=True,
    )
