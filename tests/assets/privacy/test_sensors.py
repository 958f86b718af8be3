"""The sensor turns each pending request into exactly one run; the runs fulfil the requests."""

from __future__ import annotations

import uuid
from pathlib import Path

import dagster as dg
import psycopg

from assets.privacy import defs as privacy_defs
from assets.privacy import requests as rq
from assets.privacy.sensors import MINIMUM_INTERVAL_SECONDS, privacy_requests_sensor
from orchestration.resources import PostgresResource
from orchestration.settings import Settings
from tests.assets.privacy.conftest import rows_naming_user


def _users(conn: psycopg.Connection, n: int) -> list[uuid.UUID]:
    users = [uuid.uuid4() for _ in range(n)]
    for i, u in enumerate(users):
        conn.execute("insert into auth.users (id, email) values (%s, %s)", (u, f"sensor{i}@example.com"))
        conn.execute("insert into public.campaigns (name, created_by) values ('c', %s)", (u,))
    return users


def _evaluate(db_url: str) -> list[dg.RunRequest]:
    context = dg.build_sensor_context(resources={"database": PostgresResource(url=db_url)})
    result = privacy_requests_sensor(context)
    return list(result.run_requests or []) if isinstance(result, dg.SensorResult) else []


def _execute(
    db_url: str, run_request: dg.RunRequest, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    defs = dg.Definitions.merge(
        privacy_defs, dg.Definitions(resources={"database": PostgresResource(url=db_url)})
    )
    return defs.resolve_job_def(run_request.job_name).execute_in_process(
        run_config=run_request.run_config,
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_sensor_requests_one_run_per_ready_request(
    conn: psycopg.Connection, db_url: str, settings: Settings
) -> None:
    a, b, c = _users(conn, 3)
    export, _ = rq.file_request(conn, rq.EXPORT, a)
    confirmed, _ = rq.file_request(conn, rq.DELETION, b, confirmed=True)
    rq.file_request(conn, rq.DELETION, c)  # not confirmed: no run

    runs = _evaluate(db_url)

    assert privacy_requests_sensor.minimum_interval_seconds == MINIMUM_INTERVAL_SECONDS <= 30
    assert {(r.job_name, r.run_key) for r in runs} == {
        ("privacy_export", f"export:{export.id}:0"),
        ("privacy_deletion", f"deletion:{confirmed.id}:0"),
    }
    assert {r.run_key for r in _evaluate(db_url)} == {r.run_key for r in runs}  # stable: deduplicated by key

    instance = dg.DagsterInstance.ephemeral()
    for run in runs:
        result = _execute(db_url, run, instance)
        assert result.success
        messages = [e.user_message for e in instance.all_logs(result.run_id)]
        # the logic's own log lines reach the run's event log, naming the request, never the user
        label = rq.get_request(conn, run.tags["privacy/kind"], run.tags["privacy/request"]).label
        assert any(f"request {label} completed:" in m for m in messages)
        assert not any(str(u) in m for m in messages for u in (a, b))
    assert rq.get_request(conn, rq.EXPORT, export.id).status == "completed"
    assert (settings.storage_dir / "exports" / str(a) / f"{export.id}.zip").exists()
    assert rq.get_request(conn, rq.DELETION, confirmed.id).status == "completed"
    assert rows_naming_user(conn, b) == {}
    assert rows_naming_user(conn, c) and rows_naming_user(conn, a)
    assert _evaluate(db_url) == []  # nothing pending any more


def test_a_failed_request_set_back_to_pending_gets_a_new_run_key(
    conn: psycopg.Connection, db_url: str, settings: Settings
) -> None:
    (user,) = _users(conn, 1)
    request, _ = rq.file_request(conn, rq.DELETION, user, confirmed=True)
    conn.execute(
        "create function public.refuse() returns trigger language plpgsql as $$ begin raise exception 'no'; end $$"
    )
    conn.execute(
        "create trigger refuse before delete on public.campaigns for each row execute function public.refuse()"
    )
    (first,) = _evaluate(db_url)

    result = _execute(db_url, first)

    assert not result.success  # the run fails visibly; the request records why
    assert rq.request_outcome(conn, rq.DELETION, request.id)["status"] == "failed"
    assert _evaluate(db_url) == []  # failed requests are not retried on their own
    conn.execute("drop trigger refuse on public.campaigns")
    conn.execute("update public.data_deletion_requests set status = 'pending' where id = %s", (request.id,))
    (second,) = _evaluate(db_url)
    assert second.run_key == f"deletion:{request.id}:1" != first.run_key
    assert _execute(db_url, second).success and rows_naming_user(conn, user) == {}


def test_erasure_guard_job_removes_rows_of_erased_users(
    conn: psycopg.Connection, db_url: str, settings: Settings, tmp_path: Path
) -> None:
    erased, kept = _users(conn, 2)
    request, _ = rq.file_request(conn, rq.DELETION, erased, confirmed=True)
    (run,) = _evaluate(db_url)
    assert _execute(db_url, run).success
    conn.execute("create schema if not exists marts")
    conn.execute("create table marts.fct_guard_probe (user_id uuid, n int)")
    conn.execute("insert into marts.fct_guard_probe values (%s, 1), (%s, 2)", (erased, kept))

    result = _execute(db_url, dg.RunRequest(job_name="privacy_erasure_guard"))

    assert result.success
    rows = conn.execute("select user_id from marts.fct_guard_probe").fetchall()
    assert rows == [(kept,)]
