"""The indexing pipeline: read → parse → chunk → embed → write, for a batch of documents.

The three stages are separate functions so Dagster can show them as assets (parse, chunk, embed) and a
batch can run anywhere; `index_documents` and `ingest_pending` chain them in-process (CLI, `make run`).
Parsing and chunking only compute; every database write (ready, failed, unchanged) happens in the last
stage, one transaction per document, so a batch interrupted at any point leaves each document either
as it was or fully replaced, and the next run finishes the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

from assets.knowledge.batches import ChunkedBatch, ChunkedItem, Failure, IngestReport, ParsedBatch, ParsedItem
from assets.knowledge.chunking import Chunk, DocumentChunker, summarize
from assets.knowledge.embedding import Encoder
from assets.knowledge.embedding_models import ModelPlan, ensure_plan
from assets.knowledge.parsing import DocumentRejected
from assets.knowledge.sources import DocumentRow, Source, load_documents, read_source, stat_upload, title_of
from assets.knowledge.store import Vectors, lookup_vectors, mark_unchanged, write_document, write_failure
from orchestration.settings import Settings

EmbedderProvider = Callable[[str], Encoder]
Progress = Callable[[str, int], None]  # (what, how many more done): "documents" or "chunks"
ENCODE_BATCH = 256


_CHUNKERS: dict[tuple[int, int, int], DocumentChunker] = {}


def chunker_for(encoder: Encoder, settings: Settings) -> DocumentChunker:
    """The chunker cutting by `encoder`'s tokenizer at the configured size (cached: building it scans the
    vocabulary)."""
    limit = getattr(encoder, "max_tokens", None)
    if limit is not None and settings.chunk_tokens > limit - 2:
        raise ValueError(
            f"AIP_CHUNK_TOKENS={settings.chunk_tokens} exceeds what {encoder.name!r} reads ({limit - 2} tokens "
            "plus its 2 special tokens): lower AIP_CHUNK_TOKENS so no chunk is silently truncated."
        )
    key = (id(encoder.tokenizer), settings.chunk_tokens, settings.chunk_overlap)
    if key not in _CHUNKERS:
        _CHUNKERS[key] = DocumentChunker(encoder.tokenizer, settings.chunk_tokens, settings.chunk_overlap)
    return _CHUNKERS[key]


def chunker_signature(plan: ModelPlan, settings: Settings) -> str:
    """Identifies how text is cut: by the active model's tokenizer, at the configured size and overlap."""
    return f"semchunk:{plan.active.name}:{settings.chunk_tokens}:{settings.chunk_overlap}"


def resolve_plan(conn: psycopg.Connection, settings: Settings, embedders: EmbedderProvider) -> ModelPlan:
    configured = embedders(settings.embedding_model)
    return ensure_plan(conn, configured.name, configured.dimension)


# -- stage 1: read and parse --------------------------------------------------------------------------
def parse_documents(
    conn: psycopg.Connection, ids: list[str], settings: Settings, plan: ModelPlan
) -> ParsedBatch:
    signature = chunker_signature(plan, settings)
    docs = load_documents(conn, ids)
    incomplete = _documents_missing_vectors(conn, [d.id for d in docs], plan)
    batch = ParsedBatch(plan, signature, [], [], [])
    for doc in docs:
        try:
            source = read_source(doc, settings)
        except DocumentRejected as rejected:
            stat = stat_upload(doc.upload_path, settings) if doc.upload_path else None
            source = Source(
                f"unreadable:{rejected.kind}", stat[0] if stat else None, mtime_ns=stat[1] if stat else None
            )
            if _same_failure(doc, source, rejected.reason):
                batch.unchanged.append(doc)
            else:
                batch.failures.append(Failure(doc, rejected.reason, source))
            continue
        state = doc.state
        if (
            state is not None
            and state.source_sha256 == source.sha256
            and state.chunker == signature
            and (state.outcome == "failed" or doc.id not in incomplete)
        ):
            batch.unchanged.append(doc)
            continue
        try:
            parsed = source.parse(doc)
            # the bytes are not needed any more; the batch may travel through an IO manager
            batch.items.append(ParsedItem(doc, replace(source, data=None, text=None), parsed))
        except DocumentRejected as rejected:
            batch.failures.append(Failure(doc, rejected.reason, source))
    return batch


def _same_failure(doc: DocumentRow, source: Source, reason: str) -> bool:
    state = doc.state
    return (
        state is not None
        and state.outcome == "failed"
        and state.source_sha256 == source.sha256
        and state.source_size == source.size
        and state.source_mtime_ns == source.mtime_ns
        and doc.processing_error == reason
    )


def _documents_missing_vectors(conn: psycopg.Connection, ids: list[str], plan: ModelPlan) -> set[str]:
    """Documents with a chunk that lacks an active-model vector (indexed before that model was active)."""
    active = plan.active
    if active.in_column:
        query = (
            "select distinct document_id::text from public.knowledge_chunks where document_id = any(%s::uuid[]) "
            "and not coalesce(embedding_model = %s and embedding is not null, false)"
        )
    else:
        query = (
            "select distinct kc.document_id::text from public.knowledge_chunks as kc "
            "where kc.document_id = any(%s::uuid[]) and not exists (select 1 from aip.knowledge_chunk_embeddings e "
            "where e.model = %s and e.chunk_id = kc.id)"
        )
    return {row[0] for row in conn.execute(query, (ids, active.name)).fetchall()}


# -- stage 2: chunk and summarize ---------------------------------------------------------------------
def chunk_documents(batch: ParsedBatch, chunker: DocumentChunker) -> ChunkedBatch:
    out = ChunkedBatch(
        batch.plan, batch.chunker, [], list(batch.failures), list(batch.unchanged), batch.started
    )
    for item in batch.items:
        chunks = chunker.chunk(item.parsed)
        if not chunks:
            out.failures.append(
                Failure(item.doc, "No text could be extracted from this document.", item.source)
            )
            continue
        fields: dict[str, Any] = {
            "status": "ready",
            "processing_error": None,
            "summary": summarize(item.parsed.text),
            "metadata": {
                "chunk_count": len(chunks),
                "token_count": sum(c.token_count for c in chunks),
                "parsed_format": item.parsed.file_type,
                "embedding_model": batch.plan.active.name,
            },
        }
        if item.source.path is not None:
            # the extracted text is what the app shows and searches; the file stays the source of truth
            fields.update(content=item.parsed.text, file_size=item.source.size)
            if not item.doc.file_type:
                fields["file_type"] = item.parsed.file_type
            # a title we made up from the file name gives way to the document's own
            if (
                item.parsed.title
                and item.doc.file_name
                and item.doc.title == title_of(Path(item.doc.file_name))
            ):
                fields["title"] = item.parsed.title[:300]
        out.items.append(ChunkedItem(item.doc, item.source, chunks, fields))
    return out


# -- stage 3: embed (reusing stored vectors) and write --------------------------------------------------
def embed_missing(
    conn: psycopg.Connection,
    plan: ModelPlan,
    chunks: list[Chunk],
    embedders: EmbedderProvider,
    progress: Progress | None = None,
) -> tuple[Vectors, int, int, float]:
    """Vectors for every chunk and plan model: stored ones by content hash, the rest encoded.
    Returns (vectors, encoded, reused, encode seconds)."""
    vectors: Vectors = {}
    encoded = reused = 0
    seconds = 0.0
    for slot in plan.targets:
        texts = {c.content_hash: c.content for c in chunks}
        found = lookup_vectors(conn, slot.name, list(texts))
        missing = [h for h in texts if h not in found]
        started = time.perf_counter()
        found.update(
            encode_texts(embedders(slot.name), {h: texts[h] for h in missing}, progress, slot is plan.active)
        )
        seconds += time.perf_counter() - started
        vectors[slot.name] = found
        if slot is plan.active:
            fresh = set(missing)
            encoded += len(fresh)
            reused += sum(1 for c in chunks if c.content_hash not in fresh)
    return vectors, encoded, reused, seconds


def encode_texts(
    encoder: Encoder, texts: dict[str, str], progress: Progress | None = None, report: bool = True
) -> dict[str, np.ndarray]:
    """Encode {key: text} longest first in slices (same padding efficiency as one call, with progress)."""
    keys = sorted(texts, key=lambda k: len(texts[k]), reverse=True)
    out: dict[str, np.ndarray] = {}
    for start in range(0, len(keys), ENCODE_BATCH):
        part = keys[start : start + ENCODE_BATCH]
        matrix = encoder.encode([texts[k] for k in part])
        if matrix.shape != (len(part), encoder.dimension):
            raise ValueError(
                f"{encoder.name!r} returned vectors of shape {matrix.shape}, expected "
                f"({len(part)}, {encoder.dimension})"
            )
        out.update(zip(part, matrix, strict=True))
        if progress and report:
            progress("chunks", len(part))
    return out


def write_batch(
    conn: psycopg.Connection,
    batch: ChunkedBatch,
    embedders: EmbedderProvider,
    progress: Progress | None = None,
) -> IngestReport:
    report = IngestReport(documents=len(batch.items) + len(batch.failures) + len(batch.unchanged))
    all_chunks = [c for item in batch.items for c in item.chunks]
    vectors, report.embedded, report.reused, report.encode_seconds = embed_missing(
        conn, batch.plan, all_chunks, embedders, progress
    )
    for item in batch.items:
        result = write_document(
            conn, item.doc, item.source, batch.chunker, item.chunks, vectors, batch.plan, item.fields
        )
        if result.status == "written":
            report.ready += 1
            report.chunks += len(item.chunks)
            report.deleted_chunks += result.deleted
        elif result.status != "gone":
            report.requeued += 1
        _advance(progress)
    for failure in batch.failures:
        result = write_failure(conn, failure.doc, failure.reason, failure.source, batch.chunker)
        if result.status == "written":
            report.failed += 1
            report.deleted_chunks += result.deleted
            report.failures[failure.doc.title] = failure.reason
        elif result.status != "gone":
            report.requeued += 1
        _advance(progress)
    for doc in batch.unchanged:
        if doc.status != (doc.state.outcome if doc.state else None) or doc.updated_at != (
            doc.state.indexed_updated_at if doc.state else None
        ):
            mark_unchanged(conn, doc)
        report.unchanged += 1
        _advance(progress)
    report.seconds = time.perf_counter() - batch.started
    return report


def _advance(progress: Progress | None) -> None:
    if progress:
        progress("documents", 1)


def index_documents(
    conn: psycopg.Connection,
    ids: list[str],
    settings: Settings,
    embedders: EmbedderProvider,
    progress: Progress | None = None,
    plan: ModelPlan | None = None,
) -> IngestReport:
    """Parse, chunk, embed and write these documents (any status) in-process."""
    plan = plan or resolve_plan(conn, settings, embedders)
    chunker = chunker_for(embedders(plan.active.name), settings)
    parsed = parse_documents(conn, ids, settings, plan)
    return write_batch(conn, chunk_documents(parsed, chunker), embedders, progress)
