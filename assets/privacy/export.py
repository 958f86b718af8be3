"""Data export: every row that belongs to a user, one JSON file per table, in a zip archive.

The archive holds `manifest.json` (request, time, row count of every table examined, withheld columns) and
`<schema>.<table>.json` for each table with at least one of the user's rows: `{"table", "columns",
"withheld_columns", "rows": [{column: value}], "row_count"}`. Values: uuid, inet, numeric and interval as
strings (numeric stays exact), timestamps ISO 8601, jsonb as JSON, arrays as lists, embedding vectors as lists
of floats (the user's content in the model's form; they are part of what the platform holds about the user).
Credential columns (`encrypted_value`, `initialization_vector`, OAuth tokens, webhook secrets, the password
hash) are withheld whoever owns them: a user's API keys appear by service name only, never decrypted.
Stored files go in under `files/<path in the storage directory>`: the user's own folder and every file a
`*_path` / `*_url` column of their rows names there (uploaded knowledge documents, assets).

All tables are read in one REPEATABLE READ transaction, so the archive is one consistent snapshot, and the
request is marked completed in that same transaction.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import decimal
import hashlib
import ipaddress
import json
import logging
import os
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import IsolationLevel, sql

from assets.privacy import requests as rq
from assets.privacy.ownership import OwnedTable, Ownership, credential_columns, resolve_ownership
from assets.privacy.stored_files import referenced_files

log = logging.getLogger(__name__)

ARCHIVE_FORMAT = "aip-data-export/1"
FETCH_ROWS = 2000


@dataclass
class ExportResult:
    request: str
    status: str  # completed | skipped | busy | failed
    archive: Path | None = None
    tables: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


_AS_STRING = (
    uuid.UUID,
    decimal.Decimal,
    dt.timedelta,
    ipaddress.IPv4Address,
    ipaddress.IPv6Address,
    ipaddress.IPv4Interface,
    ipaddress.IPv6Interface,
    ipaddress.IPv4Network,
    ipaddress.IPv6Network,
)


def to_json(value: Any) -> Any:
    """JSON form of a value psycopg returns for a column (see the module docstring)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, _AS_STRING):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)  # any other type PostgreSQL may add: its text form


def export_columns(table: OwnedTable) -> list[tuple[str, sql.Composable]]:
    """(name, select expression) of the exported columns; vectors cast to real[] so they load as lists."""
    withheld = set(credential_columns(table))
    out = []
    for name, type_ in table.columns.items():
        if name in withheld:
            continue
        expr: sql.Composable = sql.SQL("t0.{}").format(sql.Identifier(name))
        if type_.startswith(("vector", "halfvec")):
            expr = sql.SQL("{}::real[]").format(expr)
        out.append((name, expr))
    return out


def _write_table(
    conn: psycopg.Connection, archive: zipfile.ZipFile, ownership: Ownership, table: OwnedTable, uid: str
) -> int:
    columns = export_columns(table)
    select = ownership.select_owned(
        table.qualified,
        "export",
        sql.SQL(", ").join(sql.SQL("{} as {}").format(e, sql.Identifier(n)) for n, e in columns),
    )
    if table.primary_key:
        select = sql.SQL("{} order by {}").format(
            select, sql.SQL(", ").join(sql.SQL("t0.{}").format(sql.Identifier(c)) for c in table.primary_key)
        )
    names = [n for n, _ in columns]
    count = 0
    member = None
    # a named (server-side) cursor streams the rows, so a large table never sits in memory at once
    with conn.cursor(name=f"export_{uuid.uuid4().hex[:12]}") as cur:
        cur.execute(select, {"uid": uid})
        while rows := cur.fetchmany(FETCH_ROWS):
            if member is None:
                member = archive.open(f"{table.qualified}.json", "w", force_zip64=True)
                header = {
                    "table": table.qualified,
                    "columns": names,
                    "withheld_columns": list(credential_columns(table)),
                }
                member.write(json.dumps(header)[:-1].encode() + b', "rows": [\n')
            for row in rows:
                prefix = b",\n" if count else b""
                member.write(
                    prefix + json.dumps(dict(zip(names, row, strict=True)), default=to_json).encode()
                )
                count += 1
    if member is not None:
        member.write(f'\n], "row_count": {count}}}\n'.encode())
        member.close()
    return count


def user_export_files(
    conn: psycopg.Connection, ownership: Ownership, storage_dir: Path, user_id: str
) -> dict[str, Path]:
    """Stored files that go into the archive, by their path relative to the storage directory: the user's
    own folder and the files their rows name (uploaded documents, assets); earlier exports are left out."""
    root = storage_dir.resolve()
    folder = storage_dir / user_id
    own = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    files = {p.resolve() for p in own} | set(
        referenced_files(conn, ownership, storage_dir, user_id, "export")
    )
    exports = (root / "exports").resolve()
    return {str(p.relative_to(root)): p for p in sorted(files) if exports not in p.parents}


def write_archive(
    conn: psycopg.Connection,
    ownership: Ownership,
    user_id: uuid.UUID | str,
    target: Path,
    manifest: dict,
    files: dict[str, Path] | None = None,
) -> dict[str, int]:
    """Write the user's rows (and `files`, as `files/<name>`) to the zip `target`, atomically: a partial file
    never has the final name. Returns the row count per table. Run it in a transaction (one snapshot)."""
    uid = str(uuid.UUID(str(user_id)))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    counts: dict[str, int] = {}
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in sorted(ownership.tables.values(), key=lambda t: t.qualified):
                counts[table.qualified] = _write_table(conn, archive, ownership, table, uid)
            for name, path in (files or {}).items():
                archive.write(path, f"files/{name}")
            manifest = dict(
                manifest,
                format=ARCHIVE_FORMAT,
                user_id=uid,
                tables=counts,
                files=sorted(files or {}),
                withheld_columns={
                    t.qualified: list(credential_columns(t))
                    for t in ownership.tables.values()
                    if credential_columns(t)
                },
            )
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, default=to_json))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def archive_path(storage_dir: Path, request: rq.PrivacyRequest) -> Path:
    return storage_dir / "exports" / str(request.user_id) / f"{request.id}.zip"


def process_export_request(
    conn: psycopg.Connection, ident: uuid.UUID | str, storage_dir: Path, actor: str = "platform"
) -> ExportResult:
    """Fulfil one export request (idempotent: a completed request is left as it is).

    `conn` must be in autocommit mode: each step below is its own transaction.
    """
    request = rq.get_request(conn, rq.EXPORT, ident)
    if request.status == "completed":
        log.info("export request %s is already completed; nothing to do", request.label)
        return ExportResult(request.label, "skipped")
    if not rq.claim(conn, request):
        log.info("export request %s is being processed by another worker", request.label)
        return ExportResult(request.label, "busy")
    try:
        request = rq.get_request(conn, rq.EXPORT, request.id)  # it may have finished while we waited
        if request.status == "completed":
            return ExportResult(request.label, "skipped")
        with conn.transaction():
            rq.set_status(conn, request, "processing")
        target = archive_path(storage_dir, request)
        try:
            previous, conn.isolation_level = conn.isolation_level, IsolationLevel.REPEATABLE_READ
            try:
                with conn.transaction():
                    ownership = resolve_ownership(conn)
                    started = conn.execute("select now()").fetchone()[0]
                    counts = write_archive(
                        conn,
                        ownership,
                        request.user_id,
                        target,
                        {"request": request.id, "request_id": request.request_id, "generated_at": started},
                        user_export_files(conn, ownership, storage_dir, str(request.user_id)),
                    )
                    digest = hashlib.sha256(target.read_bytes()).hexdigest()
                    conn.execute(
                        "update public.data_export_requests set status = 'completed', completed_at = now(),"
                        " download_url = %s where id = %s",
                        (target.resolve().as_uri(), request.id),
                    )
                    rq.audit(
                        conn,
                        request.user_id,
                        "data_export_completed",
                        {
                            "request": str(request.id),
                            "rows": sum(counts.values()),
                            "tables": len([c for c in counts.values() if c]),
                            "bytes": target.stat().st_size,
                            "sha256": digest,
                        },
                        actor,
                    )
            finally:
                conn.isolation_level = previous
        except Exception as exc:
            with contextlib.suppress(OSError):  # the archive must not outlive a request that failed
                target.unlink(missing_ok=True)
            rq.mark_failed(conn, request, f"{type(exc).__name__}: {exc}")
            return ExportResult(request.label, "failed", error=str(exc))
        log.info(
            "export request %s completed: %d rows from %d tables",
            request.label,
            sum(counts.values()),
            len([c for c in counts.values() if c]),
        )
        return ExportResult(request.label, "completed", target, counts)
    finally:
        rq.release(conn, request)
