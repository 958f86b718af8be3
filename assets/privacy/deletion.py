"""Erasure: remove a user from every table that can hold their rows, their files, then `auth.users`.

One transaction does it all: each owned table in foreign-key order (children first, so parent chains still
resolve; `auth.users` last), materialized views that carry a user column refreshed, then a check that no row
of the user is left anywhere (a trigger that re-inserts one makes the erasure fail rather than lie), then the
outcome is recorded. Files are set aside before and deleted after the commit (`stored_files`). On any error
the transaction rolls back, the files are put back, and the request is marked `failed` with the reason in a
separate transaction.

How the outcome survives the erasure: `data_deletion_requests.user_id` has no foreign key to `auth.users`
(the spec gives it only a logical reference), so the user's deletion requests are kept with `user_id`
replaced by the user's pseudonym (`requests.pseudonym`), the processed one `completed`. The user's other
privacy rows (export requests, audit entries, consent settings) are deleted, and one `privacy_audit_log`
entry `data_deletion_completed` is written under the pseudonym, with the request id and the number of rows
per table: no e-mail, no user id. Were the request table ever given a cascading foreign key, its rows would be
deleted with the user and the audit entry alone would record the outcome.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from assets.privacy import requests as rq
from assets.privacy.ownership import USERS_TABLE, OwnedTable, Ownership, resolve_ownership
from assets.privacy.stored_files import SetAside, referenced_files, user_directories

log = logging.getLogger(__name__)

DELETION_TABLE = "public.data_deletion_requests"
# a blocked erasure fails (and can be retried) instead of waiting behind a long lock for ever
LOCK_TIMEOUT = "30s"


class ErasureError(RuntimeError):
    """The erasure could not remove every row of the user; nothing was changed."""


@dataclass
class DeletionResult:
    request: str
    status: str  # completed | skipped | awaiting_confirmation | busy | failed
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    error: str | None = None

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def residual_rows(conn: psycopg.Connection, ownership: Ownership, user_id: uuid.UUID | str) -> dict[str, int]:
    """Rows of the user still present, per table (tables with none left out)."""
    counts = {}
    for table in ownership.tables.values():
        query = sql.SQL("select count(*) from ({}) as owned").format(
            ownership.select_owned(table.qualified, "erase")
        )
        count = conn.execute(query, {"uid": str(user_id)}).fetchone()[0]
        if count:
            counts[table.qualified] = count
    return counts


def _keeps_requests(ownership: Ownership) -> bool:
    return DELETION_TABLE in ownership.tables and USERS_TABLE not in ownership.references.get(
        DELETION_TABLE, ()
    )


def _erase_table(conn: psycopg.Connection, ownership: Ownership, table: OwnedTable, params: dict) -> int:
    cond = ownership.predicate(table.qualified, "erase")
    if table.qualified == DELETION_TABLE and _keeps_requests(ownership):
        # the request records survive under the pseudonym; the open ones are fulfilled by this erasure
        done = sql.SQL("(t0.id = %(request)s or coalesce(t0.status, 'pending') in ('pending', 'processing'))")
        query = sql.SQL(
            "update {t} t0 set user_id = %(pseudonym)s,"
            " completed_at = case when {done} then now() else t0.completed_at end,"
            " status = case when {done} then 'completed' else t0.status end where {cond}"
        ).format(t=table.ident, done=done, cond=cond)
    else:
        query = sql.SQL("delete from {t} t0 where {cond}").format(t=table.ident, cond=cond)
    return conn.execute(query, params).rowcount


def erase_user(
    conn: psycopg.Connection,
    ownership: Ownership,
    user_id: uuid.UUID | str,
    request_id: uuid.UUID | None = None,
) -> dict[str, int]:
    """Delete (or pseudonymise, for deletion requests) every row of the user; rows affected per table.

    Run inside a transaction: it raises ErasureError, for the caller to roll back, if any row is left.
    """
    uid = str(uuid.UUID(str(user_id)))
    params = {"uid": uid, "pseudonym": rq.pseudonym(uid), "request": request_id}
    counts: dict[str, int] = {}
    for table in ownership.deletion_order():
        affected = _erase_table(conn, ownership, table, params)
        if affected:
            counts[table.qualified] = affected
    for view in ownership.matviews():
        conn.execute(sql.SQL("refresh materialized view {}").format(view.ident))
    left = residual_rows(conn, ownership, uid)
    if left:
        raise ErasureError(
            f"rows of the user remain after the erasure in {sorted(left)} (a trigger or a concurrent writer "
            "re-inserted them?); nothing was changed. Find what writes them, then retry the request."
        )
    return counts


def process_deletion_request(
    conn: psycopg.Connection, ident: uuid.UUID | str, storage_dir: Path, actor: str = "platform"
) -> DeletionResult:
    """Fulfil one confirmed deletion request (idempotent: a completed request is left as it is).

    `conn` must be in autocommit mode: the erasure and the failure record are separate transactions.
    """
    request = rq.get_request(conn, rq.DELETION, ident)
    if request.status == "completed":
        log.info("deletion request %s is already completed; nothing to do", request.label)
        return DeletionResult(request.label, "skipped")
    if request.confirmation_required:
        log.info("deletion request %s awaits the user's confirmation (confirmation_required)", request.label)
        return DeletionResult(request.label, "awaiting_confirmation")
    if not rq.claim(conn, request):
        log.info("deletion request %s is being processed by another worker", request.label)
        return DeletionResult(request.label, "busy")
    try:
        request = rq.get_request(conn, rq.DELETION, request.id)  # it may have finished while we waited
        if request.status == "completed":
            return DeletionResult(request.label, "skipped")
        SetAside.restore_pending(storage_dir, request.id)
        with conn.transaction():
            rq.set_status(conn, request, "processing")
        uid = str(request.user_id)
        aside = SetAside(storage_dir, request.id)
        try:
            with conn.transaction():
                conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
                ownership = resolve_ownership(conn)
                paths = user_directories(storage_dir, uid) + referenced_files(
                    conn, ownership, storage_dir, uid
                )
                files = aside.move(paths)
                counts = erase_user(conn, ownership, uid, request.id)
                rq.audit(
                    conn,
                    rq.pseudonym(uid),
                    "data_deletion_completed",
                    {
                        "request": str(request.id),
                        "request_id": request.request_id,
                        "rows": sum(counts.values()),
                        "tables": counts,
                        "files": files,
                    },
                    actor,
                )
        except Exception as exc:
            aside.restore()
            rq.mark_failed(conn, request, f"{type(exc).__name__}: {exc}")
            return DeletionResult(request.label, "failed", error=str(exc))
        aside.discard()
        log.info(
            "deletion request %s completed: %d rows in %d tables, %d file(s)",
            request.label,
            sum(counts.values()),
            len(counts),
            files,
        )
        return DeletionResult(request.label, "completed", counts, files)
    finally:
        rq.release(conn, request)


def reap_erased_users(conn: psycopg.Connection, ownership: Ownership | None = None) -> dict[str, int]:
    """Delete rows that belong to an already erased user and came back (a warehouse run that read its
    sources before the erasure committed, a restored backup). Erased users are recognised by pseudonym only,
    so this keeps no user id. Run it in a transaction; returns rows removed per table."""
    if not conn.execute(
        "select exists (select 1 from public.privacy_audit_log where event_type = 'data_deletion_completed')"
    ).fetchone()[0]:
        return {}
    ownership = ownership or resolve_ownership(conn)
    erased = sql.SQL(
        "select user_id from public.privacy_audit_log where event_type = 'data_deletion_completed'"
    )
    removed: dict[str, int] = {}
    for table in ownership.deletion_order():
        if not table.owner_columns or table.kind != "table":
            continue
        # each distinct id is hashed once, not every row
        cond = sql.SQL(" or ").join(
            sql.SQL(
                "t0.{c} in (select d.v from (select distinct {c} as v from {t}) as d where {p} in ({e}))"
            ).format(c=sql.Identifier(c), t=table.ident, p=rq.pseudonym_sql(sql.SQL("d.v")), e=erased)
            for c in table.owner_columns
        )
        count = conn.execute(sql.SQL("delete from {t} t0 where {c}").format(t=table.ident, c=cond)).rowcount
        if count:
            removed[table.qualified] = count
            log.warning("removed %d row(s) of erased users that reappeared in %s", count, table.qualified)
    if removed:
        for view in ownership.matviews():
            conn.execute(sql.SQL("refresh materialized view {}").format(view.ident))
    return removed
