"""`aip pipeline` (what `make run` runs): everything the platform has, end to end, on demo data."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console

from orchestration.database import database_url, embedded_server
from orchestration.settings import Settings

console = Console()


@dataclass
class Step:
    name: str
    action: Callable[[Settings], str | None]


def _start_database(settings: Settings) -> str:
    if settings.database_url:
        return "using DATABASE_URL (nothing embedded started)"
    status = embedded_server(settings).start()
    return f"embedded PostgreSQL 18 + pgvector, pid {status.pid}, 127.0.0.1:{status.port}"


def _migrate(settings: Settings) -> str:
    from orchestration.migrations import applied_migrations, apply_migrations

    url = database_url(settings)
    applied = apply_migrations(url, settings.embedding_dimension)
    return f"{len(applied)} applied now, {len(applied_migrations(url))} in total"


def _run_job(job_name: str) -> Callable[[Settings], str]:
    def action(settings: Settings) -> str:
        import os

        from dagster import DagsterInstance

        from orchestration.definitions import defs
        from orchestration.instance import ensure_dagster_home

        os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(settings))
        with DagsterInstance.get() as instance:
            result = defs.resolve_job_def(job_name).execute_in_process(
                instance=instance, raise_on_error=False
            )
        if not result.success:
            raise RuntimeError(f"job {job_name} failed (run {result.run_id}); open `aip ui` to see why")
        return f"run {result.run_id[:8]} succeeded"

    return action


def steps() -> list[Step]:
    return [
        Step("database", _start_database),
        Step("migrations", _migrate),
        Step("dagster job: migrate", _run_job("migrate")),
    ]


def run_pipeline(settings: Settings) -> None:
    started = time.monotonic()
    for step in steps():
        t0 = time.monotonic()
        with console.status(f"{step.name}…"):
            detail = step.action(settings)
        console.print(f"[green]✓[/] {step.name} [dim]({time.monotonic() - t0:.1f}s)[/] {detail or ''}")
    console.print(f"\n[bold]Done in {time.monotonic() - started:.0f}s.[/] Next:")
    console.print("  Dagster UI (webserver + daemon):  [cyan].venv/bin/aip ui[/]  → http://127.0.0.1:3000")
    console.print("  Platform status and last runs:    [cyan].venv/bin/aip status[/]")
    console.print(
        f"  psql on the platform database:    [cyan].venv/bin/aip db psql[/]  ({database_url(settings)})"
    )
