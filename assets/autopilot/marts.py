"""What the daily pass reads: the user's active campaigns (live rows of public.campaigns, with the running
spend from the mart) and their daily figures from marts.fct_campaign_performance_daily (built by dbt in the
daily_refresh job). Figures are read for days before the run day only: the run day is not over."""

from collections import defaultdict
from datetime import date

import psycopg

from assets.autopilot.scoring import CampaignState, DailyFigures

MART = "marts.fct_campaign_performance_daily"


class DailyPassError(RuntimeError):
    """The pass cannot run; the message says what to do."""


def check_ready(conn: psycopg.Connection) -> None:
    if conn.execute("select to_regclass('public.campaign_performance_monitor')").fetchone()[0] is None:
        raise DailyPassError("public.campaign_performance_monitor does not exist: run `aip migrate` first.")
    if conn.execute("select to_regclass(%s)", (MART,)).fetchone()[0] is None:
        raise DailyPassError(f"{MART} does not exist: build the warehouse first (job daily_refresh).")


def active_campaigns(conn: psycopg.Connection, user_id: str, as_of: date) -> list[CampaignState]:
    rows = conn.execute(
        f"""
        select
            c.id::text, c.name, coalesce(c.channel, c.type, 'unknown'), coalesce(c.auto_managed, false),
            coalesce(c.total_budget, 0)::float8, coalesce(c.budget_allocated, 0)::float8,
            coalesce((
                select f.cumulative_spend from {MART} as f
                where f.campaign_id = c.id and f.metric_date < %(as_of)s
                order by f.metric_date desc limit 1
            ), 0)::float8
        from public.campaigns as c
        where c.created_by = %(user_id)s::uuid and c.status = 'active'
        order by c.id
        for update of c
        """,
        {"user_id": user_id, "as_of": as_of},
    ).fetchall()
    return [CampaignState(*row) for row in rows]


def daily_history(
    conn: psycopg.Connection, campaign_ids: list[str], start: date, end: date
) -> dict[str, list]:
    """Daily figures of the campaigns for days in [start, end)."""
    rows = conn.execute(
        f"""
        select campaign_id::text, metric_date, impressions::float8, clicks::float8, conversions::float8,
            spend::float8, revenue::float8
        from {MART}
        where campaign_id = any(%s::uuid[]) and metric_date >= %s and metric_date < %s
        order by campaign_id, metric_date
        """,
        (campaign_ids, start, end),
    ).fetchall()
    history: dict[str, list[DailyFigures]] = defaultdict(list)
    for campaign_id, *figures in rows:
        history[campaign_id].append(DailyFigures(*figures))
    return history
