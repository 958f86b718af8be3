"""Run health: which errors are retried, where failed runs are recorded, and how runs are kept apart.

- Retries: assets that write to the database carry `DB_RETRY_POLICY` (3 retries, exponential backoff from
  10 s: 10, 20, 40 s), which rides out a database restart. Only transient errors are retried:
  `transient_errors_only()` turns any other exception into a `dagster.Failure(allow_retries=False)`, so a
  bug or a missing table fails at once instead of four times.
- Failures: the run-failure sensor writes each failed run to `aip.run_failures` (migration
  0130_run_health.sql); `recent_failures(conn)` is what `aip status` shows.
- Concurrency: every autopilot job carries the run tag `aip/exclusive=<job name>`; with
  `RUN_TAG_CONCURRENCY_LIMITS` in the instance's QueuedRunCoordinator config, two runs of the same job
  are never in progress at once. What actually protects a user's outputs is the per-user
  `pg_advisory_xact_lock` of the writes (daily_pass.py), which also holds for runs launched outside the
  queue (`aip run`, tests) or on another instance against the same database.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import dagster as dg
import psycopg
from psycopg.types.json import Jsonb

EXCLUSIVE_TAG = "aip/exclusive"
# for orchestration/instance.py: run_coordinator.config.tag_concurrency_limits
RUN_TAG_CONCURRENCY_LIMITS = [{"key": EXCLUSIVE_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1}]

DB_RETRY_POLICY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL)

# connection lost, server shutting down or starting up, serialization failure, deadlock: worth another try
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (psycopg.OperationalError,)


def exclusive_tags(job_name: str) -> dict[str, str]:
    return {EXCLUSIVE_TAG: job_name}


@contextmanager
def transient_errors_only() -> Iterator[None]:
    """Let transient database errors through (the retry policy retries them); fail anything else for good."""
    try:
        yield
    except TRANSIENT_ERRORS:
        raise
    except dg.Failure:
        raise
    except Exception as exc:
        raise dg.Failure(
            description=f"{type(exc).__name__}: {exc}",
            metadata={"retried": False, "why": "not a transient database error; fix the cause and re-run"},
            allow_retries=False,
        ) from exc


@dataclass(frozen=True)
class RunFailure:
    run_id: str
    job_name: str
    failed_at: datetime
    error: str | None
    failed_steps: list[dict[str, Any]]
    run_request_id: int | None


def record_failure(
    conn: psycopg.Connection,
    run_id: str,
    job_name: str,
    error: str | None,
    failed_steps: list[dict[str, Any]],
    tags: dict[str, str],
    run_request_id: int | None,
) -> bool:
    """One row per failed run (a second report of the same run is ignored). True when newly recorded."""
    cur = conn.execute(
        """
        insert into aip.run_failures (run_id, job_name, error, failed_steps, run_request_id, tags)
        select %s, %s, %s, %s, r.id, %s
        from (select %s::bigint) as given (id)
        left join aip.run_requests as r on r.id = given.id
        on conflict (run_id) do nothing
        """,
        (run_id, job_name, error, Jsonb(failed_steps), Jsonb(dict(tags)), run_request_id),
    )
    return cur.rowcount == 1


def recent_failures(conn: psycopg.Connection, limit: int = 10) -> list[RunFailure]:
    """The last `limit` failed runs, newest first (empty before migration 0130 is applied)."""
    if conn.execute("select to_regclass('aip.run_failures')").fetchone()[0] is None:
        return []
    rows = conn.execute(
        """
        select run_id, job_name, failed_at, error, failed_steps, run_request_id
        from aip.run_failures
        order by failed_at desc, id desc
        limit %s
        """,
        (limit,),
    ).fetchall()
    return [RunFailure(*row) for row in rows]
