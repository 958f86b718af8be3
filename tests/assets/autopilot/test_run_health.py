"""Run health: transient errors are retried and others are not, the concurrency limit is valid instance
configuration, and the OAuth-state cleanup job deletes only expired states."""

import dagster as dg
import psycopg

from assets.autopilot.assets import autopilot_daily_pass, weekly_report_insights
from assets.autopilot.jobs import autopilot_daily, autopilot_weekly_insights, cleanup_oauth_states
from assets.autopilot.run_health import (
    DB_RETRY_POLICY,
    EXCLUSIVE_TAG,
    RUN_TAG_CONCURRENCY_LIMITS,
    transient_errors_only,
)
from assets.autopilot.schedules import cleanup_oauth_states_schedule
from orchestration.resources import PostgresResource

FAST_RETRY = dg.RetryPolicy(max_retries=DB_RETRY_POLICY.max_retries, delay=0, backoff=DB_RETRY_POLICY.backoff)


def _attempts(error: type[BaseException]) -> tuple[bool, int]:
    calls = []

    @dg.op(retry_policy=FAST_RETRY)
    def flaky() -> None:
        calls.append(1)
        with transient_errors_only():
            if len(calls) == 1:
                raise error("server closed the connection unexpectedly")

    @dg.job
    def one() -> None:
        flaky()

    result = one.execute_in_process(raise_on_error=False)
    return result.success, len(calls)


def test_transient_database_errors_are_retried_and_others_are_not() -> None:
    assert _attempts(psycopg.OperationalError) == (True, 2)
    assert _attempts(psycopg.errors.AdminShutdown) == (True, 2)  # what a database restart raises
    assert _attempts(KeyError) == (False, 1)


def test_assets_writing_to_the_database_carry_the_retry_policy() -> None:
    assert (DB_RETRY_POLICY.max_retries, DB_RETRY_POLICY.backoff) == (3, dg.Backoff.EXPONENTIAL)
    for asset in (autopilot_daily_pass, weekly_report_insights):
        assert asset.op.retry_policy == DB_RETRY_POLICY


def test_concurrency_limit_is_valid_queued_run_coordinator_config() -> None:
    overrides = {
        "run_coordinator": {
            "module": "dagster._core.run_coordinator",
            "class": "QueuedRunCoordinator",
            "config": {"max_concurrent_runs": 4, "tag_concurrency_limits": RUN_TAG_CONCURRENCY_LIMITS},
        }
    }
    with dg.instance_for_test(overrides=overrides) as instance:
        limits = instance.run_coordinator.get_run_queue_config().tag_concurrency_limits
    assert limits == RUN_TAG_CONCURRENCY_LIMITS
    for job in (autopilot_daily, autopilot_weekly_insights, cleanup_oauth_states):
        assert job.tags[EXCLUSIVE_TAG] == job.name


def test_cleanup_job_deletes_only_expired_oauth_states(conn: psycopg.Connection, db_url: str) -> None:
    conn.execute(
        "insert into auth.users (id, email) values ('00000000-0000-4000-8000-0000000000aa', 'o@a.test')"
    )
    for token, expires in (("old", "now() - interval '1 minute'"), ("fresh", "now() + interval '5 minutes'")):
        conn.execute(
            "insert into public.oauth_states (user_id, state_token, platform_name, redirect_uri, expires_at) "
            f"values ('00000000-0000-4000-8000-0000000000aa', %s, 'x', 'https://x.test', {expires})",
            (token,),
        )
    result = cleanup_oauth_states.execute_in_process(resources={"database": PostgresResource(url=db_url)})
    assert result.output_for_node("cleanup_expired_oauth_states") == 1
    assert [r[0] for r in conn.execute("select state_token from public.oauth_states")] == ["fresh"]
    assert (
        cleanup_oauth_states_schedule.cron_schedule,
        cleanup_oauth_states_schedule.execution_timezone,
    ) == (
        "15 * * * *",
        "UTC",
    )


def test_sensors_tick_on_their_own_and_requests_are_picked_up_within_30_seconds() -> None:
    from assets.autopilot.definitions import defs

    sensors = {s.name: s for s in defs.sensors}
    assert sensors["run_requests_sensor"].minimum_interval_seconds <= 30
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors.values())
