"""The Dagster instance: run/event/schedule storage in the platform's PostgreSQL, schema `dagster`.

`DAGSTER_HOME` is `AIP_HOME/dagster`; its `dagster.yaml` is (re)written from the settings whenever the CLI
starts Dagster, so the UI, the daemon and `aip run` all see the same runs and history survives restarts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import yaml

from assets.autopilot.run_health import RUN_TAG_CONCURRENCY_LIMITS
from orchestration.database import database_url, with_driver, with_query
from orchestration.settings import Settings

if TYPE_CHECKING:
    from dagster import ExecuteInProcessResult

DAGSTER_SCHEMA = "dagster"


def dagster_storage_url(settings: Settings) -> str:
    # SQLAlchemy 2.1 maps postgresql:// to psycopg 3, whose server-side binding breaks dagster-postgres'
    # `NOTIFY … $1`; psycopg2 interpolates client-side, so name it explicitly.
    url = with_driver(database_url(settings), "psycopg2")
    return with_query(url, options=f"-csearch_path={DAGSTER_SCHEMA}")


def ensure_dagster_home(settings: Settings) -> Path:
    """Create DAGSTER_HOME with a dagster.yaml pointing at the platform database; return its path."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(database_url(settings), autocommit=True) as conn:
        conn.execute(f"create schema if not exists {DAGSTER_SCHEMA}")
    config = {
        "storage": {"postgres": {"postgres_url": dagster_storage_url(settings)}},
        "run_coordinator": {
            "module": "dagster._core.run_coordinator",
            "class": "QueuedRunCoordinator",
            # two runs of one autopilot job never overlap (the per-user advisory locks are the real guard)
            "config": {"max_concurrent_runs": 4, "tag_concurrency_limits": RUN_TAG_CONCURRENCY_LIMITS},
        },
        "telemetry": {"enabled": False},
        "code_servers": {"local_startup_timeout": 300},
    }
    target = home / "dagster.yaml"
    text = yaml.safe_dump(config, sort_keys=False)
    if not target.exists() or target.read_text() != text:
        target.write_text(text)
        target.chmod(0o600)  # it holds the database URL, which may carry a password
    return home


def dagster_env(settings: Settings) -> dict[str, str]:
    """Environment for a Dagster process (webserver, daemon, dagster CLI) run by the platform."""
    env = dict(os.environ)
    env["DAGSTER_HOME"] = str(ensure_dagster_home(settings))
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    return env


def execute_job_in_process(
    settings: Settings, job_name: str, quiet: bool = False, run_config: dict[str, Any] | None = None
) -> ExecuteInProcessResult:
    """Run one job of the platform's Definitions in this process, recorded on the platform's instance
    (what `aip run` and `aip pipeline` do; the UI shows these runs like any other)."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(settings))
    config = dict(run_config or {})
    if quiet:
        config["loggers"] = {"console": {"config": {"log_level": "WARNING"}}}
    with DagsterInstance.get() as instance:
        job = defs.resolve_job_def(job_name)
        return job.execute_in_process(instance=instance, raise_on_error=False, run_config=config or None)
