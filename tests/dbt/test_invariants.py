"""Invariants of the funnel and attribution marts on the demo business (hundreds of leads)."""

from __future__ import annotations

import math

import psycopg
import pytest


@pytest.fixture(scope="module")
def demo(admin_url: str, demo_template: str):  # noqa: ANN201 - a connection
    from orchestration.database import drop_database
    from tests.dbt.databases import copy_database

    name, url = copy_database(admin_url, demo_template)
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn
    drop_database(admin_url, name)


def test_demo_data_exercises_the_funnel(demo: psycopg.Connection) -> None:
    counts = dict(demo.execute("select current_stage, count(*) from marts.dim_leads group by 1").fetchall())
    assert set(counts) == {"new", "contacted", "qualified", "converted", "lost"}
    assert (
        demo.execute("select count(*) from marts.dim_leads").fetchone()[0]
        == demo.execute("select count(*) from public.leads").fetchone()[0]
    )


def test_funnel_never_widens_and_rates_are_shares(demo: psycopg.Connection) -> None:
    rows = demo.execute(
        "select user_id, cohort_week, stage_rank, leads_in_cohort, leads_reached, conversion_from_previous, "
        "conversion_from_top, median_hours_to_reach, p90_hours_to_reach "
        "from marts.fct_lead_funnel order by 1, 2, 3"
    ).fetchall()
    assert rows
    previous = None
    for user, week, rank, cohort, reached, from_previous, from_top, median, p90 in rows:
        if rank == 1:
            assert reached == cohort and median == 0
        else:
            assert previous[:2] == (user, week) and reached <= previous[4]
            assert (
                from_previous is None
                if previous[4] == 0
                else math.isclose(from_previous, reached / previous[4])
            )
        assert math.isclose(from_top, reached / cohort)
        assert (median is None) == (reached == 0) and (reached == 0 or median <= p90)
        previous = (user, week, rank, cohort, reached)
    # the funnel adds up to the leads: every lead counted once at the top
    top = demo.execute("select sum(leads_reached) from marts.fct_lead_funnel where stage = 'new'").fetchone()[
        0
    ]
    assert top == demo.execute("select count(*) from public.leads").fetchone()[0]
    by_source = demo.execute(
        "select stage, sum(leads_reached) from marts.fct_lead_funnel_by_source group by 1 order by 1"
    ).fetchall()
    assert (
        by_source
        == demo.execute(
            "select stage, sum(leads_reached) from marts.fct_lead_funnel group by 1 order by 1"
        ).fetchall()
    )


def test_first_and_last_touch_are_the_earliest_and_latest_touch(demo: psycopg.Connection) -> None:
    # computed another way (distinct on, per lead): the earliest and the latest touch, ties by touch id
    def touches(direction: str) -> str:
        return (
            "select distinct on (lead_id) lead_id, campaign_id, channel, touched_at "
            "from intermediate.int_lead_campaign_touches "
            f"order by lead_id, touched_at {direction}, touch_id {direction}"
        )

    mismatches = demo.execute(
        f"""
        with first_touch as ({touches("asc")}), last_touch as ({touches("desc")})
        select count(*) filter (
                   where (d.first_touch_campaign_id, d.first_touch_channel, d.first_touch_at)
                       is distinct from (f.campaign_id, f.channel, f.touched_at)
                       or (d.last_touch_campaign_id, d.last_touch_channel, d.last_touch_at)
                       is distinct from (l.campaign_id, l.channel, l.touched_at)
               ),
               count(*) filter (where f.campaign_id <> l.campaign_id)
        from marts.dim_leads as d
        left join first_touch as f using (lead_id)
        left join last_touch as l using (lead_id)
        """
    ).fetchone()
    assert mismatches[0] == 0
    assert mismatches[1] > 10  # enough leads whose first and last touch differ to tell them apart


@pytest.mark.parametrize(
    "model", ["first_touch_credit", "last_touch_credit", "linear_credit", "time_decay_credit"]
)
def test_each_attribution_model_credits_sum_to_the_conversions(demo: psycopg.Connection, model: str) -> None:
    conversions = demo.execute("select count(*) from public.leads where status = 'converted'").fetchone()[0]
    assert conversions > 10
    per_lead = demo.execute(f"select lead_id, sum({model}) from marts.fct_attribution group by 1").fetchall()
    assert len(per_lead) == conversions
    assert all(math.isclose(total, 1, abs_tol=1e-12) for _, total in per_lead)
    by_channel = demo.execute(
        f"select channel, sum({model}) from marts.fct_attribution group by 1"
    ).fetchall()
    assert math.isclose(sum(total for _, total in by_channel), conversions, abs_tol=1e-9)


def test_attribution_only_credits_touches_before_the_conversion(demo: psycopg.Connection) -> None:
    late = demo.execute(
        """
        select count(*)
        from marts.fct_attribution as a
        where a.campaign_id is not null and not exists (
            select 1 from intermediate.int_lead_campaign_touches as t
            where t.lead_id = a.lead_id and t.campaign_id = a.campaign_id and t.touched_at <= a.converted_at
        )
        """
    ).fetchone()[0]
    assert late == 0
