"""Write-back of the weekly autopilot reports: marts.fct_autopilot_weekly → public.autopilot_weekly_reports.

One row per user × week. Idempotent and safe to run concurrently: the insert relies on the table's unique
key (user_id, week_start_date) with `on conflict do update`, rows are written in key order (two writers
never wait on each other crosswise), a transaction-level advisory lock serialises whole write-backs, and a
row whose figures did not change is not touched. The `ai_insights` column is left to the autopilot.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

MART = "marts.fct_autopilot_weekly"
TARGET = "public.autopilot_weekly_reports"
# pg_advisory_xact_lock key: "aip weekly" as two int4s, shared by every process writing these reports
LOCK_KEY = (0x61697020, 0x7765656B)

UPSERT_SQL = f"""
with source as (
    select
        user_id,
        autopilot_config_id,
        week_start,
        week_end,
        leads_generated,
        spend,
        roi,
        top_channel,
        jsonb_build_object(
            'text', summary,
            'iso_week', iso_week,
            'leads_generated', leads_generated,
            'leads_converted', leads_converted,
            'impressions', impressions,
            'clicks', clicks,
            'conversions', conversions,
            'spend', spend,
            'revenue', revenue,
            'roi', roi,
            'top_channel', top_channel,
            'source', '{MART}'
        ) as summary
    from {MART}
    order by user_id, week_start
),

upserted as (
    insert into {TARGET} as report (
        user_id, autopilot_config_id, week_start_date, week_end_date, total_leads_generated, total_spend,
        roi, top_performing_channel, summary
    )
    select
        user_id, autopilot_config_id, week_start, week_end, leads_generated, spend, roi, top_channel, summary
    from source
    on conflict (user_id, week_start_date) do update set
        autopilot_config_id = excluded.autopilot_config_id,
        week_end_date = excluded.week_end_date,
        total_leads_generated = excluded.total_leads_generated,
        total_spend = excluded.total_spend,
        roi = excluded.roi,
        top_performing_channel = excluded.top_performing_channel,
        summary = excluded.summary
    where (
        report.autopilot_config_id, report.week_end_date, report.total_leads_generated, report.total_spend,
        report.roi, report.top_performing_channel, report.summary
    ) is distinct from (
        excluded.autopilot_config_id, excluded.week_end_date, excluded.total_leads_generated,
        excluded.total_spend, excluded.roi, excluded.top_performing_channel, excluded.summary
    )
    returning (xmax = 0) as inserted
)

select
    count(*) filter (where inserted) as inserted,
    count(*) filter (where not inserted) as updated
from upserted
"""


class WriteBackError(RuntimeError):
    """The write-back cannot run; the message says what to do."""


@dataclass(frozen=True)
class WriteBackResult:
    source_rows: int
    inserted: int
    updated: int

    @property
    def unchanged(self) -> int:
        return self.source_rows - self.inserted - self.updated


def _check_ready(conn: psycopg.Connection) -> None:
    mart, target = conn.execute("select to_regclass(%s), to_regclass(%s)", (MART, TARGET)).fetchone()
    if target is None:
        raise WriteBackError(f"{TARGET} does not exist: apply the migrations first (`aip migrate`).")
    if mart is None:
        raise WriteBackError(f"{MART} does not exist: build the warehouse first (job daily_refresh).")
    has_key = conn.execute(
        """
        select exists (
            select 1
            from pg_index as i
            where i.indrelid = %s::regclass and i.indisunique and i.indpred is null
              and (select array_agg(a.attname::text order by a.attname)
                   from unnest(i.indkey) as k (attnum)
                   join pg_attribute as a on a.attrelid = i.indrelid and a.attnum = k.attnum)
                  = array['user_id', 'week_start_date']
        )
        """,
        (TARGET,),
    ).fetchone()[0]
    if not has_key:
        raise WriteBackError(
            f"{TARGET} has no unique key on (user_id, week_start_date), which the spec requires and the "
            "write-back relies on to never duplicate a report: apply the migrations (`aip migrate`)."
        )


def write_weekly_reports(conn: psycopg.Connection) -> WriteBackResult:
    """Upsert every user × week of the mart into the reports table, in one transaction."""
    with conn.transaction():
        _check_ready(conn)
        conn.execute("select pg_advisory_xact_lock(%s, %s)", LOCK_KEY)
        source_rows = conn.execute(f"select count(*) from {MART}").fetchone()[0]
        inserted, updated = conn.execute(UPSERT_SQL).fetchone()
    return WriteBackResult(source_rows=source_rows, inserted=inserted, updated=updated)
