"""``lifeline hypatia`` and ``lifeline analyze``: pair mode on Hypatia networks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lifeline.cli.app import app, guard, progress_bar


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
    router: Annotated[
        str,
        typer.Option(
            "--router",
            help="'dynamic' (trees kept between steps) or 'dijkstra' (SciPy afresh each step, "
            "the reference); same RTTs.",
        ),
    ] = "dynamic",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Pair mode on a Hypatia folder: write OUT/pairs.parquet (time 0 = the TLE epoch)."""
    from lifeline.io.hypatia import read_network_dir
    from lifeline.pairmode import PairNetwork, PairSelectionError, resolve_pairs, run_pairs

    def go() -> None:
        if not (duration_s > 0 and step_ms > 0):
            raise PairSelectionError(f"--duration-s {duration_s} --step-ms {step_ms}", "both > 0")
        network = PairNetwork.from_hypatia(read_network_dir(network_dir))
        selected = resolve_pairs(pairs, network.gs_names)
        console = Console(stderr=True)
        with progress_bar(console, disable=quiet or not console.is_terminal, eta=False) as bar:
            task = bar.add_task("pairs", total=None)
            result = run_pairs(
                network,
                duration_s,
                step_ms / 1e3,
                selected,
                out,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                source=str(network_dir),
                router=router,
            )
        if not quiet:
            split = result.times.per_step_ms()
            typer.echo(
                f"wrote {result.path}: {result.n_steps} steps x {result.n_pairs} pairs; "
                + ", ".join(f"{k} {v:.2f}" for k, v in split.items())
                + " ms per step"
            )

    guard(go)


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

    guard(go)
