"""Erasure: the user is gone from every table (operational and warehouse) and from storage; others untouched;
a repeat is a no-op; a failure half-way changes nothing and leaves the request failed with the reason."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from assets.privacy import requests as rq
from assets.privacy.deletion import process_deletion_request, reap_erased_users
from assets.privacy.export import process_export_request
from assets.privacy.ownership import Ownership, resolve_ownership
from tests.assets.privacy.conftest import rows_naming_user, table_counts
from tests.assets.privacy.seeding import Seeded


def _warehouse(conn: psycopg.Connection) -> None:
    """A mart and an incremental-style fact keyed by user (as dbt would build them) and a materialized view."""
    conn.execute("create schema if not exists marts")
    conn.execute("create table marts.dim_privacy_users (user_id uuid primary key, email text)")
    conn.execute("insert into marts.dim_privacy_users select id, email from auth.users")
    conn.execute("create table marts.fct_privacy_daily (user_id text, day date, leads int)")
    conn.execute(
        "insert into marts.fct_privacy_daily select created_by::text, created_at::date, count(*)"
        " from public.leads group by 1, 2"
    )
    conn.execute(
        "create materialized view marts.mv_privacy_campaigns as"
        " select created_by as user_id, count(*) as campaigns from public.campaigns group by 1"
    )


def _files(storage_dir: Path, conn: psycopg.Connection, user: uuid.UUID) -> list[Path]:
    """Files of the user: an export, their own folder, and an uploaded document named by a path column."""
    own = storage_dir / str(user) / "avatar.png"
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_bytes(b"png")
    upload = storage_dir / "uploads" / f"{user.hex}.pdf"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"%PDF")
    conn.execute(
        "update public.knowledge_documents set upload_path = %s where created_by = %s",
        (f"uploads/{user.hex}.pdf", user),
    )
    request, _ = rq.file_request(conn, rq.EXPORT, user)
    archive = process_export_request(conn, request.id, storage_dir).archive
    assert archive is not None
    return [own, upload, archive]


def _owned_counts(conn: psycopg.Connection, users: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    return {u: rows_naming_user(conn, u) for u in users}


def test_erasure_removes_the_user_everywhere_and_nothing_else(
    conn: psycopg.Connection, seeded: Seeded, storage_dir: Path, tmp_path: Path
) -> None:
    user, others = seeded.users[0], seeded.users[1:]
    _warehouse(conn)
    files = {u: _files(storage_dir, conn, u) for u in seeded.users}
    outside = tmp_path / "outside-storage.bin"  # a path column pointing outside the storage is never followed
    outside.write_bytes(b"keep")
    conn.execute(
        "update public.digital_assets set storage_path = %s where uploaded_by = %s", (str(outside), user)
    )
    ownership = resolve_ownership(conn)
    # the user's rows by primary key, in every table the ownership reaches (parent chains included)
    before_keys = {t.qualified: _keys(conn, ownership, t.qualified, user) for t in ownership.base_tables()}
    assert len([k for k in before_keys.values() if k]) >= 55
    assert rows_naming_user(conn, user).keys() >= {"marts.dim_privacy_users", "marts.fct_privacy_daily"}
    others_before = _owned_counts(conn, others)
    request, _ = rq.file_request(conn, rq.DELETION, user)
    totals_before = table_counts(conn)
    assert process_deletion_request(conn, request.id, storage_dir).status == "awaiting_confirmation"
    assert rows_naming_user(conn, user) and table_counts(conn) == totals_before
    rq.confirm_deletion(conn, request.id)

    result = process_deletion_request(conn, request.id, storage_dir)

    assert result.status == "completed", result.error
    # no row names the user in any table of any schema (catalog scan), and no row reached before remains
    assert rows_naming_user(conn, user) == {}
    kept = before_keys.pop("public.data_deletion_requests")  # kept on purpose, under the pseudonym
    assert {
        r[0]
        for r in conn.execute(
            "select user_id from public.data_deletion_requests where id = any(%s)", ([k[0] for k in kept],)
        )
    } == {rq.pseudonym(user)}
    for table, keys in before_keys.items():
        pk = ownership.tables[table].primary_key
        still = [
            k for k in keys if conn.execute(_exists(table, pk), dict(zip(pk, k, strict=True))).fetchone()[0]
        ]
        assert not still, f"{table} keeps {len(still)} row(s) of the erased user"
    assert (
        conn.execute(
            "select campaigns from marts.mv_privacy_campaigns where user_id = %s", (user,)
        ).fetchall()
        == []
    )
    # the other users: same rows everywhere; tables without owners untouched
    assert _owned_counts(conn, others) == others_before
    totals_after = table_counts(conn)
    for table, count in totals_before.items():
        if table not in ownership.tables:
            assert totals_after[table] == count, table
    # files: the user's gone, the others' and anything outside the storage kept
    assert not any(p.exists() for p in files[user]) and not (storage_dir / str(user)).exists()
    assert all(p.exists() for o in others for p in files[o]) and outside.exists()
    assert not any((storage_dir / ".erasing").glob("*/*"))
    # the outcome survives, anonymised: the request under the pseudonym, one audit entry without personal data
    row = conn.execute(
        "select user_id, status, completed_at from public.data_deletion_requests where id = %s", (request.id,)
    ).fetchone()
    assert row[0] == rq.pseudonym(user) and row[1] == "completed" and row[2] is not None
    audit = conn.execute(
        "select user_id, details::text from public.privacy_audit_log where event_type = 'data_deletion_completed'"
    ).fetchall()
    assert len(audit) == 1 and audit[0][0] == rq.pseudonym(user)
    assert str(user) not in audit[0][1] and seeded.emails[user] not in audit[0][1]
    assert rq.request_outcome(conn, rq.DELETION, request.id)["status"] == "completed"

    # again: a no-op, for the same request and for a fresh one about the same (now erased) id
    snapshot = table_counts(conn)
    assert process_deletion_request(conn, request.id, storage_dir).status == "skipped"
    assert table_counts(conn) == snapshot
    again, _ = rq.file_request(conn, rq.DELETION, user, confirmed=True)
    repeat = process_deletion_request(conn, again.id, storage_dir)
    # only the fresh request (pseudonymised) and its filing's audit entry named the user
    assert repeat.status == "completed"
    assert repeat.tables == {"public.data_deletion_requests": 1, "public.privacy_audit_log": 1}

    # a row of the erased user written back later (a warehouse run that read old sources) is reaped
    conn.execute("insert into marts.fct_privacy_daily values (%s, date '2025-07-01', 3)", (str(user),))
    with conn.transaction():
        removed = reap_erased_users(conn)
    assert removed == {"marts.fct_privacy_daily": 1}
    assert rows_naming_user(conn, user) == {} and _owned_counts(conn, others) == others_before


def _keys(conn: psycopg.Connection, ownership: Ownership, table: str, user: uuid.UUID) -> list[tuple]:
    """Primary keys of the user's rows in `table` (tables without one are covered by the catalog scan)."""
    pk = ownership.tables[table].primary_key
    if not pk:
        return []
    columns = sql.SQL(", ").join(sql.SQL("t0.{}").format(sql.Identifier(c)) for c in pk)
    return conn.execute(ownership.select_owned(table, "erase", columns), {"uid": str(user)}).fetchall()


def _exists(table: str, columns: tuple[str, ...]) -> sql.Composed:
    key = sql.SQL(" and ").join(
        sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c)) for c in columns
    )
    return sql.SQL("select exists (select 1 from {} where {})").format(sql.Identifier(*table.split(".")), key)


@pytest.mark.parametrize("table", ["public.leads", "marts.dim_privacy_users"])
def test_failure_mid_erasure_changes_nothing(
    conn: psycopg.Connection, seeded: Seeded, storage_dir: Path, table: str
) -> None:
    user = seeded.users[1]
    _warehouse(conn)
    files = _files(storage_dir, conn, user)
    # a trigger that raises when the erasure reaches `table`, after many tables were already deleted from
    conn.execute(
        "create function public.refuse_delete() returns trigger language plpgsql as"
        " $$ begin raise exception 'injected failure on %', tg_table_name; end $$"
    )
    conn.execute(
        f"create trigger refuse before delete on {table} for each row execute function public.refuse_delete()"
    )
    request, _ = rq.file_request(conn, rq.DELETION, user, confirmed=True)
    before = table_counts(conn)
    naming_before = rows_naming_user(conn, user)

    result = process_deletion_request(conn, request.id, storage_dir)

    assert result.status == "failed" and "injected failure" in (result.error or "")
    outcome = rq.request_outcome(conn, rq.DELETION, request.id)
    assert outcome["status"] == "failed" and "injected failure" in outcome["error"]
    after = table_counts(conn)
    audit = "public.privacy_audit_log"
    assert after[audit] == before[audit] + 1  # the failure record, nothing else changed
    assert {t: c for t, c in after.items() if t != audit} == {t: c for t, c in before.items() if t != audit}
    assert rows_naming_user(conn, user) == {**naming_before, audit: naming_before[audit] + 1}
    assert all(p.exists() for p in files) and not any((storage_dir / ".erasing").iterdir())

    # once the cause is gone, the same request succeeds
    conn.execute(f"drop trigger refuse on {table}")
    conn.execute("update public.data_deletion_requests set status = 'pending' where id = %s", (request.id,))
    assert process_deletion_request(conn, request.id, storage_dir).status == "completed"
    assert rows_naming_user(conn, user) == {} and not any(p.exists() for p in files)


def test_interrupted_erasure_puts_files_back_before_retrying(
    conn: psycopg.Connection, seeded: Seeded, storage_dir: Path
) -> None:
    from assets.privacy.stored_files import SetAside, user_directories

    user = seeded.users[2]
    files = _files(storage_dir, conn, user)
    request, _ = rq.file_request(conn, rq.DELETION, user, confirmed=True)
    # a crash after the files were set aside, before the commit: the database rolled back, files are aside
    SetAside(storage_dir, request.id).move(user_directories(storage_dir, user))
    assert not files[0].exists()

    assert SetAside.restore_pending(storage_dir, request.id) == 2
    assert all(p.exists() for p in files)
