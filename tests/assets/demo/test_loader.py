"""Loading into a real database: determinism, integrity, refusal, atomic tables, appends."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from assets.demo import generator
from assets.demo.generator import DemoData, TableLoad, Window
from assets.demo.loader import DemoDataError, append, current_state, load
from tests.assets.demo.conftest import SPEC, count, demo_tables, dump

LONG = ("public.campaign_metrics", "public.leads", "public.lead_activities")


def test_two_loads_with_one_seed_are_identical(loaded_url: str, other_db_url: str) -> None:
    load(other_db_url, SPEC)
    tables = demo_tables()
    first, second = dump(loaded_url, tables), dump(other_db_url, tables)
    assert all(first[t] for t in tables), [t for t in tables if not first[t]]
    for table in tables:
        assert first[table] == second[table], table


def test_second_load_is_refused_and_replace_reloads_the_same_data(loaded_url: str) -> None:
    before = dump(loaded_url, demo_tables())
    with pytest.raises(DemoDataError, match="already loaded.*--replace.*--append-days"):
        load(loaded_url, SPEC)
    assert dump(loaded_url, demo_tables()) == before  # the refusal touched nothing
    report = load(loaded_url, SPEC, replace=True)
    assert report.mode == "replace"
    assert dump(loaded_url, demo_tables()) == before


def test_a_failing_table_is_rolled_back_whole(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    original = generator.DemoData.tables

    def tables_with_a_bad_row(self: DemoData) -> list[TableLoad]:
        plan = original(self)
        i = next(n for n, t in enumerate(plan) if t.table == "public.campaign_metrics")
        good = plan[i]

        def batches() -> Iterator[tuple[bytes, int]]:
            yield from good.batches()
            yield b"not-a-uuid\t\\N\tclicks\t1\t2025-01-01\t{}\t\\N\n", 1

        plan[i] = TableLoad(good.table, good.columns, batches, long=True, bulk=True)
        return plan

    monkeypatch.setattr(generator.DemoData, "tables", tables_with_a_bad_row)
    with pytest.raises(DemoDataError, match="campaign_metrics failed and was rolled back.*--replace"):
        load(db_url, SPEC)
    expected = {
        t.table: sum(n for _, n in t.batches()) for t in original(DemoData(SPEC, Window.initial(SPEC)))
    }
    with psycopg.connect(db_url) as conn:
        assert count(conn, "public.campaign_metrics") == 0
        for table in ("auth.users", "public.user_preferences", "public.campaigns"):
            assert count(conn, table) == expected[table] > 0  # loaded before the failure: complete
        assert count(conn, "public.leads") == 0  # never started


def test_referential_integrity_including_logical_references(loaded_url: str) -> None:
    checks = {
        "privacy settings of unknown users": "select count(*) from public.user_privacy_settings p "
        "where not exists (select 1 from auth.users u where u.id = p.user_id)",
        "requests of unknown users": "select count(*) from (select user_id from public.data_export_requests union all "
        "select user_id from public.data_deletion_requests) r where not exists (select 1 from auth.users u where u.id = r.user_id)",
        "touches of unknown or foreign campaigns": "select count(*) from public.lead_activities a "
        "join public.leads l on l.id = a.lead_id where a.activity_data ? 'campaign_id' and not exists "
        "(select 1 from public.campaigns c where c.id = (a.activity_data ->> 'campaign_id')::uuid "
        "and c.created_by = l.created_by and c.channel = a.activity_data ->> 'channel')",
        "activities recorded by another user": "select count(*) from public.lead_activities a "
        "join public.leads l on l.id = a.lead_id where a.created_by is distinct from l.created_by",
        "e-mail sends of unknown campaigns": "select count(*) from public.email_campaigns e "
        "where not exists (select 1 from public.campaigns c where c.id = (e.metadata ->> 'campaign_id')::uuid)",
        "metrics pointing at unknown sends": "select count(*) from public.campaign_metrics m where "
        "m.additional_data ? 'email_campaign_id' and not exists (select 1 from public.email_campaigns e "
        "where e.id = (m.additional_data ->> 'email_campaign_id')::uuid)",
        "inbox entries of another user's leads": "select count(*) from public.autopilot_lead_inbox i "
        "join public.leads l on l.id = i.lead_id where l.created_by <> i.user_id",
    }
    with psycopg.connect(loaded_url) as conn:
        for name, query in checks.items():
            assert conn.execute(query).fetchone()[0] == 0, name


def test_campaigns_cover_every_type_and_status_with_consistent_budgets(loaded_url: str) -> None:
    with psycopg.connect(loaded_url) as conn:
        per_user = conn.execute(
            "select count(distinct type), count(distinct status) from public.campaigns group by created_by"
        ).fetchall()
        assert len(per_user) == SPEC.users and all(r == (6, 4) for r in per_user)
        outside = conn.execute(
            "select count(*) from public.campaign_metrics m join public.campaigns c on c.id = m.campaign_id "
            "where m.metric_date < (c.start_date at time zone 'utc')::date "
            "or m.metric_date > (c.end_date at time zone 'utc')::date or c.status = 'draft'"
        ).fetchone()[0]
        assert outside == 0
        # cumulative spend, day by day, never above the budget; budget_spent is what the metrics add up to
        over = conn.execute(
            "select count(*) from (select c.total_budget, sum(m.metric_value) over (partition by c.id "
            "order by m.metric_date) as running from public.campaign_metrics m join public.campaigns c "
            "on c.id = m.campaign_id where m.metric_type = 'spend') s where running > total_budget"
        ).fetchone()[0]
        assert over == 0
        mismatched = conn.execute(
            "select count(*) from public.campaigns c where budget_spent <> coalesce((select sum(metric_value) "
            "from public.campaign_metrics m where m.campaign_id = c.id and m.metric_type = 'spend'), 0)"
        ).fetchone()[0]
        assert mismatched == 0
        capped = conn.execute(
            "select count(*) from public.campaigns where budget_spent = total_budget and total_budget > 0"
        ).fetchone()[0]
        assert capped > 0, "some campaigns run out of budget, so the cap is exercised"
        kinds = conn.execute(
            "select c.channel = 'email', array_agg(distinct m.metric_type order by m.metric_type) "
            "from public.campaign_metrics m join public.campaigns c on c.id = m.campaign_id group by 1"
        ).fetchall()
        assert dict(kinds)[False] == ["clicks", "conversions", "impressions", "revenue", "spend"]
        assert len(dict(kinds)[True]) == 8
        ratios = conn.execute(
            "select count(*) from (select campaign_id, metric_date, sum(metric_value) filter (where metric_type "
            "= 'clicks') c, sum(metric_value) filter (where metric_type = 'impressions') i, sum(metric_value) "
            "filter (where metric_type = 'conversions') v from public.campaign_metrics group by 1, 2) d "
            "where c > i or v > c"
        ).fetchone()[0]
        assert ratios == 0


def test_funnel_status_changes_follow_the_activities_that_explain_them(loaded_url: str) -> None:
    with psycopg.connect(loaded_url) as conn:
        statuses = dict(conn.execute("select status, count(*) from public.leads group by 1").fetchall())
        assert set(statuses) == {"new", "contacted", "qualified", "converted", "lost"}
        assert (
            conn.execute(
                "select count(*) from public.leads l where not exists (select 1 from public.lead_activities a "
                "where a.lead_id = l.id and (a.activity_data ->> 'touch')::boolean "
                "and a.activity_data ? 'campaign_id' and a.activity_data ? 'channel')"
            ).fetchone()[0]
            == 0
        ), "every lead is touched by a campaign"
        assert (
            conn.execute(
                "select count(*) from public.leads l where l.status <> 'new' and not exists "
                "(select 1 from public.lead_activities a where a.lead_id = l.id "
                "and a.activity_data ->> 'status_to' = l.status and a.occurred_at < l.updated_at)"
            ).fetchone()[0]
            == 0
        ), "the current status is explained by an earlier activity"
        assert (
            conn.execute(
                "select count(*) from public.lead_activities a join public.leads l on l.id = a.lead_id "
                "where a.activity_data ? 'status_to' and a.occurred_at >= l.updated_at"
            ).fetchone()[0]
            == 0
        ), "no activity explains a change the lead has not made yet"
        order = {"new": 0, "contacted": 1, "qualified": 2, "converted": 3, "lost": 3}
        rows = conn.execute(
            "select a.lead_id, a.activity_data ->> 'status_from', a.activity_data ->> 'status_to', a.occurred_at "
            "from public.lead_activities a where a.activity_data ? 'status_to' order by a.lead_id, a.occurred_at"
        ).fetchall()
        previous: dict = {}
        for lead, before, after, _ in rows:
            assert order[after] > order[before]
            assert previous.get(lead, "new") == before, "changes chain new -> contacted -> qualified -> end"
            previous[lead] = after
        types = {r[0] for r in conn.execute("select distinct activity_type from public.lead_activities")}
        assert types == {"form_filled", "email_opened", "email_clicked", "call_scheduled"}
        created_after_form = conn.execute(
            "select count(*) from public.leads l where l.created_at < (select min(occurred_at) "
            "from public.lead_activities a where a.lead_id = l.id)"
        ).fetchone()[0]
        assert created_after_form == 0, "a lead is created by the form it filled"


def test_the_rest_of_the_business_is_there(loaded_url: str) -> None:
    with psycopg.connect(loaded_url) as conn:
        assert conn.execute("select count(*) from public.ai_video_stats").fetchone()[0] == SPEC.users
        assert (
            conn.execute(
                "select count(*) from public.data_export_requests where status = 'pending'"
            ).fetchone()[0]
            >= 1
        )
        assert (
            conn.execute(
                "select count(*) from public.data_deletion_requests where status = 'pending'"
            ).fetchone()[0]
            >= 1
        )
        assert (
            conn.execute("select count(distinct user_id) from public.marketing_autopilot_config").fetchone()[
                0
            ]
            >= 1
        )
        assert conn.execute("select count(*) from public.campaigns where auto_managed").fetchone()[0] >= 1
        messages = conn.execute(
            "select role, count(*) from public.conversation_messages where embedding is null group by 1"
        ).fetchall()
        assert dict(messages)["user"] == dict(messages)["assistant"] > 0
        buckets = conn.execute(
            "select bucket_type, count(*), count(campaign_id) from public.knowledge_buckets group by 1"
        ).fetchall()
        assert sorted(buckets) == [("campaign", SPEC.users, SPEC.users), ("general", SPEC.users, 0)]
        docs = conn.execute(
            "select status, file_type, upload_path, content, metadata ->> 'mime_type' "
            "from public.knowledge_documents"
        ).fetchall()
        assert docs and all(d[0] == "processing" and d[3] == "" for d in docs)
        assert all(d[2].startswith("assets/knowledge/corpus/") and d[2].endswith("." + d[1]) for d in docs)
        assert all(d[4] for d in docs)
        emails = [r[0] for r in conn.execute("select email from auth.users")]
        assert all(e.split("@")[1].startswith("demo.") for e in emails)


def test_append_only_adds_later_days_and_moves_leads_on(loaded_url: str, other_db_url: str) -> None:
    tables = demo_tables()
    before = dump(loaded_url, tables)
    report = append(loaded_url, 10)
    assert report.window.since == SPEC.as_of_day and report.window.through == SPEC.as_of_day + 10
    after = dump(loaded_url, tables)
    for table in ("public.campaign_metrics", "public.lead_activities", "public.social_engagement"):
        old_rows, new_rows = set(before[table].splitlines()), set(after[table].splitlines())
        assert old_rows < new_rows, f"{table}: every earlier row is kept unchanged"
    with psycopg.connect(loaded_url) as conn:
        as_of = SPEC.as_of
        assert (
            conn.execute(
                "select min(metric_date) from public.campaign_metrics where id::text not in "
                "(select unnest(%s::text[]))",
                ([r.split(b"\t")[0].decode() for r in before["public.campaign_metrics"].splitlines()],),
            ).fetchone()[0]
            > as_of
        )
        assert (
            conn.execute(
                "select count(*) from public.campaign_metrics where metric_date > %s", (as_of,)
            ).fetchone()[0]
            > 0
        )
        moved = conn.execute(
            "select count(*) from public.leads where (created_at at time zone 'utc')::date <= %s "
            "and (updated_at at time zone 'utc')::date > %s",
            (as_of, as_of),
        ).fetchone()[0]
        assert moved > 0, "existing leads changed status after the first load"
        state = current_state(conn)
        assert state is not None and state.through.isoformat() == "2025-04-10"
    test_funnel_status_changes_follow_the_activities_that_explain_them(loaded_url)
    test_campaigns_cover_every_type_and_status_with_consistent_budgets(loaded_url)
    # the same load and append elsewhere gives the same database
    load(other_db_url, SPEC)
    append(other_db_url, 10)
    assert dump(other_db_url, tables) == after


def test_append_without_demo_data_says_what_to_do(db_url: str) -> None:
    with pytest.raises(DemoDataError, match="load it first"):
        append(db_url, 3)


def test_missing_schema_is_reported(empty_db_url: str) -> None:
    with pytest.raises(DemoDataError, match="apply the migrations"):
        load(empty_db_url, SPEC)


def _schema(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "select conrelid::regclass::text, conname, pg_get_constraintdef(oid) from pg_constraint "
        "where connamespace in ('public'::regnamespace, 'auth'::regnamespace) "
        "union all select tablename, indexname, indexdef from pg_indexes where schemaname in ('public', 'auth') "
        "order by 1, 2, 3"
    ).fetchall()


def test_fast_path_keeps_the_schema_and_still_checks_foreign_keys(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Empty tables are filled with foreign keys and indexes set aside; they come back, and are enforced."""
    with psycopg.connect(db_url) as conn:
        before = _schema(conn)
    original = generator.DemoData.tables

    def with_an_orphan(self: DemoData) -> list[TableLoad]:
        plan = original(self)
        i = next(n for n, t in enumerate(plan) if t.table == "public.campaign_metrics")
        good = plan[i]
        orphan = b"0190b2c4-0000-7000-8000-000000000001\t0190b2c4-0000-7000-8000-0000000000ff\tclicks\t1\t2025-03-01\t{}\t\\N\n"

        def batches() -> Iterator[tuple[bytes, int]]:
            yield from good.batches()
            yield orphan, 1

        plan[i] = TableLoad(good.table, good.columns, batches, long=True, bulk=True)
        return plan

    monkeypatch.setattr(generator.DemoData, "tables", with_an_orphan)
    with pytest.raises(DemoDataError, match="campaign_metrics.*foreign key"):
        load(db_url, SPEC)
    monkeypatch.undo()
    with psycopg.connect(db_url) as conn:
        assert count(conn, "public.campaign_metrics") == 0
        assert _schema(conn) == before
    load(db_url, SPEC, replace=True)
    with psycopg.connect(db_url) as conn:
        assert count(conn, "public.campaign_metrics") > 0
        assert _schema(conn) == before


def test_replace_leaves_other_users_alone(loaded_url: str) -> None:
    """--replace deletes demo rows only: a real account's campaign, metric and lead survive it."""
    before = dump(loaded_url, demo_tables())
    with psycopg.connect(loaded_url, autocommit=True) as conn:
        user = conn.execute(
            "insert into auth.users (id, email) values (gen_random_uuid(), 'owner@example.com') returning id"
        ).fetchone()[0]
        campaign = conn.execute(
            "insert into public.campaigns (created_by, name, type, status) values (%s, 'Real one', 'email', 'active') "
            "returning id",
            (user,),
        ).fetchone()[0]
        conn.execute(
            "insert into public.campaign_metrics (campaign_id, metric_type, metric_value, metric_date) "
            "values (%s, 'clicks', 3, '2025-03-01')",
            (campaign,),
        )
        conn.execute(
            "insert into public.leads (created_by, email, source) values (%s, 'a@example.com', 'website')",
            (user,),
        )
    load(loaded_url, SPEC, replace=True)
    with psycopg.connect(loaded_url) as conn:
        assert (
            conn.execute("select count(*) from public.campaigns where created_by = %s", (user,)).fetchone()[0]
            == 1
        )
        assert conn.execute("select count(*) from public.campaign_metrics where campaign_id = %s",
                            (campaign,)).fetchone()[0] == 1  # fmt: skip
        assert (
            conn.execute("select count(*) from public.leads where created_by = %s", (user,)).fetchone()[0]
            == 1
        )
        demo_leads = conn.execute(
            "select count(*) from public.leads where created_by <> %s", (user,)
        ).fetchone()[0]
    assert demo_leads == before["public.leads"].count(b"\n")
