"""Changing loaded demo data in place: deleting all of it (`--replace`) and applying an append's updates."""

from __future__ import annotations

import psycopg
from psycopg import sql

from assets.demo.accounts import DEMO_KEY
from assets.demo.generator import TableUpdate

# tables whose rows are not reachable from a demo user through ON DELETE CASCADE: deleted explicitly
_DEMO_ROWS_BY_USER = (
    ("public.user_privacy_settings", "user_id"),
    ("public.data_export_requests", "user_id"),
    ("public.data_deletion_requests", "user_id"),
    ("public.privacy_audit_log", "user_id"),
    ("public.ai_interaction_feedback", "user_id"),
    ("public.support_tickets", "user_id"),  # on delete set null: would outlive the user
)
_DEMO_ROWS_BY_METADATA = ("public.email_campaigns", "public.email_contacts", "public.generated_content")
# the biggest tables go first: deleting them directly is much faster than through per-row cascades
_BIG_FIRST = (
    "delete from public.lead_activities where created_by = any(%(ids)s)",
    "delete from public.autopilot_lead_inbox where user_id = any(%(ids)s)",
    "delete from public.leads where created_by = any(%(ids)s)",
    "delete from public.campaign_metrics where campaign_id in "
    "(select id from public.campaigns where created_by = any(%(ids)s))",
)


def _demo_user_ids(conn: psycopg.Connection) -> list:
    return [r[0] for r in conn.execute(f"select id from auth.users where raw_app_meta_data ? '{DEMO_KEY}'")]


def _truncate_if_all_demo(conn: psycopg.Connection, params: dict) -> None:
    """When every row of the long tables belongs to demo users (the usual case), TRUNCATE them: deleting
    millions of rows one by one takes minutes. Part of the caller's transaction, like the deletes."""
    foreign = conn.execute(
        "select exists (select 1 from public.leads where created_by is null or created_by <> all(%(ids)s)) "
        "or exists (select 1 from public.campaign_metrics as m join public.campaigns as c "
        "on c.id = m.campaign_id where c.created_by <> all(%(ids)s))",
        params,
    ).fetchone()[0]
    if foreign:
        return
    try:
        with conn.transaction():  # a savepoint, so that a refused TRUNCATE leaves the transaction usable
            conn.execute(
                "truncate public.lead_activities, public.autopilot_lead_inbox, public.leads, public.campaign_metrics"
            )
    except psycopg.errors.FeatureNotSupported:
        pass  # another table references these: the deletes that follow remove the rows one by one


def delete_demo_data(conn: psycopg.Connection) -> int:
    """Delete every demo row (one transaction); returns the number of demo users removed."""
    with conn.transaction():
        ids = _demo_user_ids(conn)
        if not ids:
            return 0
        params = {"ids": ids, "texts": [str(i) for i in ids]}
        _truncate_if_all_demo(conn, params)
        for statement in _BIG_FIRST:
            conn.execute(statement, params)
        for table, column in _DEMO_ROWS_BY_USER:
            if conn.execute("select to_regclass(%s)", (table,)).fetchone()[0] is not None:
                query = sql.SQL("delete from {} where {} = any(%(ids)s)")
                conn.execute(query.format(sql.SQL(table), sql.Identifier(column)), params)
        for table in _DEMO_ROWS_BY_METADATA:
            query = sql.SQL("delete from {} where metadata ->> 'user_id' = any(%(texts)s)")
            conn.execute(query.format(sql.SQL(table)), params)
        # social posts carry no owner: demo post ids are recognisable by their prefix
        conn.execute("delete from public.social_engagement where post_id like 'demo-%%'")
        # tickets of demo users orphaned by an interrupted earlier replace (their user_id was set null)
        conn.execute(
            "delete from public.support_tickets where user_id is null and email like '%%@demo.%%.test'"
        )
        conn.execute("delete from auth.users where id = any(%(ids)s)", params)
        return len(ids)


def apply_update(conn: psycopg.Connection, update: TableUpdate) -> int:
    """Stage (key, columns) rows with COPY, then UPDATE … FROM, with the table's own triggers off so the
    generated updated_at values stay as generated (the usual trigger would stamp the load time)."""
    staging = sql.Identifier(f"_demo_{update.table.split('.')[-1]}")
    names = (update.key, *update.columns)
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t))
        for n, t in zip(names, update.types, strict=True)
    )
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = s.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in update.columns
    )
    key = sql.Identifier(update.key)
    target = sql.SQL(update.table)
    rows = 0
    with conn.transaction():
        conn.execute(sql.SQL("create temp table {} ({}) on commit drop").format(staging, columns))
        with conn.cursor() as cur, cur.copy(sql.SQL("copy {} from stdin").format(staging)) as copy:
            for text, n in update.batches():
                if n:
                    copy.write(text)
                    rows += n
        conn.execute(sql.SQL("alter table {} disable trigger user").format(target))
        conn.execute(
            sql.SQL("update {} as t set {} from {} as s where t.{} = s.{}").format(
                target, assignments, staging, key, key
            )
        )
        conn.execute(sql.SQL("alter table {} enable trigger user").format(target))
    return rows
