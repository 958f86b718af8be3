"""The marts' figures on the hand-made dataset equal the ones computed independently in `handmade`."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import psycopg
import pytest

from tests.dbt import expected as E
from tests.dbt import handmade as H
from tests.dbt.databases import dbt


def _rows(conn: psycopg.Connection, query: str, *params: object) -> list[dict]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        return cur.execute(query, params).fetchall()


def _close(actual: object, expected: object, tol: float = 1e-9) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return math.isclose(float(actual), float(expected), rel_tol=tol, abs_tol=tol)


def test_campaign_performance_daily(wh: psycopg.Connection) -> None:
    expected = E.expected_daily()
    rows = _rows(wh, "select * from marts.fct_campaign_performance_daily")
    assert {(str(r["campaign_id"]), r["metric_date"]) for r in rows} == set(expected)
    for row in rows:
        exp = expected[(str(row["campaign_id"]), row["metric_date"])]
        to_date = (
            "impressions_to_date",
            "clicks_to_date",
            "conversions_to_date",
            "revenue_to_date",
            "days_to_date",
        )
        for column in (*H.METRICS, "cumulative_spend", *to_date, "total_budget"):
            assert row[column] == exp[column], (column, row)
        for column in ("ctr", "cvr", "cpc", "cpa", "roas"):
            assert _close(row[column], exp[column]), (column, row)
        assert row["is_over_budget"] == exp["is_over_budget"]
        assert str(row["user_id"]) == exp["user_id"] and row["channel"] == exp["channel"]
        assert row["budget_remaining"] == exp["total_budget"] - exp["cumulative_spend"]
    # the cases the dataset was built for: ratios without a denominator are null, not errors
    no_impressions = expected[(H.C["a_search"].id, H.DAYS[3])]
    assert no_impressions["ctr"] is None
    assert any(r["roas"] is None for r in rows) and any(r["cvr"] is None for r in rows)
    assert any(r["is_over_budget"] for r in rows) and not all(r["is_over_budget"] for r in rows)
    # a split spend row is summed, an unknown metric type does not leak into any column
    split = next(
        r for r in rows if str(r["campaign_id"]) == H.C["a_search"].id and r["metric_date"] == H.DAYS[2]
    )
    assert split["spend"] == Decimal("42.25")


def test_channel_performance_weekly(wh: psycopg.Connection) -> None:
    expected = E.expected_channel_weekly()
    rows = _rows(wh, "select * from marts.fct_channel_performance_weekly")
    assert {(str(r["user_id"]), r["channel"], r["week_start"]) for r in rows} == set(expected)
    for row in rows:
        exp = expected[(str(row["user_id"]), row["channel"], row["week_start"])]
        for metric in ("impressions", "clicks", "conversions", "spend", "revenue"):
            assert row[metric] == exp[metric], (metric, row)
        assert _close(row["roi"], E.ratio(exp["revenue"] - exp["spend"], exp["spend"]))
        assert (
            row["iso_week"]
            == f"{row['week_start'].isocalendar()[0]}-W{row['week_start'].isocalendar()[1]:02d}"
        )


def test_dim_campaigns_lifetime_totals(wh: psycopg.Connection) -> None:
    daily = E.expected_daily()
    rows = {str(r["campaign_id"]): r for r in _rows(wh, "select * from marts.dim_campaigns")}
    assert set(rows) == {c.id for c in H.CAMPAIGNS}
    for c in H.CAMPAIGNS:
        spend = sum((v["spend"] for (cid, _), v in daily.items() if cid == c.id), Decimal(0))
        assert rows[c.id]["spend"] == spend
        assert rows[c.id]["days_with_metrics"] == sum(1 for cid, _ in daily if cid == c.id)
        clicks = sum((v["clicks"] for (cid, _), v in daily.items() if cid == c.id), Decimal(0))
        assert rows[c.id]["clicks"] == clicks
    assert (
        rows[H.C["a_draft"].id]["budget_used_ratio"] == 0
        and rows[H.C["a_draft"].id]["first_metric_date"] is None
    )


def test_lead_funnel(wh: psycopg.Connection) -> None:
    expected = E.expected_funnel()
    rows = _rows(wh, "select * from marts.fct_lead_funnel")
    assert {(str(r["user_id"]), r["cohort_week"], r["stage"]) for r in rows} == set(expected)
    for row in rows:
        exp = expected[(str(row["user_id"]), row["cohort_week"], row["stage"])]
        assert row["leads_in_cohort"] == exp["leads_in_cohort"]
        assert row["leads_reached"] == exp["leads_reached"], row
        assert _close(row["conversion_from_previous"], exp["conversion_from_previous"]), row
        assert _close(row["conversion_from_top"], exp["conversion_from_top"]), row
        assert _close(row["median_hours_to_reach"], exp["median"]), row
        assert _close(row["p90_hours_to_reach"], exp["p90"]), row
    by_source = _rows(
        wh,
        "select stage, sum(leads_reached) as reached, max(leads_in_cohort) as biggest "
        "from marts.fct_lead_funnel_by_source where user_id = %s and cohort_week = %s group by stage",
        H.USER_A,
        H.W0,
    )
    totals = {r["stage"]: r["reached"] for r in by_source}
    assert totals == {s: expected[(H.USER_A, H.W0, s)]["leads_reached"] for s in H.FUNNEL}
    assert max(r["biggest"] for r in by_source) == 3  # website: l1, l4 and l5 in A's first cohort


def test_dim_leads(wh: psycopg.Connection) -> None:
    rows = {str(r["lead_id"]): r for r in _rows(wh, "select * from marts.dim_leads")}
    leads = {lead.id: lead for lead in H.leads()}
    assert set(rows) == set(leads)
    l1, l2, l5 = rows[leads_id("l1")], rows[leads_id("l2")], rows[leads_id("l5")]
    assert (l1["current_stage"], l1["furthest_stage"], l1["touches"]) == ("converted", "converted", 3)
    assert str(l1["first_touch_campaign_id"]) == H.C["a_search"].id and l1["first_touch_at"].hour == 9
    assert str(l1["last_touch_campaign_id"]) == H.C["a_search"].id and l1["last_touch_at"].hour == 16
    assert (l2["current_stage"], l2["furthest_stage"]) == ("lost", "contacted") and l2["lost_at"] is not None
    assert (
        l5["furthest_stage"] == "qualified"
        and l5["contacted_at"] == l5["qualified_at"] == leads[leads_id("l5")].updated
    )
    assert rows[leads_id("l3")]["touches"] == 0 and rows[leads_id("l3")]["first_touch_campaign_id"] is None


def leads_id(key: str) -> str:
    return H.uid(f"lead-{key}")


def test_attribution_credits(wh: psycopg.Connection) -> None:
    expected = E.expected_attribution()
    rows = _rows(wh, "select * from marts.fct_attribution")
    got = {(str(r["lead_id"]), str(r["campaign_id"]) if r["campaign_id"] else None): r for r in rows}
    assert set(got) == set(expected)
    for key, exp in expected.items():
        row = got[key]
        assert _close(row["first_touch_credit"], exp["first"]) and _close(
            row["last_touch_credit"], exp["last"]
        )
        assert _close(row["linear_credit"], exp["linear"]) and _close(
            row["time_decay_credit"], exp["decay"], 1e-12
        )
    # l1: touched by search (Monday) and e-mail (Thursday) before converting on Friday; the later touch wins
    # more time-decay credit; its Friday-evening touch came after the conversion and earns nothing
    search, email = got[(leads_id("l1"), H.C["a_search"].id)], got[(leads_id("l1"), H.C["a_email"].id)]
    assert search["first_touch_credit"] == 1 and email["last_touch_credit"] == 1
    assert email["time_decay_credit"] > search["time_decay_credit"] and search["touches"] == 1
    assert got[(leads_id("l3"), None)]["channel"] == "unattributed"


@pytest.mark.parametrize(
    "column", ["first_touch_credit", "last_touch_credit", "linear_credit", "time_decay_credit"]
)
def test_each_attribution_model_credits_sum_to_the_conversions(wh: psycopg.Connection, column: str) -> None:
    conversions = sum(1 for lead in H.leads() if lead.status == "converted")
    total = wh.execute(f"select sum({column}) from marts.fct_attribution").fetchone()[0]
    assert _close(total, conversions)


def test_autopilot_weekly(wh: psycopg.Connection) -> None:
    expected = E.expected_autopilot_weekly()
    rows = _rows(wh, "select * from marts.fct_autopilot_weekly")
    assert {(str(r["user_id"]), r["week_start"]) for r in rows} == set(expected)
    for row in rows:
        exp = expected[(str(row["user_id"]), row["week_start"])]
        for column in ("leads_generated", "leads_converted", "spend", "revenue", "roi", "top_channel"):
            assert row[column] == exp[column], (column, row, exp)
        assert (str(row["autopilot_config_id"]) if row["autopilot_config_id"] else None) == exp[
            "autopilot_config_id"
        ]
        assert (
            row["summary"].startswith(f"Week {row['iso_week']}:")
            and str(row["leads_generated"]) in row["summary"]
        )


def test_email_performance(wh: psycopg.Connection) -> None:
    daily = E.expected_daily()
    rows = {str(r["email_campaign_id"]): r for r in _rows(wh, "select * from marts.fct_email_performance")}
    assert set(rows) == {*H.EMAIL_SENDS.values(), H.DRAFT_SEND}
    for day, send in H.EMAIL_SENDS.items():
        row, exp = rows[send], daily[(H.C["a_email"].id, H.DAYS[day])]
        assert str(row["campaign_id"]) == H.C["a_email"].id and row["send_date"] == H.DAYS[day]
        assert (row["delivered"], row["opens"], row["clicks"]) == (
            exp["impressions"], exp["email_opens"], exp["email_clicks"]
        )  # fmt: skip
        assert _close(row["click_to_open_rate"], exp["email_clicks"] / exp["email_opens"])
    assert rows[H.DRAFT_SEND]["campaign_id"] is None and rows[H.DRAFT_SEND]["open_rate"] is None


def test_content_engagement(wh: psycopg.Connection) -> None:
    rows = {
        (r["platform"], r["engagement_type"], r["post_date"]): r
        for r in _rows(wh, "select * from marts.fct_content_engagement")
    }
    d2, d3 = H.DAYS[2], H.DAYS[3]
    assert {k: (r["posts"], r["engagements"]) for k, r in rows.items()} == {
        ("linkedin", "like", d2): (1, 15),  # p1's later count (15) replaces its first (10)
        ("linkedin", "comment", d2): (1, 3),
        ("linkedin", "like", d3): (1, 5),
        ("instagram", "share", d2): (1, 2),
    }
    assert _close(rows[("linkedin", "like", d2)]["share_of_platform_engagements"], 15 / 18)


def test_marts_carry_column_descriptions(wh: psycopg.Connection) -> None:
    # persist_docs: BI tools show the YAML descriptions
    missing = wh.execute(
        """
        select c.table_name, c.column_name
        from information_schema.columns as c
        join pg_class as t on t.relname = c.table_name
        join pg_namespace as n on n.oid = t.relnamespace and n.nspname = c.table_schema
        where c.table_schema = 'marts' and col_description(t.oid, c.ordinal_position) is null
        """
    ).fetchall()
    assert missing == []
    assert wh.execute("select obj_description('marts.fct_attribution'::regclass)").fetchone()[0]


def test_dbt_docs_generate(handmade_url: str, tmp_path) -> None:  # noqa: ANN001
    dbt(handmade_url, tmp_path, "docs", "generate")
    catalog = json.loads((tmp_path / "catalog.json").read_text())
    node = catalog["nodes"]["model.aip_warehouse.fct_autopilot_weekly"]
    assert node["metadata"]["schema"] == "marts" and node["columns"]["roi"]["comment"].startswith(
        "(revenue - spend)"
    )
    assert (tmp_path / "index.html").exists()
