"""CHECK constraints reject what the spec forbids (naming the constraint) and accept what it allows; every
foreign key does what its on_delete says when the parent row goes."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import errors

from .rows import insert, migrated_database, new_user, rolled_back
from .spec_compiler import load_spec

SPEC = load_spec()
ENUM_CHECKS = [
    (table, column, definition["allowed"])
    for table, t in SPEC["tables"].items()
    for column, definition in t["columns"].items()
    if definition.get("allowed_source") == "check_constraint"
]
FOREIGN_KEYS = [
    (table, column, definition["references"].rsplit(".", 1)[0], definition["on_delete"])
    for table, t in SPEC["tables"].items()
    for column, definition in t["columns"].items()
    if definition.get("references")
]


@pytest.fixture(scope="module")
def shared_db_url(admin_url: str, template_db: str) -> Iterator[str]:
    with migrated_database(admin_url, template_db) as url:
        yield url


@pytest.fixture
def conn(shared_db_url: str) -> Iterator[psycopg.Connection]:
    """One database for the module; each test runs in a transaction that is rolled back."""
    with rolled_back(shared_db_url) as connection:
        yield connection


def _violation(conn: psycopg.Connection, table: str, **values: object) -> errors.CheckViolation:
    with pytest.raises(errors.CheckViolation) as failure, conn.transaction():
        insert(conn, table, **values)
    return failure.value


@pytest.mark.parametrize(
    ("table", "column", "allowed"), ENUM_CHECKS, ids=[f"{t}.{c}" for t, c, _ in ENUM_CHECKS]
)
def test_enum_check_rejects_unknown_value_naming_the_constraint(
    conn: psycopg.Connection, table: str, column: str, allowed: list[str]
) -> None:
    error = _violation(conn, table, **{column: "not-a-valid-value"})
    name = f"{table}_{column}_check"
    assert error.diag.constraint_name == name
    assert name in str(error)


@pytest.mark.parametrize(
    ("table", "column", "allowed"), ENUM_CHECKS, ids=[f"{t}.{c}" for t, c, _ in ENUM_CHECKS]
)
def test_enum_check_accepts_every_allowed_value(
    conn: psycopg.Connection, table: str, column: str, allowed: list[str]
) -> None:
    for value in allowed:
        extra = {"campaign_id": None} if (table, value) == ("knowledge_buckets", "general") else {}
        row = insert(conn, table, **{column: value}, **extra)
        stored = conn.execute(f"select {column} from public.{table} where id = %s", (row,)).fetchone()[0]
        assert stored == value


@pytest.mark.parametrize(
    ("table", "values", "constraint"),
    [
        ("leads", {"lead_score": 101}, "leads_lead_score_check"),
        ("leads", {"lead_score": -1}, "leads_lead_score_check"),
        ("leads", {"email": "not an email"}, "leads_email_check"),
        ("ai_video_projects", {"duration_s": 0}, "ai_video_projects_duration_s_check"),
        ("ai_video_projects", {"duration_s": 121}, "ai_video_projects_duration_s_check"),
        ("campaigns", {"start_date": "2025-02-01", "end_date": "2025-01-01"}, "campaigns_date_order_check"),
        ("campaigns", {"total_budget": -1}, "campaigns_total_budget_check"),
        ("campaigns", {"budget_allocated": -1}, "campaigns_budget_allocated_check"),
        ("campaigns", {"budget_spent": -0.01}, "campaigns_budget_spent_check"),
        (
            "knowledge_buckets",
            {"bucket_type": "campaign", "campaign_id": None},
            "knowledge_buckets_scope_check",
        ),
    ],
)
def test_value_checks_reject_out_of_range_values(
    conn: psycopg.Connection, table: str, values: dict[str, object], constraint: str
) -> None:
    error = _violation(conn, table, **values)
    assert error.diag.constraint_name == constraint


def test_value_checks_accept_the_boundaries(conn: psycopg.Connection) -> None:
    insert(conn, "leads", lead_score=0, email="a.b-c+d@mail.example.org")
    insert(conn, "leads", lead_score=100)
    insert(conn, "ai_video_projects", duration_s=1)
    insert(conn, "ai_video_projects", duration_s=120)
    insert(conn, "campaigns", start_date="2025-01-01", end_date="2025-01-01", total_budget=0)
    insert(conn, "knowledge_buckets", bucket_type="general", campaign_id=None)
    # a general bucket cannot be tied to a campaign
    campaign = insert(conn, "campaigns")
    error = _violation(conn, "knowledge_buckets", bucket_type="general", campaign_id=campaign)
    assert error.diag.constraint_name == "knowledge_buckets_scope_check"


@pytest.mark.parametrize(
    ("table", "column", "parent", "on_delete"), FOREIGN_KEYS, ids=[f"{t}.{c}" for t, c, _, _ in FOREIGN_KEYS]
)
def test_foreign_key_on_delete(
    conn: psycopg.Connection, table: str, column: str, parent: str, on_delete: str
) -> None:
    parent_id = new_user(conn) if parent == "auth.users" else insert(conn, parent)
    extra = {"bucket_type": "campaign"} if (table, column) == ("knowledge_buckets", "campaign_id") else {}
    child = insert(conn, table, **{column: parent_id}, **extra)
    parent_relation = "auth.users" if parent == "auth.users" else f"public.{parent}"
    conn.execute(f"delete from {parent_relation} where id = %s", (parent_id,))
    row = conn.execute(f"select {column} from public.{table} where id = %s", (child,)).fetchone()
    if on_delete == "cascade":
        assert row is None, f"{table} row survived the deletion of its {parent}"
    else:
        assert on_delete == "set null"
        assert row == (None,)


def test_deleting_knowledge_finds_the_rows_it_cascades_to_through_an_index(conn: psycopg.Connection) -> None:
    # chunks and documents are deleted in the normal course of ingestion (an edited document's changed
    # chunks go); each row that goes deletes its referencing rows, and without an index leading with the
    # referencing column that is a scan of the whole referencing table (the access log: every search's
    # hits) once per deleted row
    unindexed = conn.execute(
        """
        select c.conrelid::regclass::text || '.' || a.attname
        from pg_constraint as c
        inner join pg_attribute as a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
        where
            c.contype = 'f'
            and c.confdeltype in ('c', 'n')
            and c.confrelid in ('public.knowledge_chunks'::regclass, 'public.knowledge_documents'::regclass)
            and not exists (
                select from pg_index as i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1]
            )
        """
    ).fetchall()
    assert unindexed == []


def test_unique_keys_reject_duplicates(conn: psycopg.Connection) -> None:
    user = new_user(conn)
    insert(conn, "campaigns", created_by=user, name="Spring")
    with pytest.raises(errors.UniqueViolation), conn.transaction():
        insert(conn, "campaigns", created_by=user, name="Spring")
    insert(conn, "leads", created_by=user, email="x@example.com")
    with pytest.raises(errors.UniqueViolation), conn.transaction():
        insert(conn, "leads", created_by=user, email="x@example.com")
    # the (created_by, email) index is partial: leads without an email never collide
    insert(conn, "leads", created_by=user, email=None)
    insert(conn, "leads", created_by=user, email=None)
