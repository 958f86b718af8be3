"""The quality history: results appended with a capped sample, summarised per check, readable by bi_reader."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import psycopg
import pytest

from assets.quality.history import (
    MAX_FAILING_ROWS,
    grant_quality_to,
    previous_observations,
    record_observations,
    record_result,
    summarise,
)


def test_record_result_keeps_a_json_sample_of_failing_rows(conn: psycopg.Connection) -> None:
    rows = [
        {"id": uuid.uuid4(), "metric_date": dt.date(2025, 1, i + 1), "value": decimal.Decimal("-1.5")}
        for i in range(30)
    ]
    result_id = record_result(
        conn, check_name="campaign_metrics_valid", asset_key="public/campaign_metrics", run_id="r1",
        passed=False, severity="error", blocking=True, observed_value=30, failing_rows=rows, failing_row_count=30,
    )  # fmt: skip
    sample, count, severity = conn.execute(
        "select failing_rows, failing_row_count, severity from quality.check_results where id = %s",
        (result_id,),
    ).fetchone()
    assert (len(sample), count, severity) == (MAX_FAILING_ROWS, 30, "ERROR")
    assert sample[0] == {"id": str(rows[0]["id"]), "metric_date": "2025-01-01", "value": -1.5}


def test_severity_must_be_error_or_warn(conn: psycopg.Connection) -> None:
    with pytest.raises(ValueError, match="ERROR or WARN"):
        record_result(conn, check_name="c", asset_key="a", run_id=None, passed=True, severity="INFO")


def test_summarise_gives_the_last_result_per_check_and_recent_failures(conn: psycopg.Connection) -> None:
    def add(check: str, passed: bool, hours_ago: float) -> None:
        result_id = record_result(
            conn, check_name=check, asset_key="public/leads", run_id=f"run-{check}-{hours_ago}", passed=passed,
            severity="ERROR", observed_value=0 if passed else 2,
        )  # fmt: skip
        conn.execute(
            "update quality.check_results set checked_at = now() - make_interval(secs => %s) where id = %s",
            (hours_ago * 3600, result_id),
        )

    add("leads_valid", False, 30)  # a failure older than a day
    add("leads_valid", False, 5)
    add("leads_valid", True, 1)
    add("lead_scores", False, 2)
    summary = {(s.asset_key, s.check_name): s for s in summarise(conn)}
    assert set(summary) == {("public/leads", "leads_valid"), ("public/leads", "lead_scores")}
    assert (
        summary[("public/leads", "leads_valid")].passed,
        summary[("public/leads", "leads_valid")].failures_last_24h,
    ) == (True, 1)
    assert (
        summary[("public/leads", "lead_scores")].passed,
        summary[("public/leads", "lead_scores")].observed_value,
    ) == (False, 2)
    assert [s.check_name for s in summarise(conn)][0] == "lead_scores"  # failing checks first


def test_previous_observations_skip_the_current_run(conn: psycopg.Connection) -> None:
    record_observations(conn, "marts/fct_x", "run-1", {"row_count": 100, "mean:spend": 12.5})
    record_observations(conn, "marts/fct_x", "run-2", {"row_count": 120, "mean:spend": None})
    assert previous_observations(conn, "marts/fct_x", exclude_run_id="run-3") == {
        "row_count": 120,
        "mean:spend": None,
    }
    assert previous_observations(conn, "marts/fct_x", exclude_run_id="run-2") == {
        "row_count": 100,
        "mean:spend": 12.5,
    }


def test_bi_reader_can_read_the_history(conn: psycopg.Connection, db_url: str) -> None:
    role = f"bi_reader_{uuid.uuid4().hex[:8]}"  # roles are cluster-wide: a name of its own per test
    conn.execute(f"create role {role} nologin")
    try:
        record_result(conn, check_name="c", asset_key="a", run_id="r", passed=True, severity="WARN")
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute(f"set local role {role}")
            conn.execute("select count(*) from quality.check_results")
        grant_quality_to(conn, role)
        with conn.transaction():
            conn.execute(f"set local role {role}")
            assert conn.execute("select count(*) from quality.check_results").fetchone()[0] == 1
            assert conn.execute("select count(*) from quality.metric_observations").fetchone()[0] == 0
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("insert into quality.metric_observations (asset_key, metric) values ('a', 'b')")
    finally:
        conn.execute(f"drop owned by {role}")
        conn.execute(f"drop role {role}")
