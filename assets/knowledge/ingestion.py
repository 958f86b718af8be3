"""Entry points that run the whole pipeline in-process: everything pending (`make run`, the CLI) and
files added with `aip ingest PATH… --user EMAIL --bucket NAME`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import psycopg

from assets.knowledge.batches import IngestReport
from assets.knowledge.conversations import embed_pending_messages
from assets.knowledge.indexing import EmbedderProvider, Progress, index_documents, resolve_plan
from assets.knowledge.model_build import build_model
from assets.knowledge.search import default_embedders
from assets.knowledge.sources import display_path, file_type_of, find_pending_documents, title_of
from assets.knowledge.store import pipeline_session
from orchestration.settings import Settings

DOCUMENT_BATCH = 128  # documents per in-process batch: one encode call for all their chunks
MAX_PASSES = 3  # documents changed while we indexed them are retried, but not forever


class IngestError(RuntimeError):
    """Ingestion cannot start; the message says what to do."""


def connect_platform(settings: Settings) -> psycopg.Connection:
    from orchestration.database import connect, database_url

    return pipeline_session(connect(database_url(settings), autocommit=True))


def process_pending(
    conn: psycopg.Connection,
    settings: Settings,
    embedders: EmbedderProvider,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
    build: bool = True,
) -> IngestReport:
    """Index every pending document, embed pending conversation messages, and advance a model change."""
    started = time.perf_counter()
    report = IngestReport()
    plan = resolve_plan(conn, settings, embedders)
    for _ in range(MAX_PASSES):
        pending = find_pending_documents(conn, settings)
        if not pending:
            break
        if on_total:
            on_total(len(pending))
        passed = IngestReport()
        for start in range(0, len(pending), DOCUMENT_BATCH):
            batch = index_documents(
                conn, pending[start : start + DOCUMENT_BATCH], settings, embedders, progress, plan
            )
            passed.merge(batch)
        report.merge(passed)
        if passed.requeued == 0:
            break
        plan = resolve_plan(conn, settings, embedders)
    report.messages_embedded = embed_pending_messages(conn, plan, embedders)
    if build and plan.building:
        built = build_model(conn, plan, embedders)
        report.model_chunks_embedded = built.chunks_embedded
        report.messages_embedded += built.messages_embedded
        report.model_switched = built.switched
    report.seconds = time.perf_counter() - started
    return report


def ingest_pending(
    settings: Settings,
    embedders: EmbedderProvider | None = None,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> IngestReport:
    """Process all `processing`/changed documents and pending conversation messages of the platform DB."""
    with connect_platform(settings) as conn:
        return process_pending(conn, settings, embedders or default_embedders(settings), progress, on_total)


def user_id_for(conn: psycopg.Connection, email: str) -> str:
    row = conn.execute("select id::text from auth.users where lower(email) = lower(%s)", (email,)).fetchone()
    if row is None:
        raise IngestError(
            f"No user with email {email!r}: create the user first (for the demo: aip demo-data)."
        )
    return row[0]


def ensure_bucket(conn: psycopg.Connection, user_id: str, name: str) -> str:
    """The user's bucket called `name`, created as a general bucket when missing."""
    row = conn.execute(
        "insert into public.knowledge_buckets (created_by, name, bucket_type) values (%s, %s, 'general') "
        "on conflict (created_by, name) do nothing returning id::text",
        (user_id, name),
    ).fetchone()
    if row:
        return row[0]
    return conn.execute(
        "select id::text from public.knowledge_buckets where created_by = %s and name = %s", (user_id, name)
    ).fetchone()[0]


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the files under directories named (hidden ones skipped), in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            files.append(path)
        else:
            raise IngestError(f"{path} does not exist: pass existing files or directories.")
    return files


def register_files(conn: psycopg.Connection, files: list[Path], user_id: str, bucket_id: str) -> list[str]:
    """One knowledge_documents row per file (found again by its upload_path); new rows are `processing`.
    Returns the ids of all the files' documents (the pipeline skips those whose file did not change)."""
    ids: list[str] = []
    for path in files:
        upload_path = display_path(path)
        row = conn.execute(
            "select id::text from public.knowledge_documents where bucket_id = %s and upload_path = %s",
            (bucket_id, upload_path),
        ).fetchone()
        if row is None:
            row = conn.execute(
                "insert into public.knowledge_documents (bucket_id, created_by, title, content, file_name, "
                "file_type, file_size, upload_path, status) "
                "values (%s, %s, %s, '', %s, %s, %s, %s, 'processing') returning id::text",
                (
                    bucket_id,
                    user_id,
                    title_of(path),
                    path.name,
                    file_type_of(path),
                    path.stat().st_size,
                    upload_path,
                ),
            ).fetchone()
        ids.append(row[0])
    return ids


def ingest_paths(
    settings: Settings,
    paths: list[Path],
    email: str,
    bucket: str,
    embedders: EmbedderProvider | None = None,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> IngestReport:
    """Add (or refresh) files in a user's bucket and index them now."""
    files = expand_paths(paths)
    if not files:
        raise IngestError("No files found under the given paths.")
    embedders = embedders or default_embedders(settings)
    with connect_platform(settings) as conn:
        user_id = user_id_for(conn, email)
        bucket_id = ensure_bucket(conn, user_id, bucket)
        ids = register_files(conn, files, user_id, bucket_id)
        if on_total:
            on_total(len(ids))
        started = time.perf_counter()
        report = IngestReport()
        for start in range(0, len(ids), DOCUMENT_BATCH):
            report.merge(
                index_documents(conn, ids[start : start + DOCUMENT_BATCH], settings, embedders, progress)
            )
        report.seconds = time.perf_counter() - started
        return report
