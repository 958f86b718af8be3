"""Incremental runs give exactly the rows of a full refresh, after the demo data grows by a few days and
late rows arrive: metrics inside the look-back window of days, lead activities any time late (the lead
models window on when a row was recorded)."""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from assets.warehouse.comparison import differences, snapshot
from tests.dbt.databases import dbt

INCREMENTAL_MODELS = (
    "intermediate.int_campaign_metrics_pivoted_daily",
    "intermediate.int_lead_campaign_touches",
    "intermediate.int_lead_lifecycle",
    "marts.fct_campaign_performance_daily",
    "marts.dim_leads",
    "marts.fct_attribution",
)


def _counts(conn: psycopg.Connection) -> dict[str, int]:
    return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in INCREMENTAL_MODELS}


def _late_rows(conn: psycopg.Connection) -> None:
    """A metric of yesterday arriving today, a campaign touch of an old lead recorded now for a time 30 days
    back (far outside the 3-day look-back: the lead models window on recording time), an activity written
    with a null created_at, and a new count of the oldest social post (its first day, long before the
    window, must be re-computed)."""
    campaign_id, day = conn.execute(
        "select campaign_id, max(metric_date) - 1 from public.campaign_metrics group by campaign_id "
        "order by count(*) desc, campaign_id limit 1"
    ).fetchone()
    conn.execute(
        "insert into public.campaign_metrics (campaign_id, metric_type, metric_value, metric_date) "
        "values (%s, 'spend', 12.34, %s), (%s, 'clicks', 7, %s)",
        (campaign_id, day, campaign_id, day),
    )
    lead_id, user_id, created = conn.execute(
        "select id, created_by, created_at from public.leads order by created_at, id limit 1"
    ).fetchone()
    conn.execute(
        "insert into public.lead_activities (lead_id, activity_type, activity_data, occurred_at, created_by) "
        "select %s, 'email_opened', %s, max(occurred_at) - interval '30 days', %s from public.lead_activities",
        (lead_id, Jsonb({"campaign_id": str(campaign_id), "channel": "email", "touch": True}), user_id),
    )
    # an activity whose client wrote created_at as null (the column allows it): picked up by its own time
    lead_id, user_id = conn.execute(
        "select id, created_by from public.leads order by created_at, id offset 1 limit 1"
    ).fetchone()
    conn.execute(
        "insert into public.lead_activities (lead_id, activity_type, activity_data, occurred_at, created_by, "
        "created_at) select %s, 'call_scheduled', '{}'::jsonb, max(occurred_at), %s, null "
        "from public.lead_activities",
        (lead_id, user_id),
    )
    conn.execute(
        "insert into public.social_engagement (post_id, platform, engagement_type, engagement_count, recorded_at) "
        "select post_id, platform, engagement_type, engagement_count + 1000, "
        "(select max(recorded_at) from public.social_engagement) "
        "from public.social_engagement order by recorded_at, id limit 1"
    )


def test_incremental_runs_equal_a_full_refresh(demo_url: str, tmp_path: Path) -> None:
    from assets.demo.loader import append

    with psycopg.connect(demo_url, autocommit=True) as conn:
        before = _counts(conn)
        append(demo_url, 4, manifest=None)
        changed_leads = conn.execute(
            "select count(*) from public.leads where updated_at > (select max(metric_date) - 4 from "
            "public.campaign_metrics)"
        ).fetchone()[0]
        _late_rows(conn)

    dbt(demo_url, tmp_path / "incremental", "build")
    with psycopg.connect(demo_url, autocommit=True) as conn:
        after = _counts(conn)
        assert all(after[t] > before[t] for t in INCREMENTAL_MODELS), (before, after)
        assert changed_leads > 0  # the append moved old leads along the funnel, not only added new ones
        snapshot(conn, "incremental_result")

    dbt(demo_url, tmp_path / "full", "build", "--full-refresh")
    with psycopg.connect(demo_url, autocommit=True) as conn:
        assert differences(conn, "incremental_result") == {}
        compared = conn.execute(
            "select count(*) from information_schema.tables where table_schema = 'incremental_result'"
        ).fetchone()[0]
        assert compared >= 14


def test_a_rerun_without_new_data_changes_nothing(demo_url: str, tmp_path: Path) -> None:
    with psycopg.connect(demo_url, autocommit=True) as conn:
        snapshot(conn, "first_build")
    dbt(demo_url, tmp_path / "again", "build")
    with psycopg.connect(demo_url, autocommit=True) as conn:
        assert differences(conn, "first_build") == {}
