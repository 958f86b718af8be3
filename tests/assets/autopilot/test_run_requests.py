"""SQL-triggered runs end to end: trigger function → request sensor → run → status sensors → request row.

The sensors are evaluated as the daemon would (`build_sensor_context`, `build_run_status_sensor_context`)
and the runs execute in process on a real (temporary) Dagster instance, against the test database.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg
import psycopg
import pytest

from assets.autopilot.run_health import recent_failures
from assets.autopilot.run_requests import RUN_REQUEST_TAG
from orchestration.resources import PostgresResource
from tests.assets.autopilot.seed import seed


@pytest.fixture
def instance(tmp_path) -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        yield instance


@pytest.fixture(scope="module")
def platform_defs() -> dg.Definitions:
    from assets.autopilot import defs as autopilot
    from assets.warehouse import defs as warehouse

    return dg.Definitions.merge(warehouse, autopilot)


@pytest.fixture
def defs(platform_defs: dg.Definitions, db_url: str) -> dg.Definitions:
    return dg.Definitions.merge(
        platform_defs, dg.Definitions(resources={"database": PostgresResource(url=db_url)})
    )


def trigger(conn: psycopg.Connection, function: str) -> int:
    """Call a trigger function as the product's backend would (role service_role); the new request's id."""
    conn.execute("set role service_role")
    try:
        conn.execute(f"select public.{function}()")
    finally:
        conn.execute("reset role")
    return conn.execute("select max(id) from aip.run_requests").fetchone()[0]


def request_row(conn: psycopg.Connection, request_id: int) -> dict:
    cur = conn.execute(
        "select status, run_id, launched_at, finished_at, error from aip.run_requests where id = %s",
        (request_id,),
    )
    return dict(zip([c.name for c in cur.description], cur.fetchone(), strict=True))


def evaluate_requests(defs: dg.Definitions, instance: dg.DagsterInstance, db_url: str) -> list[dg.RunRequest]:
    context = dg.build_sensor_context(
        instance=instance, definitions=defs, resources={"database": PostgresResource(url=db_url)}
    )
    result = defs.get_repository_def().get_sensor_def("run_requests_sensor")(context)
    return list(result.run_requests or [])


def status_sensor(
    defs: dg.Definitions, name: str, instance, result, db_url: str, failed: bool = False
) -> None:
    event = result.get_run_failure_event() if failed else result.get_run_success_event()
    context = dg.build_run_status_sensor_context(
        sensor_name=name,
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"database": PostgresResource(url=db_url)},
    )
    defs.get_repository_def().get_sensor_def(name)(context.for_run_failure() if failed else context)


def test_trigger_sensor_run_and_outcome_end_to_end(
    defs, instance, conn: psycopg.Connection, db_url: str
) -> None:
    seed(conn, datetime.now(UTC).date())
    request_id = trigger(conn, "trigger_autopilot_orchestration")
    assert request_row(conn, request_id)["status"] == "queued"

    [run_request] = evaluate_requests(defs, instance, db_url)
    assert run_request.run_key == f"run-request-{request_id}"
    assert run_request.job_name == "autopilot_daily"
    assert run_request.tags[RUN_REQUEST_TAG] == str(request_id)

    job = defs.resolve_job_def(run_request.job_name)
    result = job.execute_in_process(instance=instance, tags=run_request.tags)
    assert result.success
    assert conn.execute("select count(*) from public.campaign_performance_monitor").fetchone()[0] == 6

    status_sensor(defs, "run_request_outcome_sensor", instance, result, db_url)
    row = request_row(conn, request_id)
    assert row["status"] == "succeeded" and row["run_id"] == result.run_id
    assert row["launched_at"] is not None and row["finished_at"] is not None and row["error"] is None

    # a later tick (or a restarted sensor) launches nothing more
    assert evaluate_requests(defs, instance, db_url) == []


def test_restarted_sensor_finds_the_run_instead_of_launching_again(defs, instance, conn, db_url) -> None:
    seed(conn, datetime.now(UTC).date())
    request_id = trigger(conn, "trigger_autopilot_orchestration")
    [run_request] = evaluate_requests(defs, instance, db_url)
    result = defs.resolve_job_def("autopilot_daily").execute_in_process(
        instance=instance, tags=run_request.tags
    )
    # no status sensor ran (say the daemon was down): the request sensor settles the row from the run itself
    assert evaluate_requests(defs, instance, db_url) == []
    row = request_row(conn, request_id)
    assert (row["status"], row["run_id"]) == ("succeeded", result.run_id)


def test_failed_run_is_recorded_on_the_request_and_in_run_failures(defs, instance, conn, db_url) -> None:
    # no warehouse built: the pass fails at once with an error that says what to do, without retrying
    request_id = trigger(conn, "trigger_autopilot_orchestration")
    [run_request] = evaluate_requests(defs, instance, db_url)
    result = defs.resolve_job_def("autopilot_daily").execute_in_process(
        instance=instance, tags=run_request.tags, raise_on_error=False
    )
    assert not result.success
    assert not [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]

    status_sensor(defs, "run_failure_recorder", instance, result, db_url, failed=True)
    row = request_row(conn, request_id)
    assert row["status"] == "failed" and row["run_id"] == result.run_id and "daily_refresh" in row["error"]
    [failure] = recent_failures(conn)
    assert (failure.run_id, failure.job_name, failure.run_request_id) == (
        result.run_id,
        "autopilot_daily",
        request_id,
    )
    assert "build the warehouse first" in failure.error
    # the failure sensor seeing the same run again records nothing new
    status_sensor(defs, "run_failure_recorder", instance, result, db_url, failed=True)
    assert len(recent_failures(conn)) == 1


def test_weekly_trigger_requests_weekly_reports_and_unknown_jobs_are_refused(
    defs, instance, conn, db_url
) -> None:
    weekly_id = trigger(conn, "trigger_weekly_report_generation")
    conn.execute("insert into aip.run_requests (job_name) values ('no_such_job')")
    [run_request] = evaluate_requests(defs, instance, db_url)
    assert (run_request.job_name, run_request.run_key) == ("weekly_reports", f"run-request-{weekly_id}")
    status, error = conn.execute(
        "select status, error from aip.run_requests where job_name = 'no_such_job'"
    ).fetchone()
    assert status == "failed" and "autopilot_daily" in error and "weekly_reports" in error


def test_successful_warehouse_runs_chain_the_autopilot(defs) -> None:
    sensor = defs.get_repository_def().get_sensor_def("autopilot_after_warehouse")
    with dg.instance_for_test() as instance:
        for job_name, follow_up in (
            ("daily_refresh", "autopilot_daily"),
            ("weekly_reports", "autopilot_weekly_insights"),
        ):
            run = instance.create_run_for_job(
                job_def=defs.resolve_job_def(job_name), status=dg.DagsterRunStatus.SUCCESS
            )
            event = dg.DagsterEvent(event_type_value="PIPELINE_SUCCESS", job_name=job_name)
            context = dg.build_run_status_sensor_context(
                sensor_name="autopilot_after_warehouse",
                dagster_event=event,
                dagster_instance=instance,
                dagster_run=run,
            )
            request = sensor(context)
            assert (request.job_name, request.run_key) == (follow_up, f"after-{run.run_id}")
