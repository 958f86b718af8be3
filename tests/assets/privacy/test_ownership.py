"""Ownership is resolved from the spec and the live catalog: nothing a migration or dbt adds is missed."""

from __future__ import annotations

import uuid

import psycopg

from assets.privacy.ownership import USERS_TABLE, credential_columns, resolve_ownership, spec_tables
from tests.assets.privacy.seeding import Seeded


def test_every_owned_spec_table_is_resolved_with_its_parent_chain(conn: psycopg.Connection) -> None:
    ownership = resolve_ownership(conn)

    assert ownership.missing == ()
    for table, body in spec_tables().items():
        resolved = ownership.tables.get(table)
        if body.get("owner_column"):
            assert body["owner_column"] in resolved.owner_columns, table
        elif body.get("owner_via"):
            assert resolved.parents[0].column == body["owner_via"]["column"], table
        elif table != USERS_TABLE:  # shared tables: only a document's `user_id` can name a user
            jsonb = [c for c, spec in body["columns"].items() if spec["type"] == "jsonb"]
            assert (resolved.json_owner_columns if resolved else ()) == tuple(jsonb), table
    assert ownership.tables["public.email_campaigns"].json_owner_columns == ("recipient_list", "metadata")
    chunks = ownership.tables["public.knowledge_chunks"]
    assert chunks.owner_columns == () and chunks.parents[0].parent == "public.knowledge_buckets"
    # storage: the spec's per-user bucket folders
    assert ownership.tables["storage.objects"].folder_buckets == ("ai-videos",)


def test_catalog_finds_what_the_spec_does_not_list(conn: psycopg.Connection) -> None:
    conn.execute("create schema if not exists marts")
    conn.execute("create schema if not exists staging")
    conn.execute("create table marts.fct_probe (user_id uuid, n int)")
    conn.execute("create table marts.dim_no_user (campaign_id uuid)")
    conn.execute("create view staging.stg_probe as select id as user_id from auth.users")
    conn.execute("create materialized view marts.mv_probe as select user_id, n from marts.fct_probe")
    # a later migration gives a shared table an owner: found through its foreign key
    conn.execute(
        "alter table public.lead_scoring_rules add column reviewed_by uuid references auth.users (id)"
    )

    ownership = resolve_ownership(conn)

    assert ownership.tables["marts.fct_probe"].owner_columns == ("user_id",)
    assert ownership.tables["marts.fct_probe"].warehouse
    assert ownership.tables["marts.mv_probe"].kind == "matview"
    assert "marts.dim_no_user" not in ownership.tables and "staging.stg_probe" not in ownership.tables
    assert ownership.tables["public.lead_scoring_rules"].owner_columns == ("reviewed_by",)


def test_deletion_order_puts_children_first_and_users_last(conn: psycopg.Connection) -> None:
    ownership = resolve_ownership(conn)

    order = [t.qualified for t in ownership.deletion_order()]

    assert order[-1] == USERS_TABLE and len(order) == len(ownership.base_tables())
    for child, parents in ownership.references.items():
        for parent in parents:
            assert order.index(child) < order.index(parent), (child, parent)


def test_export_predicate_leaves_a_colleagues_row_under_the_users_lead_to_the_colleague(
    conn: psycopg.Connection, seeded: Seeded
) -> None:
    owner, colleague = seeded.users[0], seeded.users[1]
    lead = seeded.rows["public.leads"][owner][0]
    activity = conn.execute(
        "insert into public.lead_activities (lead_id, created_by, activity_type, occurred_at)"
        " values (%s, %s, 'call', now()) returning id",
        (lead, colleague),
    ).fetchone()[0]
    ownership = resolve_ownership(conn)

    def ids(user: uuid.UUID, mode: str) -> set[uuid.UUID]:
        query = ownership.select_owned("public.lead_activities", mode, psycopg.sql.SQL("t0.id"))
        return {r[0] for r in conn.execute(query, {"uid": str(user)})}

    assert activity not in ids(owner, "export") and activity in ids(colleague, "export")
    # erasing the lead's owner removes it (as the lead's cascade would)
    assert activity in ids(owner, "erase")


def test_credential_columns_are_withheld(conn: psycopg.Connection) -> None:
    ownership = resolve_ownership(conn)

    assert set(credential_columns(ownership.tables["public.user_secrets"])) == {
        "encrypted_value",
        "initialization_vector",
    }
    assert "secret_token" in credential_columns(ownership.tables["public.webhooks"])
    assert {"access_token_encrypted", "refresh_token_encrypted"} <= set(
        credential_columns(ownership.tables["public.social_platform_connections"])
    )
    assert credential_columns(ownership.tables[USERS_TABLE]) == ("encrypted_password",)
    assert "token_expires_at" not in credential_columns(ownership.tables["public.oauth_connections"])
