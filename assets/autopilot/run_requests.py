"""Run requests queued from SQL (`aip.run_requests`) and the orchestrator's record of what became of them.

`public.trigger_autopilot_orchestration()` / `trigger_weekly_report_generation()` insert a row with status
`queued`; the request sensor launches the job with the run key `run-request-<id>` and the tag
`aip/run_request_id` (Dagster launches a run key once per sensor, so a sensor restart never launches it
twice), then marks the row `launched` with the run's id once the run exists; the run-status sensors and
the reconciliation below record `succeeded` / `failed` with `finished_at`.
"""

from collections.abc import Collection
from dataclasses import dataclass

import psycopg

RUN_REQUEST_TAG = "aip/run_request_id"
OPEN_STATUSES = ("queued", "launched")
FINAL_STATUSES = ("succeeded", "failed")


@dataclass(frozen=True)
class RunRequestRow:
    id: int
    job_name: str
    status: str
    run_id: str | None

    @property
    def run_key(self) -> str:
        return run_key(self.id)


def run_key(request_id: int) -> str:
    return f"run-request-{request_id}"


def open_requests(conn: psycopg.Connection, limit: int = 50) -> list[RunRequestRow]:
    """Requests not finished yet, oldest first."""
    rows = conn.execute(
        """
        select id, job_name, status, run_id
        from aip.run_requests
        where status in ('queued', 'launched')
        order by id
        limit %s
        """,
        (limit,),
    ).fetchall()
    return [RunRequestRow(*row) for row in rows]


def mark_launched(conn: psycopg.Connection, request_id: int, run_id: str) -> bool:
    """queued → launched with the run id (no change to a request already past queued)."""
    cur = conn.execute(
        """
        update aip.run_requests
        set status = 'launched', run_id = %s, launched_at = coalesce(launched_at, now())
        where id = %s and status = 'queued'
        """,
        (run_id, request_id),
    )
    return cur.rowcount == 1


def mark_finished(
    conn: psycopg.Connection, request_id: int, run_id: str, succeeded: bool, error: str | None = None
) -> bool:
    """Record the outcome; a request already finished keeps its first recorded outcome."""
    cur = conn.execute(
        """
        update aip.run_requests
        set status = %s, run_id = coalesce(run_id, %s), launched_at = coalesce(launched_at, now()),
            finished_at = now(), error = %s
        where id = %s and status in ('queued', 'launched')
        """,
        (
            "succeeded" if succeeded else "failed",
            run_id,
            None if succeeded else (error or "run failed"),
            request_id,
        ),
    )
    return cur.rowcount == 1


def reject(conn: psycopg.Connection, request_id: int, known_jobs: Collection[str], job_name: str) -> None:
    """Fail a request for a job the orchestrator does not have, saying which jobs it does."""
    conn.execute(
        """
        update aip.run_requests
        set status = 'failed', finished_at = now(), error = %s
        where id = %s and status = 'queued'
        """,
        (f"no job named {job_name!r}; the orchestrator can run: {', '.join(sorted(known_jobs))}", request_id),
    )


def request_id_of(tags: dict[str, str]) -> int | None:
    raw = tags.get(RUN_REQUEST_TAG)
    return int(raw) if raw and raw.isdigit() else None
