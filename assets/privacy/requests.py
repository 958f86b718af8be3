"""Privacy requests: filing them, finding the pending ones, moving their status, and the audit trail.

`data_export_requests` and `data_deletion_requests` carry no column for an error, so the reason a request
failed is written to `privacy_audit_log` (`event_type` `data_export_failed` / `data_deletion_failed`, details
`{"request": <id>, "error": …}`); `request_outcome()` reads both back together.

A deletion request is `confirmed` when `confirmation_required` is false: the app (or `aip privacy delete
--confirm`) clears the flag once the user has confirmed. A null flag counts as "confirmation required".

Logs and Dagster metadata name requests by their id, never by user id or e-mail, so nothing that outlives an
erasure (run history, log files) points back at the person.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

log = logging.getLogger(__name__)

EXPORT = "export"
DELETION = "deletion"
TABLES = {EXPORT: "data_export_requests", DELETION: "data_deletion_requests"}
# An erased user's pseudonym: the first 128 bits of sha256(prefix + user id) as a uuid. The same on every
# run (a repeated erasure finds its record; the erasure guard recognises a row that comes back) and, without
# the user id, not reversible. PostgreSQL computes it too (`pseudonym_sql`), with no extension.
PSEUDONYM_PREFIX = "aip:erased-user:"


class PrivacyRequestError(RuntimeError):
    """A privacy request cannot be filed or processed; the message says what to do."""


@dataclass(frozen=True)
class PrivacyRequest:
    kind: str  # export | deletion
    id: uuid.UUID
    request_id: str | None
    user_id: uuid.UUID
    status: str
    confirmation_required: bool = False

    @property
    def label(self) -> str:
        """How logs name the request: its public request id, else its row id."""
        return self.request_id or str(self.id)


def pseudonym(user_id: uuid.UUID | str) -> uuid.UUID:
    """The anonymised id under which an erased user's audit entry and deletion request are kept."""
    canonical = str(uuid.UUID(str(user_id)))
    return uuid.UUID(hashlib.sha256((PSEUDONYM_PREFIX + canonical).encode()).hexdigest()[:32])


def pseudonym_sql(column: sql.Composable) -> sql.Composed:
    """SQL for `pseudonym()` of a column holding user ids (uuid or their text form)."""
    return sql.SQL(
        "substr(encode(sha256(convert_to({p} || lower({c}::text), 'UTF8')), 'hex'), 1, 32)::uuid"
    ).format(p=sql.Literal(PSEUDONYM_PREFIX), c=column)


def _table(kind: str) -> str:
    if kind not in TABLES:
        raise ValueError(f"kind must be {EXPORT!r} or {DELETION!r}, got {kind!r}")
    return TABLES[kind]


def _row_to_request(kind: str, row: dict) -> PrivacyRequest:
    required = row.get("confirmation_required")
    return PrivacyRequest(
        kind=kind,
        id=row["id"],
        request_id=row["request_id"],
        user_id=row["user_id"],
        status=row["status"] or "pending",
        confirmation_required=kind == DELETION and required is not False,
    )


def get_request(conn: psycopg.Connection, kind: str, ident: uuid.UUID | str) -> PrivacyRequest:
    """A request by row id (uuid) or by its public `request_id`."""
    table = _table(kind)
    extra = ", confirmation_required" if kind == DELETION else ""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            f"select id, request_id, user_id, status{extra} from public.{table}"  # noqa: S608 - fixed names
            " where id::text = %s or request_id = %s",
            (str(ident), str(ident)),
        ).fetchone()
    if row is None:
        raise PrivacyRequestError(
            f"no {kind} request {ident!r} in public.{table}; list them with SQL or file one"
        )
    return _row_to_request(kind, row)


def pending_requests(conn: psycopg.Connection, kind: str) -> list[PrivacyRequest]:
    """Requests ready to process, oldest first; deletion requests only once confirmed."""
    table = _table(kind)
    extra = ", confirmation_required" if kind == DELETION else ""
    ready = " and confirmation_required is false" if kind == DELETION else ""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"select id, request_id, user_id, status{extra} from public.{table}"  # noqa: S608 - fixed names
            f" where coalesce(status, 'pending') = 'pending'{ready} order by requested_at, id"
        ).fetchall()
    return [_row_to_request(kind, row) for row in rows]


def failed_attempts(conn: psycopg.Connection, request: PrivacyRequest) -> int:
    """How often processing `request` failed so far (from the audit log)."""
    row = conn.execute(
        "select count(*) from public.privacy_audit_log where event_type = %s and details ->> 'request' = %s",
        (f"data_{request.kind}_failed", str(request.id)),
    ).fetchone()
    return int(row[0]) if row else 0


def user_id_for_email(conn: psycopg.Connection, email: str) -> uuid.UUID:
    rows = conn.execute(
        "select id from auth.users where lower(email) = lower(%s)", (email.strip(),)
    ).fetchall()
    if not rows:
        raise PrivacyRequestError(f"no user with e-mail {email!r} in auth.users; check the address")
    if len(rows) > 1:
        raise PrivacyRequestError(
            f"{len(rows)} users share the e-mail {email!r}; file the request by user id"
        )
    return rows[0][0]


def audit(
    conn: psycopg.Connection,
    user_id: uuid.UUID | str,
    event_type: str,
    details: dict,
    actor: str = "platform",
) -> None:
    conn.execute(
        "insert into public.privacy_audit_log (user_id, event_type, details, user_agent) values (%s, %s, %s, %s)",
        (str(user_id), event_type, Jsonb(details), actor),
    )


def file_request(
    conn: psycopg.Connection, kind: str, user_id: uuid.UUID | str, confirmed: bool = False, actor: str = "aip"
) -> tuple[PrivacyRequest, bool]:
    """File a request for `user_id`, or return the one still open for them; (request, newly filed).

    Re-filing is harmless: an open (pending or processing) request of the same kind is returned instead of a
    second one. For a deletion, `confirmed=True` also clears `confirmation_required` of the open request.
    """
    table = _table(kind)
    uid = str(uuid.UUID(str(user_id)))
    with conn.transaction():
        # one filer at a time per user, so two concurrent calls cannot both file
        conn.execute(
            "select pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"aip.privacy.file:{kind}:{uid}",)
        )
        extra = ", confirmation_required" if kind == DELETION else ""
        with conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(
                f"select id, request_id, user_id, status{extra} from public.{table}"  # noqa: S608 - fixed names
                " where user_id = %s and coalesce(status, 'pending') in ('pending', 'processing')"
                " order by requested_at limit 1",
                (uid,),
            ).fetchone()
            created = row is None
            if created:
                public_id = f"{'exp' if kind == EXPORT else 'del'}_{secrets.token_hex(8)}"
                if kind == DELETION:
                    row = cur.execute(
                        "insert into public.data_deletion_requests (request_id, user_id, status,"
                        " confirmation_required) values (%s, %s, 'pending', %s)"
                        " returning id, request_id, user_id, status, confirmation_required",
                        (public_id, uid, not confirmed),
                    ).fetchone()
                else:
                    row = cur.execute(
                        "insert into public.data_export_requests (request_id, user_id, status)"
                        " values (%s, %s, 'pending') returning id, request_id, user_id, status",
                        (public_id, uid),
                    ).fetchone()
            elif kind == DELETION and confirmed and row["confirmation_required"] is not False:
                row = cur.execute(
                    "update public.data_deletion_requests set confirmation_required = false where id = %s"
                    " returning id, request_id, user_id, status, confirmation_required",
                    (row["id"],),
                ).fetchone()
                audit(conn, uid, "data_deletion_confirmed", {"request": str(row["id"])}, actor)
        request = _row_to_request(kind, row)
        if created:
            audit(conn, uid, f"data_{kind}_requested", {"request": str(request.id)}, actor)
            if kind == DELETION:
                conn.execute(
                    "update public.user_privacy_settings set right_to_be_deleted_requested = true"
                    " where user_id = %s",
                    (uid,),
                )
    log.info("%s request %s %s", kind, request.label, "filed" if created else "already open")
    return request, created


def confirm_deletion(conn: psycopg.Connection, ident: uuid.UUID | str, actor: str = "aip") -> PrivacyRequest:
    """Record the user's confirmation of a deletion request (clears `confirmation_required`)."""
    request = get_request(conn, DELETION, ident)
    with conn.transaction():
        conn.execute(
            "update public.data_deletion_requests set confirmation_required = false where id = %s",
            (request.id,),
        )
        audit(conn, request.user_id, "data_deletion_confirmed", {"request": str(request.id)}, actor)
    return get_request(conn, DELETION, request.id)


def claim(conn: psycopg.Connection, request: PrivacyRequest) -> bool:
    """Take a session-level advisory lock on `request` so no other worker processes it at the same time."""
    row = conn.execute(
        "select pg_try_advisory_lock(hashtextextended(%s, 0))", (f"aip.privacy:{request.id}",)
    ).fetchone()
    return bool(row and row[0])


def release(conn: psycopg.Connection, request: PrivacyRequest) -> None:
    conn.execute("select pg_advisory_unlock(hashtextextended(%s, 0))", (f"aip.privacy:{request.id}",))


def set_status(conn: psycopg.Connection, request: PrivacyRequest, status: str) -> None:
    conn.execute(
        f"update public.{_table(request.kind)} set status = %s where id = %s",  # noqa: S608 - fixed names
        (status, request.id),
    )


def mark_failed(conn: psycopg.Connection, request: PrivacyRequest, error: str) -> None:
    """In its own transaction (call after the work's rollback): status `failed`, the reason in the audit log."""
    with conn.transaction():
        set_status(conn, request, "failed")
        audit(
            conn, request.user_id, f"data_{request.kind}_failed", {"request": str(request.id), "error": error}
        )
    log.error("%s request %s failed: %s", request.kind, request.label, error)


def request_outcome(conn: psycopg.Connection, kind: str, ident: uuid.UUID | str) -> dict:
    """Status, completion time and, for a failed request, the last error recorded for it."""
    request = get_request(conn, kind, ident)
    row = conn.execute(
        f"select completed_at from public.{_table(kind)} where id = %s",  # noqa: S608 - fixed names
        (request.id,),
    ).fetchone()
    error = conn.execute(
        "select details ->> 'error' from public.privacy_audit_log where event_type = %s"
        " and details ->> 'request' = %s order by timestamp desc, created_at desc limit 1",
        (f"data_{kind}_failed", str(request.id)),
    ).fetchone()
    return {
        "request": str(request.id),
        "request_id": request.request_id,
        "status": request.status,
        "completed_at": row[0] if row else None,
        "error": error[0] if error and request.status == "failed" else None,
    }
