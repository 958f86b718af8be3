"""`aip pipeline` (what `make run` runs): everything the platform has, end to end, on demo data.

Each stage after the schema is a Dagster job executed in this process on the platform's instance, so the
runs, their asset materializations and check results are in the UI's history afterwards.
"""

from __future__ import annotations

import datetime as dt
import logging
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


def _demo_data(settings: Settings) -> str:
    import psycopg

    from assets.demo.loader import current_state, load
    from assets.demo.profiles import SCALES
    from assets.demo.tenants import DemoSpec

    url = database_url(settings)
    with psycopg.connect(url) as conn:
        state = current_state(conn)
    if state is not None:
        return f"already loaded ({state.users} users through {state.through}); kept"
    preset = SCALES["small"]
    today = dt.datetime.now(dt.UTC).date()
    spec = DemoSpec(seed=42, users=preset.users, days=preset.days, as_of=today, scale="small")
    report = load(url, spec)
    seconds = sum(t.seconds for t in report.tables)
    return f"{report.rows:,} rows in {len(report.tables)} tables, {seconds:.1f}s ({spec.users} users × {spec.days} days)"


def _run_job(job_name: str) -> Callable[[Settings], str]:
    def action(settings: Settings) -> str:
        from orchestration.instance import execute_job_in_process

        logging.getLogger("dagster").setLevel(logging.WARNING)
        result = execute_job_in_process(settings, job_name, quiet=True)
        if not result.success:
            raise RuntimeError(f"job {job_name} failed (run {result.run_id}); `aip ui` shows why")
        materialized = len(result.get_asset_materialization_events())
        checks = result.get_asset_check_evaluations()
        failed = [c.check_name for c in checks if not c.passed]
        detail = f"run {result.run_id[:8]}: {materialized} materializations, {len(checks)} checks"
        return detail + (f", failing: {', '.join(failed)}" if failed else ", all passed")

    return action


def _bi_access(settings: Settings) -> str:
    from orchestration.bi import BI_ROLE, bi_url

    bi_url(settings, ensure=True)
    return f"login role {BI_ROLE} reads marts and quality only (password in AIP_HOME/bi_reader.password)"


def steps() -> list[Step]:
    """In dependency order; each job is the one its schedule or sensor runs in production."""
    return [
        Step("database", _start_database),
        Step("schema migrations", _migrate),
        Step("demo data", _demo_data),
        Step("knowledge: parse, chunk, embed", _run_job("knowledge_ingest_job")),
        Step("knowledge: conversation memory", _run_job("conversation_memory_job")),
        Step("warehouse: daily_refresh (dbt build + input checks)", _run_job("daily_refresh")),
        Step("autopilot: daily optimisation", _run_job("autopilot_daily")),
        Step("warehouse: weekly_reports (write-back)", _run_job("weekly_reports")),
        Step("autopilot: weekly insights", _run_job("autopilot_weekly_insights")),
        Step("privacy: pending exports", _run_job("privacy_export")),
        Step("privacy: confirmed deletions", _run_job("privacy_deletion")),
        Step("data quality: every check", _run_job("data_quality")),
        Step("BI access", _bi_access),
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
    console.print("  Platform status, runs, checks:    [cyan].venv/bin/aip status[/]")
    console.print("  psql on the platform database:    [cyan].venv/bin/aip db psql[/]")
    console.print(
        "  BI tools (read-only, marts):      [cyan].venv/bin/aip bi-url[/]  (host 127.0.0.1, "
        f"port {settings.bi_port}, user bi_reader, database {settings.database_name})"
    )
    console.print(
        '  Semantic search:                  [cyan].venv/bin/aip search "how do we run a webinar" '
        f"--user {_demo_email(settings)} --hybrid[/]"
    )


def _demo_email(settings: Settings) -> str:
    import psycopg

    with psycopg.connect(database_url(settings)) as conn:
        row = conn.execute(
            "select email from auth.users where raw_app_meta_data ? 'demo_data' "
            "order by (raw_app_meta_data -> 'demo_data' ->> 'user_index')::int limit 1"
        ).fetchone()
    return row[0] if row else "EMAIL"
