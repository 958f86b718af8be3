"""The weekly reports write-back: one row per user × week, idempotent, safe when two runs overlap, and what
get_autopilot_dashboard_stats() then returns is the mart's figures."""

from __future__ import annotations

import threading
from decimal import Decimal

import psycopg
import pytest

from assets.warehouse.writeback import WriteBackError, write_weekly_reports
from tests.dbt import expected as E
from tests.dbt import handmade as H

REPORT_COLUMNS = (
    "user_id, week_start_date, week_end_date, total_leads_generated, total_spend, roi, top_performing_channel"
)


def _reports(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        f"select {REPORT_COLUMNS} from public.autopilot_weekly_reports order by 1, 2"
    ).fetchall()


def _mart(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "select user_id, week_start, week_end, leads_generated, spend, roi, top_channel "
        "from marts.fct_autopilot_weekly order by 1, 2"
    ).fetchall()


def test_write_back_copies_the_mart_and_a_second_run_changes_nothing(warehouse_url: str) -> None:
    with psycopg.connect(warehouse_url) as conn:
        first = write_weekly_reports(conn)
        assert (first.inserted, first.updated) == (first.source_rows, 0) and first.source_rows == 4
        assert _reports(conn) == _mart(conn)
        created = conn.execute(
            "select id, created_at from public.autopilot_weekly_reports order by id"
        ).fetchall()

        second = write_weekly_reports(conn)
        assert (second.inserted, second.updated, second.unchanged) == (0, 0, 4)
        assert (
            conn.execute("select id, created_at from public.autopilot_weekly_reports order by id").fetchall()
            == created
        )


def test_write_back_updates_a_week_whose_figures_changed(warehouse_url: str) -> None:
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        write_weekly_reports(conn)
        conn.execute("update marts.fct_autopilot_weekly set spend = spend + 1 where user_id = %s and week_start = %s",
                     (H.USER_B, H.W0))  # fmt: skip
        result = write_weekly_reports(conn)
        assert (result.inserted, result.updated) == (0, 1)
        assert _reports(conn) == _mart(conn)


def test_concurrent_write_backs_never_duplicate(warehouse_url: str) -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with psycopg.connect(warehouse_url) as conn:
                barrier.wait(timeout=30)
                for _ in range(3):
                    write_weekly_reports(conn)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with psycopg.connect(warehouse_url) as conn:
        assert _reports(conn) == _mart(conn)
        dupes = conn.execute(
            "select count(*) from (select 1 from public.autopilot_weekly_reports "
            "group by user_id, week_start_date having count(*) > 1) as d"
        ).fetchone()[0]
        assert dupes == 0


def test_dashboard_stats_return_the_marts_numbers(warehouse_url: str) -> None:
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        write_weekly_reports(conn)
        spend, roi = conn.execute(
            "select spend, roi from marts.fct_autopilot_weekly where user_id = %s and week_start = %s",
            (H.USER_A, H.W1),
        ).fetchone()
        stats = conn.execute("select public.get_autopilot_dashboard_stats(%s)", (H.USER_A,)).fetchone()[0]
    expected = E.expected_autopilot_weekly()[(H.USER_A, H.W1)]
    assert spend == expected["spend"] and roi == expected["roi"]  # the mart is right (independently computed)
    assert stats["week_start"] == H.W1.isoformat()
    assert Decimal(str(stats["this_week_spend"])) == spend
    assert Decimal(str(stats["this_week_roi"])) == roi


def test_write_back_explains_a_missing_mart(db_url: str) -> None:
    with psycopg.connect(db_url) as conn, pytest.raises(WriteBackError, match="daily_refresh"):
        write_weekly_reports(conn)
