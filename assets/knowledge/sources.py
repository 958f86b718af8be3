"""Where a document's content comes from: its uploaded file (upload_path) or the text the app stored.

Reading a source never parses it: it yields the bytes/text and their sha256, so an unchanged document is
recognised (and skipped) before any parsing, chunking or embedding.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from assets.knowledge.parsing import DocumentRejected, ParsedDocument, parse_bytes, parse_text
from orchestration.settings import REPO_ROOT, Settings


@dataclass(frozen=True)
class SourceState:
    """What the document was last indexed from (aip.knowledge_document_sources)."""

    source_sha256: str
    source_size: int | None
    source_mtime_ns: int | None
    chunker: str
    outcome: str
    indexed_updated_at: datetime | None


@dataclass(frozen=True)
class DocumentRow:
    id: str
    bucket_id: str | None
    title: str
    content: str
    file_name: str | None
    file_type: str | None
    upload_path: str | None
    status: str | None
    processing_error: str | None
    updated_at: datetime | None
    state: SourceState | None


@dataclass(frozen=True)
class Source:
    sha256: str
    size: int | None
    data: bytes | None = None  # a file's bytes
    text: str | None = None  # the app's stored content
    path: Path | None = None
    mtime_ns: int | None = None

    def parse(self, doc: DocumentRow) -> ParsedDocument:
        if self.data is not None:
            return parse_bytes(
                self.data, doc.file_type, doc.file_name or (self.path.name if self.path else None)
            )
        return parse_text(self.text or "", doc.file_type)


_DOCUMENT_COLUMNS = (
    "d.id, d.bucket_id, d.title, d.content, d.file_name, d.file_type, d.upload_path, d.status, "
    "d.processing_error, d.updated_at, s.source_sha256, s.source_size, s.source_mtime_ns, s.chunker, "
    "s.outcome, s.indexed_updated_at"
)


def load_documents(conn: psycopg.Connection, ids: list[str]) -> list[DocumentRow]:
    rows = conn.execute(
        f"select {_DOCUMENT_COLUMNS} from public.knowledge_documents as d "
        "left join aip.knowledge_document_sources as s on s.document_id = d.id "
        "where d.id = any(%s::uuid[]) order by d.created_at, d.id",
        (ids,),
    ).fetchall()
    return [_document(row) for row in rows]


def _document(row: tuple[Any, ...]) -> DocumentRow:
    state = SourceState(*row[10:16]) if row[10] is not None else None
    return DocumentRow(str(row[0]), str(row[1]) if row[1] else None, *row[2:10], state=state)


def find_pending_documents(
    conn: psycopg.Connection, settings: Settings, check_files: bool = True, limit: int | None = None
) -> list[str]:
    """Documents to (re)index: status `processing`, never indexed, changed by the app since we indexed
    them, or (check_files) whose uploaded file changed on disk or vanished."""
    rows = conn.execute(
        "select d.id::text, d.upload_path, s.source_size, s.source_mtime_ns, "
        "(d.status = 'processing' or s.document_id is null "
        " or d.updated_at is distinct from s.indexed_updated_at) as pending "
        "from public.knowledge_documents as d "
        "left join aip.knowledge_document_sources as s on s.document_id = d.id "
        "where d.status = 'processing' or s.document_id is null "
        "or d.updated_at is distinct from s.indexed_updated_at "
        + ("or d.upload_path is not null " if check_files else "")
        + "order by d.created_at, d.id"
    ).fetchall()
    pending: list[str] = []
    for doc_id, upload_path, size, mtime_ns, flagged in rows:
        # a vanished file compares as (None, None): it was recorded that way when it failed as missing
        if flagged or (
            upload_path and (stat_upload(upload_path, settings) or (None, None)) != (size, mtime_ns)
        ):
            pending.append(doc_id)
            if limit is not None and len(pending) >= limit:
                break
    return pending


def resolve_upload_path(upload_path: str, settings: Settings) -> Path:
    """An absolute path as is; a relative one under the platform's storage directory, else the repository."""
    path = Path(upload_path).expanduser()
    if path.is_absolute():
        return path
    for base in (settings.storage_dir, REPO_ROOT):
        candidate = base / path
        if candidate.exists():
            return candidate
    return REPO_ROOT / path


def stat_upload(upload_path: str, settings: Settings) -> tuple[int, int] | None:
    """(size, mtime_ns) of an upload, or None when it is missing (cheap: the sensor calls it often)."""
    try:
        stat = resolve_upload_path(upload_path, settings).stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def read_source(doc: DocumentRow, settings: Settings) -> Source:
    """The document's current content and its hash; DocumentRejected when missing or too large."""
    limit = settings.max_document_bytes
    if doc.upload_path:
        path = resolve_upload_path(doc.upload_path, settings)
        try:
            stat = path.stat()
        except OSError:
            raise DocumentRejected(
                "missing", f"The uploaded file {doc.upload_path!r} was not found: upload it again."
            ) from None
        if not path.is_file():
            raise DocumentRejected("missing", f"{doc.upload_path!r} is not a file: upload a document file.")
        if stat.st_size > limit:
            raise DocumentRejected("oversized", _too_large(stat.st_size, limit))
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DocumentRejected(
                "missing", f"The uploaded file {doc.upload_path!r} cannot be read ({exc.strerror})."
            ) from None
        return Source(sha256=_sha256(data), size=len(data), data=data, path=path, mtime_ns=stat.st_mtime_ns)
    data = (doc.content or "").encode("utf-8")
    if len(data) > limit:
        raise DocumentRejected("oversized", _too_large(len(data), limit))
    # the declared type decides how the text is read (html or not), so it is part of the identity
    identity = _sha256(data + b"\x00" + (doc.file_type or "").encode())
    return Source(sha256=identity, size=len(data), text=doc.content or "")


def _too_large(size: int, limit: int) -> str:
    return (
        f"The document is {_mib(size)}, over the {_mib(limit)} limit: split it into smaller files "
        "(or raise AIP_MAX_DOCUMENT_BYTES)."
    )


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else f"{size} bytes"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_type_of(path: Path) -> str | None:
    suffix = path.suffix.lower().lstrip(".")
    return suffix or None


def title_of(path: Path) -> str:
    """A readable title from a file name: 'playbook-email-nurture.md' -> 'Playbook email nurture'."""
    stem = path.stem.replace("_", " ").replace("-", " ").strip()
    return (stem[:1].upper() + stem[1:]) if stem else path.name


def display_path(path: Path) -> str:
    """How an ingested file's upload_path is stored: relative to the repository when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return os.fspath(resolved)
