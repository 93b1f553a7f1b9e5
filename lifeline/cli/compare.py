"""``lifeline compare DIR_A DIR_B``: two runs side by side, terminal by terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lifeline.cli.app import app, guard, print_table
from lifeline.cli.text import cell

_LABELS = {
    "availability_pct": ("avail %", "{:.2f}"),
    "rtt_ms_p50": ("RTT p50 ms", "{:.1f}"),
    "rtt_ms_p95": ("RTT p95 ms", "{:.1f}"),
    "throughput_down_mbps_p50": ("down Mbit/s p50", "{:.1f}"),
    "throughput_up_mbps_p50": ("up Mbit/s p50", "{:.1f}"),
}


def _fmt(value: float | None, pattern: str, signed: bool = False) -> str:
    if value is None:
        return "—"
    return ("+" if signed and value > 0 else "") + pattern.format(value)


@app.command()
def compare(
    dir_a: Annotated[Path, typer.Argument(help="Output folder of one run (A).")],
    dir_b: Annotated[Path, typer.Argument(help="Output folder of another run (B).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """Per-terminal availability, RTT (and throughput, when present): A, B and B − A."""
    from lifeline.results import COMPARED, compare_summaries, read_summary

    def go() -> None:
        a, b = read_summary(dir_a), read_summary(dir_b)
        rows = compare_summaries(a, b)
        if as_json:
            typer.echo(json.dumps({"a": str(dir_a), "b": str(dir_b), "terminals": rows}, indent=2))
            return
        table = Table(title=cell(f"A = {a.get('scenario', dir_a)}, B = {b.get('scenario', dir_b)}"))
        for col, justify in (("terminal", "left"), ("", "left"), ("A", "right"), ("B", "right")):
            table.add_column(col, justify=justify, no_wrap=True)
        table.add_column("B − A", justify="right", no_wrap=True)
        figures = [f for f in COMPARED if rows and f"{f}_a" in rows[0]]
        for row in rows:
            name = row["terminal"] + ("" if row["in"] == "both" else f" (only {row['in']})")
            for i, f in enumerate(figures):
                label, pattern = _LABELS[f]
                table.add_row(
                    cell(name if i == 0 else ""),
                    label,
                    _fmt(row[f"{f}_a"], pattern),
                    _fmt(row[f"{f}_b"], pattern),
                    _fmt(row[f"{f}_delta"], pattern, signed=True),
                    end_section=i == len(figures) - 1,
                )
        print_table(table)

    guard(go)
