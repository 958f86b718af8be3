"""`aip`: the platform's command line. Every command has --help."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assets.demo.cli import demo_data
from assets.knowledge.cli import ingest, search
from assets.privacy.cli import privacy_app
from orchestration.database import DatabaseError, database_url, embedded_server
from orchestration.settings import REPO_ROOT, SettingsError, get_settings

console = Console(stderr=True)
app = typer.Typer(
    help="Analytics and AI data platform: database, migrations, Dagster jobs, demo data, knowledge search.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(
    help="The embedded PostgreSQL 18 + pgvector server (ignored when DATABASE_URL is set).",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")

# Commands whose logic lives with its domain (assets/<domain>/cli.py).
app.add_typer(privacy_app, name="privacy")
app.command("demo-data")(demo_data)
app.command("ingest")(ingest)
app.command("search")(search)


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


def _embedded_only() -> None:
    if get_settings().database_url:
        raise _fail("DATABASE_URL is set: the platform uses that server and starts nothing embedded.")


@db_app.command("start")
def db_start() -> None:
    """Start the embedded server (idempotent; recovers from a crash's stale pid file)."""
    _embedded_only()
    status = embedded_server(get_settings()).start()
    console.print(
        f"PostgreSQL running (pid {status.pid}, socket {status.socket_dir}, 127.0.0.1:{status.port})"
    )


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded server."""
    _embedded_only()
    embedded_server(get_settings()).stop()
    console.print("PostgreSQL stopped")


@db_app.command("status")
def db_status() -> None:
    """Is the server up? Exit code 0 when it is, 3 when it is not."""
    settings = get_settings()
    if settings.database_url:
        try:
            import psycopg

            with psycopg.connect(settings.database_url, connect_timeout=5) as conn:
                version = conn.execute("show server_version").fetchone()[0]
            console.print(f"external server (DATABASE_URL) reachable, PostgreSQL {version}")
            return
        except Exception as exc:  # noqa: BLE001 - report any connection failure as "down"
            console.print(f"external server (DATABASE_URL) unreachable: {exc}")
            raise typer.Exit(code=3) from None
    status = embedded_server(settings).status()
    if status.running:
        console.print(
            f"running: pid {status.pid}, data {status.data_dir}, socket {status.socket_dir}, "
            f"tcp 127.0.0.1:{status.port}"
        )
    else:
        console.print(f"stopped (data {status.data_dir}{'' if status.initialized else ', not initialized'})")
        raise typer.Exit(code=3)


@db_app.command("url")
def db_url() -> None:
    """Print the libpq URL of the platform database (superuser over the unix socket when embedded)."""
    typer.echo(database_url(get_settings()))


@db_app.command("psql", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def db_psql(ctx: typer.Context) -> None:
    """Open psql (the bundled one) on the platform database; extra arguments go to psql."""
    from orchestration.database import _bin_dir

    url = database_url(get_settings())
    raise typer.Exit(subprocess.call([str(_bin_dir() / "psql"), url, *ctx.args]))


@app.command()
def migrate() -> None:
    """Apply pending migrations of sql/migrations (a re-run applies nothing)."""
    from orchestration.migrations import apply_migrations

    settings = get_settings()
    applied = apply_migrations(database_url(settings), settings.embedding_dimension)
    console.print(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else ""))


def _use_dagster_home() -> None:
    from orchestration.instance import ensure_dagster_home

    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(get_settings()))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


@app.command()
def run(
    job: Annotated[str | None, typer.Argument(help="Job name; omit to list the jobs.")] = None,
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh",
            help="Rebuild the job's incremental dbt models from scratch (`dbt build --full-refresh`), e.g. "
            "after data older than the look-back window changed.",
        ),
    ] = False,
) -> None:
    """Materialize a Dagster job in this process, recorded in the platform's run history."""
    from orchestration.definitions import defs
    from orchestration.instance import execute_job_in_process

    names = sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__"))
    if job is None:
        for name in names:
            typer.echo(name)
        return
    if job not in names:
        raise _fail(f"no job named {job!r}; jobs: {', '.join(names)}")
    run_config = None
    if full_refresh:
        with_dbt = [n for n in names if "dbt" in defs.resolve_job_def(n).required_resource_keys]
        if job not in with_dbt:
            raise _fail(f"job {job} runs no dbt models; --full-refresh applies to {', '.join(with_dbt)}")
        run_config = {"resources": {"dbt": {"config": {"full_refresh": True}}}}
    result = execute_job_in_process(get_settings(), job, run_config=run_config)
    if not result.success:
        raise _fail(f"job {job} failed (run {result.run_id}); see `aip status` or the Dagster UI")
    console.print(f"job {job} succeeded (run {result.run_id})")


@app.command()
def ui(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the web UI.")] = 3000,
) -> None:
    """Start the Dagster webserver and daemon (schedules and sensors tick) on the platform's instance."""
    from orchestration.instance import dagster_env

    env = dagster_env(get_settings())
    cmd = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-w",
        str(REPO_ROOT / "workspace.yaml"),
        "-h",
        host,
        "-p",
        str(port),
    ]
    console.print(f"Dagster UI on http://{host}:{port} (DAGSTER_HOME={env['DAGSTER_HOME']})")
    raise typer.Exit(subprocess.call(cmd, env=env, cwd=REPO_ROOT))


@app.command()
def status(runs: Annotated[int, typer.Option(help="How many recent runs to show.")] = 10) -> None:
    """Database, applied migrations, and the last Dagster runs with their outcome."""
    from orchestration.migrations import applied_migrations, pending_migrations

    settings = get_settings()
    url = database_url(settings)
    applied = applied_migrations(url)
    pending = pending_migrations(url)
    out = Console()
    out.print(f"[bold]database[/] {'external (DATABASE_URL)' if settings.database_url else 'embedded'}: up")
    last = applied[-1].id if applied else "none"
    out.print(f"[bold]migrations[/] {len(applied)} applied (last {last}), {len(pending)} pending")
    _use_dagster_home()
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.get() as instance:
        records = instance.get_run_records(filters=RunsFilter(), limit=runs)
    table = Table("run id", "job", "status", "started", "ended", title="last runs")
    import datetime as dt

    def _ts(value: float | None) -> str:
        return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if value else "-"

    for record in records:
        table.add_row(
            record.dagster_run.run_id[:8],
            record.dagster_run.job_name,
            record.dagster_run.status.value,
            _ts(record.start_time),
            _ts(record.end_time),
        )
    out.print(table if records else "[bold]runs[/] none yet")
    _print_health(url, out)


def _print_health(url: str, out: Console) -> None:
    """Recorded run failures and the latest data-quality results."""
    import psycopg

    from assets.autopilot.run_health import recent_failures
    from assets.quality.history import summarise

    with psycopg.connect(url) as conn:
        failures = recent_failures(conn, limit=10)
        has_history = conn.execute("select to_regclass('quality.check_results')").fetchone()[0]
        checks = summarise(conn) if has_history else []
    if failures:
        table = Table("run id", "job", "failed at", "error", title="recorded run failures")
        for failure in failures:
            table.add_row(
                failure.run_id[:8], failure.job_name, str(failure.failed_at)[:19], (failure.error or "")[:80]
            )
        out.print(table)
    else:
        out.print("[bold]run failures[/] none recorded")
    if not checks:
        out.print("[bold]data quality[/] no check results yet")
        return
    table = Table(
        "check",
        "asset",
        "last result",
        "severity",
        "observed",
        "fails 24h",
        "checked at",
        title="data quality (last result per check)",
    )
    for check in checks:
        verdict = "[green]passed[/]" if check.passed else "[red]failed[/]"
        table.add_row(
            check.check_name,
            check.asset_key,
            verdict,
            check.severity,
            str(check.observed_value)[:30],
            str(check.failures_last_24h),
            str(check.checked_at)[:19],
        )
    out.print(table)


@app.command("bi-url")
def bi_url_command() -> None:
    """Print the read-only connection string for BI tools (creates/updates the bi_reader role)."""
    from orchestration.bi import bi_url

    typer.echo(bi_url(get_settings()))


@app.command("dbt-env")
def dbt_env_command() -> None:
    """Print `export DBT_…=…` lines so `cd dbt_project && dbt build` runs on its own: eval "$(aip dbt-env)"."""
    from assets.warehouse.profile import dbt_env_command as render

    typer.echo(render(get_settings()))


@app.command()
def pipeline() -> None:
    """Everything `make run` does: database, migrations, demo data, ingestion, warehouse, checks."""
    from orchestration.pipeline import run_pipeline

    run_pipeline(get_settings())


def main() -> None:
    try:
        app()
    except (DatabaseError, SettingsError) as exc:
        console.print(f"[bold red]error:[/] {exc}")
        sys.exit(1)


if __name__ == "__main__":
    main()
