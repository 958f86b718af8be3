"""Behaviour of the schema's functions (search: test_search_knowledge.py; triggers: test_triggers.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import psycopg
import pytest
from psycopg import errors
from psycopg.types.json import Jsonb

from .rows import acting_as, insert, new_user


def test_log_autopilot_activity_returns_the_id_of_the_row_it_inserted(conn: psycopg.Connection) -> None:
    user = new_user(conn)
    config = insert(conn, "marketing_autopilot_config", user_id=user)
    entity = insert(conn, "campaigns", created_by=user)
    activity = conn.execute(
        "select public.log_autopilot_activity(%s, %s, 'campaign_created', 'Created a campaign', 'campaign', %s, %s)",
        (user, config, entity, Jsonb({"budget": 500})),
    ).fetchone()[0]
    row = conn.execute(
        "select user_id, autopilot_config_id, activity_type, activity_description, entity_type, entity_id, metadata "
        "from public.autopilot_activity_log where id = %s",
        (activity,),
    ).fetchone()
    assert row == (
        user,
        config,
        "campaign_created",
        "Created a campaign",
        "campaign",
        entity,
        {"budget": 500},
    )
    # the optional arguments default to null (metadata to the column's '{}')
    other = conn.execute("select public.log_autopilot_activity(%s, %s, 'x', 'y')", (user, config)).fetchone()[
        0
    ]
    assert other != activity
    assert conn.execute(
        "select entity_type, entity_id, metadata from public.autopilot_activity_log where id = %s", (other,)
    ).fetchone() == (None, None, {})


def test_log_autopilot_activity_only_for_oneself_when_signed_in(conn: psycopg.Connection) -> None:
    alice, bob = new_user(conn), new_user(conn)
    with acting_as(conn, "authenticated", alice):
        assert conn.execute("select public.log_autopilot_activity(%s, null, 'x', 'y')", (alice,)).fetchone()[
            0
        ]
    with acting_as(conn, "authenticated", alice), pytest.raises(errors.InsufficientPrivilege):
        conn.execute("select public.log_autopilot_activity(%s, null, 'x', 'y')", (bob,))


def test_dashboard_stats_count_this_weeks_figures_of_that_user_only(conn: psycopg.Connection) -> None:
    alice, bob = new_user(conn), new_user(conn)
    with conn.transaction():  # one transaction: now() and the function's week agree
        week_start = conn.execute("select date_trunc('week', now() at time zone 'utc')::date").fetchone()[0]
        monday = dt.datetime.combine(week_start, dt.time(), dt.UTC)
        for received in (monday, monday + dt.timedelta(hours=30), monday - dt.timedelta(seconds=1)):
            insert(conn, "autopilot_lead_inbox", user_id=alice, received_at=received)
        for received in (monday, monday):
            insert(conn, "autopilot_lead_inbox", user_id=bob, received_at=received)
        report = {"week_end_date": week_start + dt.timedelta(days=6)}
        insert(
            conn,
            "autopilot_weekly_reports",
            user_id=alice,
            week_start_date=week_start,
            total_spend=120.5,
            roi=2.5,
            **report,
        )
        insert(
            conn,
            "autopilot_weekly_reports",
            user_id=alice,
            week_start_date=week_start - dt.timedelta(days=7),
            total_spend=999,
            roi=9,
            week_end_date=week_start - dt.timedelta(days=1),
        )
        insert(
            conn,
            "autopilot_weekly_reports",
            user_id=bob,
            week_start_date=week_start,
            total_spend=50,
            roi=1,
            **report,
        )
        stats = conn.execute("select public.get_autopilot_dashboard_stats(%s)", (alice,)).fetchone()[0]
        empty = conn.execute("select public.get_autopilot_dashboard_stats(%s)", (new_user(conn),)).fetchone()[
            0
        ]
    assert stats == {
        "this_week_leads": 2,
        "this_week_spend": Decimal("120.5"),
        "this_week_roi": Decimal("2.5"),
        "total_leads": 3,
        "week_start": week_start.isoformat(),
    }
    assert empty == {
        "this_week_leads": 0,
        "this_week_spend": 0,
        "this_week_roi": 0,
        "total_leads": 0,
        "week_start": week_start.isoformat(),
    }


def test_dashboard_stats_refuse_another_users_dashboard_and_a_null_user(conn: psycopg.Connection) -> None:
    alice, bob = new_user(conn), new_user(conn)
    with acting_as(conn, "authenticated", alice):
        assert (
            conn.execute("select public.get_autopilot_dashboard_stats(%s)", (alice,)).fetchone()[0][
                "total_leads"
            ]
            == 0
        )
    with acting_as(conn, "authenticated", alice), pytest.raises(errors.InsufficientPrivilege):
        conn.execute("select public.get_autopilot_dashboard_stats(%s)", (bob,))
    with pytest.raises(errors.NullValueNotAllowed, match="p_user_id is null"):
        conn.execute("select public.get_autopilot_dashboard_stats(null)")


def test_cleanup_deletes_only_expired_oauth_states(conn: psycopg.Connection) -> None:
    expired = insert(conn, "oauth_states", expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    current = insert(conn, "oauth_states")  # default: ten minutes from now
    never = insert(conn, "oauth_states", expires_at=None)
    conn.execute("select public.cleanup_expired_oauth_states()")
    left = {r[0] for r in conn.execute("select id from public.oauth_states").fetchall()}
    assert expired not in left
    assert {current, never} <= left


def test_cleanup_run_by_a_user_only_touches_their_own_states(conn: psycopg.Connection) -> None:
    alice, bob = new_user(conn), new_user(conn)
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    mine = insert(conn, "oauth_states", user_id=alice, expires_at=long_ago)
    theirs = insert(conn, "oauth_states", user_id=bob, expires_at=long_ago)
    with conn.transaction():
        conn.execute("set local role authenticated")
        conn.execute("select set_config('request.jwt.claims', %s, true)", (f'{{"sub": "{alice}"}}',))
        conn.execute("select public.cleanup_expired_oauth_states()")
    left = {r[0] for r in conn.execute("select id from public.oauth_states").fetchall()}
    assert mine not in left and theirs in left


def test_get_default_model_prefers_the_flagged_active_model(conn: psycopg.Connection) -> None:
    conn.execute("delete from public.ai_model_configs where provider = 'mistral'")
    old = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    model = {"provider": "mistral", "model_type": "fast", "capabilities": Jsonb({"tools": True})}
    insert(conn, "ai_model_configs", model_name="m-old", discovered_at=old, context_window=8000, **model)
    insert(conn, "ai_model_configs", model_name="m-new", discovered_at=old + dt.timedelta(days=30), **model)
    insert(conn, "ai_model_configs", model_name="m-off", is_default=True, is_active=False, **model)
    query = "select * from public.get_default_model('mistral', 'fast')"
    # nothing flagged (the flagged one is inactive): the most recently discovered active model
    assert conn.execute(query).fetchall() == [("m-new", {"tools": True}, {}, None)]
    conn.execute("update public.ai_model_configs set is_default = true where model_name = 'm-old'")
    assert conn.execute(query).fetchall() == [("m-old", {"tools": True}, {}, 8000)]
    # p_type defaults to flagship; no active mistral flagship left
    assert conn.execute("select * from public.get_default_model('mistral')").fetchall() == []


def test_catalog_seed_gives_every_provider_a_default_flagship_and_fast_model(
    conn: psycopg.Connection,
) -> None:
    for provider in ("openai", "anthropic", "google", "mistral"):
        for tier in ("flagship", "fast"):
            rows = conn.execute(
                "select model_name from public.get_default_model(%s, %s)", (provider, tier)
            ).fetchall()
            assert len(rows) == 1, (provider, tier)
    assert conn.execute("select model_name from public.get_default_model('openai')").fetchone() == ("gpt-5",)


def _demo_counts(conn: psycopg.Connection, user: object) -> tuple[int, int, int, int]:
    return conn.execute(
        "select (select count(*) from public.campaigns where created_by = %(u)s),"
        " (select count(*) from public.leads where created_by = %(u)s),"
        " (select count(*) from public.lead_activities a join public.leads l on l.id = a.lead_id"
        "   where l.created_by = %(u)s and a.created_by = %(u)s),"
        " (select count(*) from public.campaign_metrics m join public.campaigns c on c.id = m.campaign_id"
        "   where c.created_by = %(u)s)",
        {"u": user},
    ).fetchone()


def test_seed_demo_data_for_a_given_user_once(conn: psycopg.Connection) -> None:
    user, bystander = new_user(conn), new_user(conn)
    conn.execute("select public.seed_demo_data(%s)", (user,))
    assert _demo_counts(conn, user) == (3, 5, 10, 84)
    assert _demo_counts(conn, bystander) == (0, 0, 0, 0)
    conn.execute("select public.seed_demo_data(%s)", (user,))  # a second call adds nothing
    assert _demo_counts(conn, user) == (3, 5, 10, 84)
    statuses = {r[0] for r in conn.execute("select status from public.leads where created_by = %s", (user,))}
    assert statuses == {"new", "contacted", "qualified", "converted", "lost"}


def test_seed_demo_data_defaults_to_the_signed_in_user(conn: psycopg.Connection) -> None:
    user = new_user(conn)
    with conn.transaction():
        conn.execute("set local role authenticated")
        conn.execute("select set_config('request.jwt.claims', %s, true)", (f'{{"sub": "{user}"}}',))
        conn.execute("select public.seed_demo_data()")
    assert _demo_counts(conn, user) == (3, 5, 10, 84)


def test_seed_demo_data_errors(conn: psycopg.Connection) -> None:
    with pytest.raises(errors.NullValueNotAllowed, match="no user given and no signed-in user"):
        conn.execute("select public.seed_demo_data()")
    with pytest.raises(errors.ForeignKeyViolation, match="does not exist in auth.users"):
        conn.execute("select public.seed_demo_data('00000000-0000-0000-0000-000000000001')")
    alice, bob = new_user(conn), new_user(conn)
    with acting_as(conn, "authenticated", alice), pytest.raises(errors.InsufficientPrivilege):
        conn.execute("select public.seed_demo_data(%s)", (bob,))


@pytest.mark.parametrize(
    ("function", "job"),
    [
        ("trigger_autopilot_orchestration", "autopilot_daily"),
        ("trigger_weekly_report_generation", "weekly_reports"),
    ],
)
def test_manual_triggers_queue_a_run_request(conn: psycopg.Connection, function: str, job: str) -> None:
    with conn.transaction():
        conn.execute("set local role service_role")
        conn.execute(f"select public.{function}()")
    rows = conn.execute("select job_name, status, requested_by, run_id from aip.run_requests").fetchall()
    assert rows == [(job, "queued", "service_role", None)]
    with acting_as(conn, "authenticated", new_user(conn)), pytest.raises(errors.InsufficientPrivilege):
        conn.execute(f"select public.{function}()")


def test_auth_functions_read_the_request_claims(conn: psycopg.Connection) -> None:
    user = new_user(conn)
    with conn.transaction():
        conn.execute(
            "select set_config('request.jwt.claims', %s, true)",
            (f'{{"sub": "{user}", "role": "authenticated"}}',),
        )
        assert conn.execute("select auth.uid(), auth.role(), auth.jwt() ->> 'sub'").fetchone() == (
            user,
            "authenticated",
            str(user),
        )
    with conn.transaction():  # the per-claim settings of older PostgREST versions
        conn.execute("select set_config('request.jwt.claim.sub', %s, true)", (str(user),))
        conn.execute("select set_config('request.jwt.claim.role', 'service_role', true)")
        assert conn.execute("select auth.uid(), auth.role()").fetchone() == (user, "service_role")
    assert conn.execute("select auth.uid(), auth.role(), auth.jwt()").fetchone() == (None, None, None)
