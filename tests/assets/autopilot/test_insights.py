"""Weekly insights: top and bottom campaigns and week-on-week changes, from the reports and the mart."""

from datetime import date, timedelta

import psycopg
import pytest

from assets.autopilot.insights import CampaignWeek, WeekTotals, build_insights, fill_weekly_insights
from tests.assets.autopilot.seed import BY_KEY, USER_A, seed

AS_OF = date(2025, 6, 16)  # a Monday: the seed's recent window is exactly the ISO week before it
WEEK = AS_OF - timedelta(days=7)
PREVIOUS = WEEK - timedelta(days=7)


def test_build_insights_ranks_and_compares() -> None:
    campaigns = [
        CampaignWeek("a", "Alpha", spend=100, conversions=5, revenue=400),
        CampaignWeek("b", "Beta", spend=100, conversions=1, revenue=50),
        CampaignWeek("c", "Gamma", spend=0, conversions=0, revenue=0),  # no spend: not ranked
    ]
    insights = build_insights(
        WEEK, WeekTotals(12, 200, 1.25, 6, 450), WeekTotals(10, 250, 0.5, 4, 375), campaigns
    )
    assert [c["name"] for c in insights["top_campaigns"]] == ["Alpha", "Beta"]
    assert [c["name"] for c in insights["bottom_campaigns"]] == []  # both are in the top three
    assert insights["changes"]["leads"] == {
        "this_week": 12,
        "previous_week": 10,
        "change": 2,
        "change_pct": 20.0,
    }
    assert insights["changes"]["spend"]["change_pct"] == -20.0
    assert insights["headline"].startswith("Best campaign: Alpha (ROAS 4.00")
    assert "Leads up to 12 from 10 (+20.0%)." in insights["insights"]
    assert "ROI improved from 0.50 to 1.25." in insights["insights"]
    first = build_insights(WEEK, WeekTotals(1, 1, 0, 0, 0), None, [])
    assert first["changes"]["spend"]["previous_week"] is None
    assert "No previous week to compare with." in first["insights"]


def test_fill_weekly_insights_from_the_reports_and_mart(conn: psycopg.Connection) -> None:
    seed(conn, AS_OF)
    for week, leads, spend, roi in ((PREVIOUS, 8, 1500.0, 1.0), (WEEK, 10, 1820.0, 2.0)):
        conn.execute(
            "insert into public.autopilot_weekly_reports (user_id, week_start_date, week_end_date, "
            "total_leads_generated, total_spend, roi) values (%s, %s, %s, %s, %s, %s)",
            (USER_A, week, week + timedelta(days=6), leads, spend, roi),
        )
    result = fill_weekly_insights(conn)
    assert (result.reports, result.updated) == (2, 2)
    insights = conn.execute(
        "select ai_insights from public.autopilot_weekly_reports where week_start_date = %s", (WEEK,)
    ).fetchone()[0]
    # the week's ranking straight from the dataset: ROAS = revenue / spend of each campaign's daily figures
    spending = {k: c for k, c in BY_KEY.items() if c.recent[3] > 0}
    expected = sorted(spending, key=lambda k: -spending[k].recent[4] / spending[k].recent[3])
    assert insights["top_campaigns"][0]["name"] == expected[0] == "overspent"
    assert insights["top_campaigns"][0]["spend"] == 7 * BY_KEY["overspent"].recent[3]
    assert insights["bottom_campaigns"][0]["name"] in ("silent", "manual_silent")  # ROAS 0
    assert insights["changes"]["leads"]["change_pct"] == 25.0
    assert insights["changes"]["spend"]["change"] == pytest.approx(320.0)
    conversions = sum(7 * c.recent[2] for c in BY_KEY.values())
    assert insights["changes"]["conversions"]["this_week"] == conversions
    # unchanged figures: nothing rewritten
    assert fill_weekly_insights(conn).updated == 0
