"""``lifeline report``: rebuild a run's HTML report, or write its figures as PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lifeline.cli.app import app, guard


@app.command()
def report(
    out_dir: Annotated[
        Path, typer.Argument(help="Output folder of `lifeline run` or of `lifeline sweep`.")
    ] = Path("out"),
    png: Annotated[
        bool, typer.Option("--png", help="Also write the figures as PNG to OUT_DIR/figures.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing.")] = False,
) -> None:
    """Rebuild OUT_DIR/report.html (self-contained, opens offline) from the run's files, or
    OUT_DIR/sweep-report.html from a sweep's."""
    from lifeline.report import build_report, build_sweep_report, write_pngs

    def go() -> None:
        if (out_dir / "sweep-summary.json").is_file():
            written = [build_sweep_report(out_dir)]
            if not quiet:
                typer.echo(f"wrote {written[0]}")
            return
        written = [build_report(out_dir)]
        if png:
            written += write_pngs(out_dir)
        if not quiet:
            for path in written:
                typer.echo(f"wrote {path}")

    guard(go)
