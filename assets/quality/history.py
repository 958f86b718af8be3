"""The history of data quality in the `quality` schema: every check result, and the measures the
distribution checks compare run over run (sql/migrations/0120_quality_history.sql).

Checks append their own result here (`record_result`) so the history exists no matter where the check ran
(Dagster UI, a schedule, a test); `summarise` is what `aip status` prints.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

SCHEMA = "quality"
MAX_FAILING_ROWS = 20  # a sample to act on, not a copy of the bad data


def to_jsonable(value: Any) -> Any:
    """Row values as JSON: uuids, dates and decimals as the text/number a person would read."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, bytes)):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def record_result(
    conn: psycopg.Connection,
    *,
    check_name: str,
    asset_key: str,
    run_id: str | None,
    passed: bool,
    severity: str,
    blocking: bool = False,
    observed_value: float | None = None,
    failing_rows: Sequence[Mapping[str, Any]] = (),
    failing_row_count: int | None = None,
    details: Mapping[str, Any] | None = None,
) -> int:
    """Append one check result; returns its id. `failing_rows` is cut to a sample of MAX_FAILING_ROWS."""
    severity = severity.upper()
    if severity not in {"ERROR", "WARN"}:
        raise ValueError(f"severity must be ERROR or WARN, got {severity!r}")
    sample = [to_jsonable(row) for row in list(failing_rows)[:MAX_FAILING_ROWS]]
    row = conn.execute(
        """
        insert into quality.check_results (
            check_name, asset_key, run_id, passed, severity, blocking, observed_value, failing_row_count,
            failing_rows, details
        )
        values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        returning id
        """,
        (
            check_name,
            asset_key,
            run_id,
            passed,
            severity,
            blocking,
            None if observed_value is None else float(observed_value),
            failing_row_count,
            Jsonb(sample),
            Jsonb(to_jsonable(dict(details or {}))),
        ),
    ).fetchone()
    return int(row[0])


def record_observations(
    conn: psycopg.Connection, asset_key: str, run_id: str | None, values: Mapping[str, float | None]
) -> None:
    """Store the measures a run observed on an asset (e.g. row_count, mean:spend)."""
    with conn.cursor() as cur:
        cur.executemany(
            "insert into quality.metric_observations (asset_key, metric, run_id, value) values (%s, %s, %s, %s)",
            [(asset_key, metric, run_id, None if v is None else float(v)) for metric, v in values.items()],
        )


def previous_observations(
    conn: psycopg.Connection, asset_key: str, exclude_run_id: str | None = None
) -> dict[str, float | None]:
    """The latest observed value of each measure of `asset_key`, from runs other than `exclude_run_id`
    (a re-executed check compares against the run before, not against itself)."""
    rows = conn.execute(
        """
        select distinct on (metric) metric, value
        from quality.metric_observations
        where asset_key = %s and run_id is distinct from %s
        order by metric, observed_at desc, id desc
        """,
        (asset_key, exclude_run_id),
    ).fetchall()
    return {metric: value for metric, value in rows}


@dataclass(frozen=True)
class CheckSummary:
    """The latest result of one check, and how often it failed in the last 24 hours."""

    check_name: str
    asset_key: str
    passed: bool
    severity: str
    observed_value: float | None
    failing_row_count: int | None
    checked_at: dt.datetime
    run_id: str | None
    failures_last_24h: int


def summarise(conn: psycopg.Connection) -> list[CheckSummary]:
    """Last result per (asset, check) and its failures in the last 24 h; failing checks first."""
    rows = conn.execute(
        """
        with latest as (
            select distinct on (asset_key, check_name)
                check_name, asset_key, passed, severity, observed_value, failing_row_count, checked_at, run_id
            from quality.check_results
            order by asset_key, check_name, checked_at desc, id desc
        ),

        recent_failures as (
            select asset_key, check_name, count(*) as failures
            from quality.check_results
            where not passed and checked_at > now() - interval '24 hours'
            group by asset_key, check_name
        )

        select
            latest.check_name,
            latest.asset_key,
            latest.passed,
            latest.severity,
            latest.observed_value,
            latest.failing_row_count,
            latest.checked_at,
            latest.run_id,
            coalesce(recent_failures.failures, 0) as failures_last_24h
        from latest
        left join recent_failures using (asset_key, check_name)
        order by latest.passed, latest.severity, latest.asset_key, latest.check_name
        """
    ).fetchall()
    return [CheckSummary(*row) for row in rows]


def results_for_run(conn: psycopg.Connection, run_id: str) -> list[dict[str, Any]]:
    """Every result a run recorded, as dicts (tests and `aip status --run` read them)."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute("select * from quality.check_results where run_id = %s order by id", (run_id,))
        return list(cur.fetchall())


def grant_quality_to(conn: psycopg.Connection, role: str, schemas: Iterable[str] = (SCHEMA,)) -> None:
    """Let `role` (e.g. bi_reader) read the quality history, including tables added later."""
    ident = sql.Identifier(role)
    for schema in schemas:
        schema_ident = sql.Identifier(schema)
        conn.execute(sql.SQL("grant usage on schema {} to {}").format(schema_ident, ident))
        conn.execute(sql.SQL("grant select on all tables in schema {} to {}").format(schema_ident, ident))
        conn.execute(
            sql.SQL("alter default privileges in schema {} grant select on tables to {}").format(
                schema_ident, ident
            )
        )
