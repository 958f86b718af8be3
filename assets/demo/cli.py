"""`aip demo-data`: the command (wired into the `aip` app by orchestration/cli.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console

from assets.demo.loader import DemoDataError, LoadReport, append, load
from assets.demo.profiles import SCALES
from assets.demo.progress import RichProgress
from assets.demo.tenants import DemoSpec, day_date


def _print_report(console: Console, report: LoadReport) -> None:
    """The progress display already showed each table; add what changed in place and the totals."""
    for name, rows in report.updated.items():
        console.print(f"  {name}: {rows:,} rows updated")
    seconds = sum(t.seconds for t in report.tables)
    long_rows = sum(t.rows for t in report.tables if t.long)
    long_seconds = sum(t.seconds for t in report.tables if t.long)
    spec = report.spec
    console.print(
        f"{report.mode}: {report.rows:,} rows in {seconds:.1f} s "
        f"(long tables {long_rows / max(long_seconds, 1e-9):,.0f} rows/s). "
        f"{spec.users} users, seed {spec.seed}, {spec.days} days up to {spec.as_of}; "
        f"data now runs through {day_date(report.window.through)}."
    )


def demo_data(
    users: Annotated[
        int | None, typer.Option(help="Number of users (tenants); overrides the scale preset.")
    ] = None,
    days: Annotated[
        int | None, typer.Option(help="Days of history up to --as-of; overrides the preset.")
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed (and --as-of) gives the same data.")
    ] = 42,
    scale: Annotated[
        str, typer.Option(help="Preset: small (a few users, ~90 days) or large (~1,000 users x 365 days).")
    ] = "small",
    append_days: Annotated[
        int | None, typer.Option(help="Extend the loaded demo data by K days after its last day.")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Delete the loaded demo data and load it again.")] = False,
    as_of: Annotated[
        str | None, typer.Option(help="Last day of the history (YYYY-MM-DD); default: today (UTC).")
    ] = None,
) -> None:
    """Load a deterministic demo marketing business (users, campaigns, metrics, leads, content, knowledge)."""
    from orchestration.database import database_url
    from orchestration.migrations import apply_migrations
    from orchestration.settings import get_settings

    console = Console()
    if scale not in SCALES:
        raise typer.BadParameter(f"use one of: {', '.join(SCALES)}", param_hint="--scale")
    settings = get_settings()
    url = database_url(settings)
    apply_migrations(url, settings.embedding_dimension)  # idempotent: the schema must be there to load into
    try:
        with RichProgress(console) as progress:
            if append_days is not None:
                if replace:
                    raise DemoDataError("--append-days and --replace do not go together: choose one.")
                report = append(url, append_days, progress=progress)
            else:
                preset = SCALES[scale]
                day = dt.date.fromisoformat(as_of) if as_of else dt.datetime.now(dt.UTC).date()
                spec = DemoSpec(
                    seed=seed, users=users or preset.users, days=days or preset.days, as_of=day, scale=scale
                )
                report = load(url, spec, replace=replace, progress=progress)
    except (DemoDataError, ValueError) as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(code=1) from exc
    _print_report(console, report)
