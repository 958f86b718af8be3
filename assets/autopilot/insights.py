"""`ai_insights` of the weekly autopilot reports, written from the week's figures by rules (no language model).

For each report (user × ISO week): the top and bottom campaigns of the week (ranked by ROAS, then CPA,
then conversions) and what changed against the previous week (leads, spend, ROI from the reports;
conversions and revenue from the campaign mart), as figures and as short sentences. The JSON holds no
timestamp, so recomputing unchanged figures gives the same value and the update is skipped (idempotent).
The write-back of the reports (assets/warehouse/writeback.py) leaves this column to us; we take its
advisory lock so the two never interleave.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from assets.autopilot.marts import MART
from assets.warehouse.writeback import LOCK_KEY

TOP_N = 3
GENERATED_BY = "autopilot weekly insight rules v1 (no language model)"


@dataclass(frozen=True)
class CampaignWeek:
    campaign_id: str
    name: str
    spend: float
    conversions: float
    revenue: float

    @property
    def roas(self) -> float | None:
        return self.revenue / self.spend if self.spend else None

    @property
    def cpa(self) -> float | None:
        return self.spend / self.conversions if self.conversions else None

    def as_json(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "name": self.name,
            "spend": round(self.spend, 2),
            "conversions": round(self.conversions, 2),
            "revenue": round(self.revenue, 2),
            "roas": None if self.roas is None else round(self.roas, 4),
            "cpa": None if self.cpa is None else round(self.cpa, 4),
        }


@dataclass(frozen=True)
class WeekTotals:
    leads: float
    spend: float
    roi: float
    conversions: float
    revenue: float


def rank(campaigns: Sequence[CampaignWeek]) -> list[CampaignWeek]:
    """Best first; only campaigns that spent something are judged."""
    judged = [c for c in campaigns if c.spend > 0]
    inf = float("inf")
    return sorted(
        judged,
        key=lambda c: (
            -(c.roas or 0.0),
            c.cpa if c.cpa is not None else inf,
            -c.conversions,
            c.name,
            c.campaign_id,
        ),
    )


def _change(this: float, previous: float | None) -> dict[str, Any]:
    if previous is None:
        return {"this_week": round(this, 4), "previous_week": None, "change": None, "change_pct": None}
    pct = round((this - previous) / abs(previous) * 100, 1) if previous else None
    return {
        "this_week": round(this, 4),
        "previous_week": round(previous, 4),
        "change": round(this - previous, 4),
        "change_pct": pct,
    }


def _describe(c: CampaignWeek) -> str:
    roas = "no revenue" if not c.revenue else f"ROAS {c.roas:.2f}"
    return f"{c.name} ({roas}, {c.conversions:g} conversions from {c.spend:,.2f} spend)"


def _movement(label: str, change: Mapping[str, Any], money: bool) -> str:
    fmt = (lambda v: f"{v:,.2f}") if money else (lambda v: f"{v:g}")
    this, previous = change["this_week"], change["previous_week"]
    if change["change"] == 0:
        return f"{label} unchanged at {fmt(this)}."
    direction = "up" if change["change"] > 0 else "down"
    pct = f" ({change['change_pct']:+.1f}%)" if change["change_pct"] is not None else ""
    return f"{label} {direction} to {fmt(this)} from {fmt(previous)}{pct}."


def build_insights(
    week_start: date,
    totals: WeekTotals,
    previous: WeekTotals | None,
    campaigns: Sequence[CampaignWeek],
) -> dict[str, Any]:
    ranked = rank(campaigns)
    top = ranked[:TOP_N]
    bottom = [c for c in reversed(ranked) if c not in top][:TOP_N]
    changes = {
        name: _change(getattr(totals, name), None if previous is None else getattr(previous, name))
        for name in ("leads", "spend", "roi", "conversions", "revenue")
    }
    sentences = []
    if top:
        sentences.append(f"Best campaign: {_describe(top[0])}.")
    if bottom:
        sentences.append(f"Weakest campaign: {_describe(bottom[0])}.")
    if not ranked:
        sentences.append("No campaign spent anything this week.")
    if previous is None:
        sentences.append("No previous week to compare with.")
    else:
        sentences.append(_movement("Leads", changes["leads"], money=False))
        sentences.append(_movement("Spend", changes["spend"], money=True))
        sentences.append(_movement("Conversions", changes["conversions"], money=False))
        roi = changes["roi"]
        if roi["change"]:
            sentences.append(
                f"ROI {'improved' if roi['change'] > 0 else 'worsened'} from {roi['previous_week']:.2f} "
                f"to {roi['this_week']:.2f}."
            )
    return {
        "generated_by": GENERATED_BY,
        "week_start": week_start.isoformat(),
        "week_end": (week_start + timedelta(days=6)).isoformat(),
        "headline": sentences[0],
        "insights": sentences,
        "top_campaigns": [c.as_json() for c in top],
        "bottom_campaigns": [c.as_json() for c in bottom],
        "changes": changes,
        "ranked_by": "ROAS desc, then CPA asc, then conversions desc; campaigns without spend are not ranked",
        "sources": ["public.autopilot_weekly_reports", MART],
    }


@dataclass(frozen=True)
class InsightsResult:
    reports: int
    updated: int


def fill_weekly_insights(conn: psycopg.Connection) -> InsightsResult:
    """Recompute ai_insights of every weekly report; write only those that changed. One transaction."""
    with conn.transaction():
        if conn.execute("select to_regclass(%s)", (MART,)).fetchone()[0] is None:
            raise RuntimeError(f"{MART} does not exist: build the warehouse first (job daily_refresh).")
        conn.execute("select pg_advisory_xact_lock(%s, %s)", LOCK_KEY)
        reports = conn.execute(
            """
            select user_id::text, week_start_date, coalesce(total_leads_generated, 0)::float8,
                coalesce(total_spend, 0)::float8, coalesce(roi, 0)::float8, ai_insights
            from public.autopilot_weekly_reports
            where user_id is not null
            order by user_id, week_start_date
            """
        ).fetchall()
        rows = conn.execute(
            f"""
            select f.user_id::text, f.week_start, f.campaign_id::text, coalesce(c.name, f.campaign_id::text),
                sum(f.spend)::float8, sum(f.conversions)::float8, sum(f.revenue)::float8
            from {MART} as f
            left join public.campaigns as c on c.id = f.campaign_id
            where exists (
                select 1 from public.autopilot_weekly_reports as r
                where r.user_id = f.user_id and f.week_start between r.week_start_date - 7 and r.week_start_date
            )
            group by 1, 2, 3, 4
            order by 1, 2, 3
            """
        ).fetchall()
        weeks: dict[tuple[str, date], list[CampaignWeek]] = {}
        for user_id, week_start, *figures in rows:
            weeks.setdefault((user_id, week_start), []).append(CampaignWeek(*figures))
        by_key = {(user_id, week): (leads, spend, roi) for user_id, week, leads, spend, roi, _ in reports}

        def totals(user_id: str, week: date) -> WeekTotals | None:
            if (user_id, week) not in by_key:
                return None
            leads, spend, roi = by_key[(user_id, week)]
            campaigns = weeks.get((user_id, week), [])
            return WeekTotals(
                leads, spend, roi, sum(c.conversions for c in campaigns), sum(c.revenue for c in campaigns)
            )

        updated = 0
        for user_id, week, *_, current in reports:
            insights = build_insights(
                week,
                totals(user_id, week),
                totals(user_id, week - timedelta(days=7)),
                weeks.get((user_id, week), []),
            )
            if current == insights:
                continue
            conn.execute(
                "update public.autopilot_weekly_reports set ai_insights = %s "
                "where user_id = %s::uuid and week_start_date = %s",
                (Jsonb(insights), user_id, week),
            )
            updated += 1
    return InsightsResult(reports=len(reports), updated=updated)
