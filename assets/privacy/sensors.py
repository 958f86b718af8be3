"""Sensors: pending privacy requests become runs; successful runs of other jobs trigger the erasure guard.

Exactly once per request: the run key is `<kind>:<request row id>:<attempt>`, and Dagster never launches two
runs with the same key from one sensor. `attempt` counts the request's recorded failures, so a failed request
an operator sets back to `pending` gets a new run, and each attempt only one.
"""

import dagster as dg
import psycopg

from assets.privacy import requests as rq
from assets.privacy.assets import PrivacyRequestConfig, data_erasures, data_exports
from assets.privacy.jobs import privacy_deletion_job, privacy_erasure_guard_job, privacy_export_job
from orchestration.resources import PostgresResource

MINIMUM_INTERVAL_SECONDS = 30
_TARGETS = {
    rq.EXPORT: (privacy_export_job, data_exports),
    rq.DELETION: (privacy_deletion_job, data_erasures),
}


def request_runs(conn: psycopg.Connection) -> list[dg.RunRequest]:
    """One RunRequest per pending export request and per pending, confirmed deletion request."""
    runs = []
    for kind, (job, asset) in _TARGETS.items():
        for request in rq.pending_requests(conn, kind):
            attempt = rq.failed_attempts(conn, request)
            runs.append(
                dg.RunRequest(
                    run_key=f"{kind}:{request.id}:{attempt}",
                    job_name=job.name,
                    run_config=dg.RunConfig(
                        ops={asset.op.name: PrivacyRequestConfig(request_ids=[str(request.id)])}
                    ),
                    tags={"privacy/request": str(request.id), "privacy/kind": kind},
                )
            )
    return runs


@dg.sensor(
    name="privacy_requests",
    jobs=[privacy_export_job, privacy_deletion_job],
    minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Launch the export or deletion job for each pending request (deletions once confirmed).",
)
def privacy_requests_sensor(
    context: dg.SensorEvaluationContext, database: PostgresResource
) -> dg.SensorResult | dg.SkipReason:
    try:
        with database.connect(autocommit=True) as conn:
            runs = request_runs(conn)
    except psycopg.errors.UndefinedTable as exc:
        return dg.SkipReason(f"privacy tables missing ({exc}); apply the migrations with `aip migrate`")
    if not runs:
        return dg.SkipReason("no pending export request and no confirmed pending deletion request")
    context.log.info(f"{len(runs)} privacy request(s) pending")
    return dg.SensorResult(run_requests=runs)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="privacy_erasure_guard_after_runs",
    request_job=privacy_erasure_guard_job,
    minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After any other job succeeds (a warehouse build above all), remove rows of erased users it "
    "may have written back.",
)
def erasure_guard_sensor(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
    run = context.dagster_run
    if run.tags.get("domain") == "privacy" or run.job_name == privacy_erasure_guard_job.name:
        return dg.SkipReason(f"run {run.run_id} is a privacy run")
    return dg.RunRequest(run_key=f"guard-after:{run.run_id}")
