"""``lifeline data``: current orbital elements in the user's cache (fetch, list)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lifeline.cli.app import app, guard

data_app = typer.Typer(
    help="Orbital elements: fetch current ones from CelesTrak into the cache, list what is there."
)
app.add_typer(data_app, name="data")


@data_app.command("fetch")
def fetch(
    group: Annotated[
        str, typer.Argument(help="CelesTrak group, e.g. starlink (also the cache file's name).")
    ] = "starlink",
    url: Annotated[
        str | None,
        typer.Option("--url", help="Download from this URL instead of CelesTrak's GP service."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="What the URL serves: tle (3-line sets) or omm (JSON).")
    ] = "tle",
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            help="Cache folder (default $LIFELINE_CACHE_DIR, else $XDG_CACHE_HOME/lifeline, "
            "else ~/.cache/lifeline).",
        ),
    ] = None,
) -> None:
    """Download current elements; a scenario then uses tle_file = "cache:GROUP-latest"."""
    from lifeline.io.celestrak import FetchError, fetch_gp

    def go() -> None:
        if fmt not in ("tle", "omm"):
            raise FetchError(fmt, "--format must be tle or omm")
        got = fetch_gp(group, cache_dir=cache_dir, url=url, fmt=fmt)  # type: ignore[arg-type]
        m = got.meta
        typer.echo(
            f"{m['n_satellites']} satellites, epochs {m['epoch_min_utc']} to "
            f"{m['epoch_max_utc']}, from {m['source_url']}\n"
            f'wrote {got.path} and {got.latest} (use tle_file = "cache:{got.latest.stem}")'
        )

    guard(go)


@data_app.command("list")
def list_elements(
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Cache folder (as for `data fetch`).")
    ] = None,
) -> None:
    """List the shipped snapshots (builtin:NAME) and the fetched ones (cache:NAME)."""
    from importlib.resources import files

    from lifeline.io.celestrak import default_cache_dir, read_sidecar

    shipped = sorted(Path(str(files("lifeline.data"))).glob("*.tle"))
    for path in shipped:
        typer.echo(f"builtin:{path.stem}")
    folder = cache_dir or default_cache_dir()
    cached = sorted(folder.glob("*.tle")) if folder.is_dir() else []
    for path in cached:
        meta = read_sidecar(path) or {}
        detail = (
            f"  {meta.get('n_satellites', '?')} satellites, epochs to "
            f"{meta.get('epoch_max_utc', '?')}, fetched {meta.get('fetched_utc', '?')}"
        )
        typer.echo(f"cache:{path.stem}{detail}")
    if not cached:
        typer.echo(
            f"(nothing fetched in {folder}; `lifeline data fetch starlink` gets current elements)"
        )
