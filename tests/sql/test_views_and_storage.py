"""The views (ai_video_stats; autopilot_cron_monitor only with pg_cron) and the ai-videos storage bucket."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import psycopg
import pytest
from psycopg import errors

from orchestration.migrations import MIGRATIONS_DIR, applied_migrations

from .rows import acting_as, insert, new_user

CRON_MONITOR = MIGRATIONS_DIR / "0071_autopilot_cron_monitor.sql"
STATS = (
    "select total_videos, autopilot_videos, manual_videos, completed_videos, failed_videos, total_cost_usd, "
    "avg_cost_per_video, last_video_created from public.ai_video_stats where user_id = %s"
)


def test_ai_video_stats_aggregates_per_user(conn: psycopg.Connection) -> None:
    alice, bob = new_user(conn), new_user(conn)
    day = dt.datetime(2025, 10, 8, tzinfo=dt.UTC)
    for auto, status, cost, days in (
        (True, "completed", "1.5", 0),
        (False, "failed", "0.5", 1),
        (False, "draft", "0", 2),
    ):
        insert(
            conn,
            "ai_video_projects",
            user_id=alice,
            auto_generated=auto,
            status=status,
            cost_usd=Decimal(cost),
            created_at=day + dt.timedelta(days=days),
        )
    insert(
        conn, "ai_video_projects", user_id=bob, auto_generated=True, status="completed", cost_usd=Decimal("9")
    )
    row = conn.execute(STATS, (alice,)).fetchone()
    assert row[:6] == (3, 1, 2, 1, 1, Decimal("2.0000"))
    assert row[6] == pytest.approx(Decimal("0.6667"), abs=Decimal("0.0001"))
    assert row[7] == day + dt.timedelta(days=2)
    assert conn.execute(STATS, (bob,)).fetchone()[:2] == (1, 1)


def test_ai_video_stats_shows_a_user_only_their_own_row(conn: psycopg.Connection) -> None:
    alice, bob = new_user(conn), new_user(conn)
    insert(conn, "ai_video_projects", user_id=alice)
    insert(conn, "ai_video_projects", user_id=bob)
    with acting_as(conn, "authenticated", alice):
        assert conn.execute("select user_id, total_videos from public.ai_video_stats").fetchall() == [
            (alice, 1)
        ]
    with acting_as(conn, "anon"), pytest.raises(errors.InsufficientPrivilege):
        conn.execute("select * from public.ai_video_stats")


def test_cron_monitor_is_skipped_without_pg_cron(conn: psycopg.Connection, db_url: str) -> None:
    assert conn.execute("select to_regclass('cron.job')").fetchone() == (None,)
    assert conn.execute("select to_regclass('public.autopilot_cron_monitor')").fetchone() == (None,)
    assert CRON_MONITOR.stem in {m.id for m in applied_migrations(db_url)}


def test_cron_monitor_is_created_where_cron_job_exists(conn: psycopg.Connection) -> None:
    """pg_cron is not installable here; a table of its shape stands in for cron.job."""
    conn.execute(
        "create schema cron; create table cron.job (jobid bigint, schedule text, command text, nodename text, "
        "nodeport int, database text, username text, active boolean, jobname text)"
    )
    conn.execute(
        "insert into cron.job values (1, '0 2 * * *', 'select 1', 'localhost', 5432, 'db', 'postgres', true, "
        "'autopilot-daily-orchestration')"
    )
    conn.execute(CRON_MONITOR.read_text())
    columns = [
        r[0]
        for r in conn.execute(
            "select attname from pg_attribute where attrelid = 'public.autopilot_cron_monitor'::regclass and attnum > 0 "
            "order by attnum"
        )
    ]
    assert columns == [
        "jobid",
        "schedule",
        "command",
        "nodename",
        "nodeport",
        "database",
        "username",
        "active",
        "jobname",
    ]
    assert conn.execute("select jobname from public.autopilot_cron_monitor").fetchall() == [
        ("autopilot-daily-orchestration",)
    ]
    assert conn.execute(
        "select has_table_privilege('authenticated', 'public.autopilot_cron_monitor', 'select'),"
        " has_table_privilege('anon', 'public.autopilot_cron_monitor', 'select')"
    ).fetchone() == (True, False)


def test_foldername(conn: psycopg.Connection) -> None:
    assert conn.execute(
        "select storage.foldername('u1/videos/a.mp4'), storage.foldername('a.mp4')"
    ).fetchone() == (["u1", "videos"], [])


def test_ai_videos_bucket_lets_users_upload_read_and_delete_only_their_folder(
    conn: psycopg.Connection,
) -> None:
    alice, bob = new_user(conn), new_user(conn)
    assert conn.execute("select public from storage.buckets where id = 'ai-videos'").fetchone() == (True,)
    conn.execute("insert into storage.buckets (id, name) values ('other', 'other')")
    conn.execute("insert into storage.objects (bucket_id, name) values ('ai-videos', %s)", (f"{bob}/b.mp4",))
    insert_object = "insert into storage.objects (bucket_id, name) values (%s, %s)"
    with acting_as(conn, "authenticated", alice):
        conn.execute(insert_object, ("ai-videos", f"{alice}/a.mp4"))
        for bucket, name in (
            ("ai-videos", f"{bob}/x.mp4"),
            ("ai-videos", "a.mp4"),
            ("other", f"{alice}/a.mp4"),
        ):
            with pytest.raises(errors.InsufficientPrivilege, match="row-level security"), conn.transaction():
                conn.execute(insert_object, (bucket, name))
        assert conn.execute("select name from storage.objects").fetchall() == [(f"{alice}/a.mp4",)]
        assert conn.execute("delete from storage.objects where name like %s", (f"{bob}/%",)).rowcount == 0
        assert conn.execute("delete from storage.objects where name = %s", (f"{alice}/a.mp4",)).rowcount == 1
