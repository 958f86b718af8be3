"""Sensors of the autopilot: SQL-triggered runs, chaining after the warehouse, and recording outcomes.

- `run_requests_sensor` (every 15 s): each queued `aip.run_requests` row becomes a run of its job with run
  key `run-request-<id>` (Dagster launches a run key once per sensor, even across restarts) and tag
  `aip/run_request_id`; once the run exists the row is marked launched with its run id. It also settles
  rows whose run finished while no status sensor was watching (daemon down, run canceled).
- `run_request_outcome_sensor` / `run_failure_recorder`: a run's success or failure is written back on
  its request row; every failed run (requested or not) is recorded in `aip.run_failures`.
- `autopilot_after_warehouse`: a successful daily_refresh launches autopilot_daily, a successful
  weekly_reports launches autopilot_weekly_insights — so the pass always reads freshly built marts.
"""

import dagster as dg

from assets.autopilot.jobs import autopilot_daily, autopilot_weekly_insights
from assets.autopilot.run_health import record_failure
from assets.autopilot.run_requests import (
    RUN_REQUEST_TAG,
    mark_finished,
    mark_launched,
    open_requests,
    reject,
    request_id_of,
)
from assets.warehouse.jobs import daily_refresh, weekly_reports
from orchestration.resources import PostgresResource

REQUESTABLE_JOBS = [autopilot_daily, weekly_reports]
FOLLOW_UPS = {daily_refresh.name: autopilot_daily.name, weekly_reports.name: autopilot_weekly_insights.name}
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
RUNNING = dg.DefaultSensorStatus.RUNNING


def _run_of_request(instance: dg.DagsterInstance, request_id: int) -> dg.DagsterRun | None:
    runs = instance.get_runs(filters=dg.RunsFilter(tags={RUN_REQUEST_TAG: str(request_id)}), limit=1)
    return runs[0] if runs else None


@dg.sensor(
    name="run_requests_sensor",
    jobs=REQUESTABLE_JOBS,
    minimum_interval_seconds=15,
    default_status=RUNNING,
    description="Launches the runs queued in aip.run_requests by trigger_autopilot_orchestration() and "
    "trigger_weekly_report_generation(), and records their run id.",
)
def run_requests_sensor(context: dg.SensorEvaluationContext, database: PostgresResource) -> dg.SensorResult:
    known = {job.name for job in REQUESTABLE_JOBS}
    run_requests = []
    with database.connect(autocommit=True) as conn:
        for row in open_requests(conn):
            if row.job_name not in known:
                reject(conn, row.id, known, row.job_name)
                context.log.warning(f"run request {row.id}: unknown job {row.job_name!r}, marked failed")
                continue
            run = _run_of_request(context.instance, row.id)
            if run is None:
                if row.status == "queued":
                    run_requests.append(
                        dg.RunRequest(
                            run_key=row.run_key, job_name=row.job_name, tags={RUN_REQUEST_TAG: str(row.id)}
                        )
                    )
                continue
            if row.status == "queued" and mark_launched(conn, row.id, run.run_id):
                context.log.info(f"run request {row.id}: launched as run {run.run_id}")
            if run.status in FINISHED:
                error = (
                    None if run.status == dg.DagsterRunStatus.SUCCESS else f"run {run.status.value.lower()}"
                )
                mark_finished(conn, row.id, run.run_id, run.status == dg.DagsterRunStatus.SUCCESS, error)
    if not run_requests:
        return dg.SensorResult(skip_reason="no queued run request")
    return dg.SensorResult(run_requests=run_requests)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="run_request_outcome_sensor",
    minimum_interval_seconds=15,
    default_status=RUNNING,
    description="Marks the aip.run_requests row of a successful requested run as succeeded.",
)
def run_request_outcome_sensor(
    context: dg.RunStatusSensorContext, database: PostgresResource
) -> dg.SkipReason:
    run = context.dagster_run
    request_id = request_id_of(run.tags)
    if request_id is None:
        return dg.SkipReason(f"run {run.run_id} was not requested from SQL")
    with database.connect(autocommit=True) as conn:
        mark_finished(conn, request_id, run.run_id, succeeded=True)
    return dg.SkipReason(f"run request {request_id} succeeded (run {run.run_id})")


@dg.run_failure_sensor(
    name="run_failure_recorder",
    minimum_interval_seconds=15,
    default_status=RUNNING,
    description="Records every failed run in aip.run_failures (shown by `aip status`) and on its run request.",
)
def run_failure_recorder(context: dg.RunFailureSensorContext, database: PostgresResource) -> None:
    run = context.dagster_run
    steps = [
        {
            "step_key": event.step_key,
            "error": event.step_failure_data.error.message.strip() if event.step_failure_data.error else None,
        }
        for event in context.get_step_failure_events()
    ]
    error = context.failure_event.message or "run failed"
    if steps and steps[0]["error"]:
        error = f"{error}\n{steps[0]['step_key']}: {steps[0]['error']}"
    request_id = request_id_of(run.tags)
    with database.connect(autocommit=True) as conn:
        record_failure(conn, run.run_id, run.job_name, error, steps, dict(run.tags), request_id)
        if request_id is not None:
            mark_finished(conn, request_id, run.run_id, succeeded=False, error=error)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="autopilot_after_warehouse",
    monitored_jobs=[daily_refresh, weekly_reports],
    request_jobs=[autopilot_daily, autopilot_weekly_insights],
    default_status=RUNNING,
    description="After a successful daily_refresh run autopilot_daily; after weekly_reports, the insights.",
)
def autopilot_after_warehouse(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
    run = context.dagster_run
    follow_up = FOLLOW_UPS.get(run.job_name)
    if follow_up is None:
        return dg.SkipReason(f"nothing follows {run.job_name}")
    return dg.RunRequest(
        run_key=f"after-{run.run_id}", job_name=follow_up, tags={"aip/after_run": run.run_id}
    )
