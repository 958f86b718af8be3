"""Reading documents and writing chunks: one transaction per document, vectors written with binary COPY.

A document's new version replaces the old in one transaction (unchanged chunks keep their rows and
vectors, changed ones are inserted, vanished ones deleted), so a search sees the old version or the new
one, never a document with no chunks. Every write first re-checks that the document and the model plan
are what the caller computed from; otherwise it changes nothing and the document stays pending.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg.types.json import Jsonb

from assets.knowledge.chunking import Chunk
from assets.knowledge.embedding_models import ModelPlan, plan_is_current
from assets.knowledge.sources import DocumentRow, Source

Vectors = dict[str, dict[str, np.ndarray]]  # model -> content hash -> vector


def prepare_connection(conn: psycopg.Connection) -> psycopg.Connection:
    """Teach the connection pgvector's types (numpy <-> vector, text and binary)."""
    if not getattr(conn, "_aip_vector_registered", False):
        register_vector(conn)
        conn._aip_vector_registered = True  # type: ignore[attr-defined]
    return conn


def pipeline_session(conn: psycopg.Connection) -> psycopg.Connection:
    """A connection the pipeline writes with: pgvector types, and commits that do not wait for the WAL flush.
    Every document is written in one transaction and the pipeline is idempotent, so a crash can only lose
    the last few documents' writes as whole transactions, and the next run redoes exactly those."""
    prepare_connection(conn)
    conn.execute("set synchronous_commit = off")
    return conn


def lookup_vectors(conn: psycopg.Connection, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
    """Stored vectors of `model` for these content hashes (from any document): reused, never re-embedded."""
    if not hashes:
        return {}
    with conn.cursor(binary=True) as cur:
        cur.execute(
            "select distinct on (content_hash) content_hash, embedding from public.knowledge_chunks "
            "where embedding_model = %(model)s and content_hash = any(%(hashes)s) and embedding is not null "
            "union all "
            "select distinct on (content_hash) content_hash, embedding from aip.knowledge_chunk_embeddings "
            "where model = %(model)s and content_hash = any(%(hashes)s)",
            {"model": model, "hashes": list(set(hashes))},
        )
        found: dict[str, np.ndarray] = {}
        for content_hash, vector in cur.fetchall():
            found.setdefault(content_hash, as_array(vector))
    return found


def as_array(vector: Any) -> np.ndarray:
    """A vector value as read (numpy array, or pgvector's Vector from binary results) as float32 numpy."""
    if hasattr(vector, "to_numpy"):
        vector = vector.to_numpy()
    return np.asarray(vector, dtype=np.float32)


@dataclass
class WriteResult:
    status: str  # written | changed | gone | plan_changed
    inserted: int = 0
    kept: int = 0
    deleted: int = 0
    updated_at: datetime | None = None


def _claim(conn: psycopg.Connection, doc: DocumentRow, plan: ModelPlan | None) -> str | None:
    """Lock the document row; the reason to back off, or None when the write may go ahead."""
    row = conn.execute(
        "select updated_at from public.knowledge_documents where id = %s for update", (doc.id,)
    ).fetchone()
    if row is None:
        return "gone"
    if row[0] != doc.updated_at:
        return "changed"
    if plan is not None and not plan_is_current(conn, plan):
        return "plan_changed"
    return None


def write_document(
    conn: psycopg.Connection,
    doc: DocumentRow,
    source: Source,
    chunker: str,
    chunks: list[Chunk],
    vectors: Vectors,
    plan: ModelPlan,
    fields: dict[str, Any],
) -> WriteResult:
    """Replace the document's chunks by `chunks` and mark it ready, in one transaction."""
    with conn.transaction():
        reason = _claim(conn, doc, plan)
        if reason:
            return WriteResult(reason)
        existing = conn.execute(
            "select id::text, chunk_index, content_hash, embedding_model, embedding is not null, metadata "
            "from public.knowledge_chunks where document_id = %s order by chunk_index",
            (doc.id,),
        ).fetchall()
        side_models = [slot.name for slot in plan.targets if not slot.in_column]
        have_side = {
            (model, str(chunk_id))
            for model, chunk_id in conn.execute(
                "select model, chunk_id from aip.knowledge_chunk_embeddings "
                "where chunk_id = any(%s::uuid[]) and model = any(%s)",
                ([row[0] for row in existing], side_models),
            ).fetchall()
        }
        by_hash: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for row in existing:
            by_hash[row[2]].append(row)
        kept: dict[int, tuple[Any, ...]] = {}  # new chunk index -> existing row it keeps
        for chunk in chunks:
            candidates = by_hash.get(chunk.content_hash)
            if candidates:
                same_place = next((r for r in candidates if r[1] == chunk.index), candidates[0])
                candidates.remove(same_place)
                kept[chunk.index] = same_place
        kept_ids = {row[0] for row in kept.values()}
        gone = [row[0] for row in existing if row[0] not in kept_ids]
        if gone:
            conn.execute("delete from public.knowledge_chunks where id = any(%s::uuid[])", (gone,))
        moves = [(row[0], index) for index, row in kept.items() if row[1] != index]
        if moves:
            # park moved rows on negative indexes first: (document_id, chunk_index) is unique at every row
            conn.execute(
                "update public.knowledge_chunks as kc set chunk_index = -1 - m.idx "
                "from unnest(%s::uuid[], %s::int[]) as m (id, idx) where kc.id = m.id",
                ([m[0] for m in moves], [m[1] for m in moves]),
            )
        active = plan.active
        new_rows = []
        side_rows = []
        fills = []
        for chunk in chunks:
            row = kept.get(chunk.index)
            chunk_id = row[0] if row else str(uuid.uuid4())
            if row is None:
                vector = vectors[active.name][chunk.content_hash] if active.in_column else None
                new_rows.append((chunk, chunk_id, vector))
            elif active.in_column and not (row[3] == active.name and row[4]):
                fills.append((chunk_id, vectors[active.name][chunk.content_hash]))
            for slot in plan.targets:
                if not slot.in_column and (row is None or (slot.name, chunk_id) not in have_side):
                    side_rows.append(
                        (slot.name, chunk_id, chunk.content_hash, vectors[slot.name][chunk.content_hash])
                    )
        if new_rows:
            _copy_chunks(conn, doc, new_rows, active.name if active.in_column else None)
        # moved rows get their index back; rows whose heading/page changed, their metadata
        changed = [
            (row[0], chunk.index, Jsonb(chunk.metadata))
            for chunk in chunks
            if (row := kept.get(chunk.index)) is not None
            and (row[1] != chunk.index or (row[5] or {}) != chunk.metadata)
        ]
        if changed:
            conn.execute(
                "update public.knowledge_chunks as kc set chunk_index = m.idx, metadata = m.meta "
                "from unnest(%s::uuid[], %s::int[], %s::jsonb[]) as m (id, idx, meta) where kc.id = m.id",
                ([c[0] for c in changed], [c[1] for c in changed], [c[2] for c in changed]),
            )
        if fills:
            _fill_column_vectors(conn, fills, active.name)
        if side_rows:
            copy_side_vectors(conn, side_rows)
        updated_at = _finish_document(conn, doc, source, chunker, "ready", fields)
    return WriteResult(
        "written", inserted=len(new_rows), kept=len(kept), deleted=len(gone), updated_at=updated_at
    )


def _copy_chunks(
    conn: psycopg.Connection,
    doc: DocumentRow,
    rows: list[tuple[Chunk, str, np.ndarray | None]],
    model: str | None,
) -> None:
    with (
        conn.cursor() as cur,
        cur.copy(
            "copy public.knowledge_chunks (id, document_id, bucket_id, chunk_index, content, content_hash, "
            "token_count, embedding, embedding_model, metadata) from stdin with (format binary)"
        ) as copy,
    ):
        copy.set_types(["uuid", "uuid", "uuid", "int4", "text", "text", "int4", "vector", "text", "jsonb"])
        for chunk, chunk_id, vector in rows:
            copy.write_row(
                (
                    uuid.UUID(chunk_id),
                    uuid.UUID(doc.id),
                    uuid.UUID(doc.bucket_id) if doc.bucket_id else None,
                    chunk.index,
                    chunk.content,
                    chunk.content_hash,
                    chunk.token_count,
                    vector,
                    model if vector is not None else None,
                    Jsonb(chunk.metadata),
                )
            )


def copy_side_vectors(conn: psycopg.Connection, rows: list[tuple[str, str, str, np.ndarray]]) -> None:
    """(model, chunk id, content hash, vector) into aip.knowledge_chunk_embeddings via a staging table, so a
    vector another worker wrote first is kept instead of failing the batch."""
    conn.execute(
        "create temp table if not exists _aip_side_vectors "
        "(model text, chunk_id uuid, content_hash text, embedding vector) on commit delete rows"
    )
    with (
        conn.cursor() as cur,
        cur.copy(
            "copy _aip_side_vectors (model, chunk_id, content_hash, embedding) from stdin with (format binary)"
        ) as copy,
    ):
        copy.set_types(["text", "uuid", "text", "vector"])
        for model, chunk_id, content_hash, vector in rows:
            copy.write_row((model, uuid.UUID(chunk_id), content_hash, vector))
    conn.execute(
        "insert into aip.knowledge_chunk_embeddings (model, chunk_id, content_hash, embedding) "
        "select s.model, s.chunk_id, s.content_hash, s.embedding from _aip_side_vectors as s "
        "where exists (select 1 from public.knowledge_chunks as kc where kc.id = s.chunk_id) "
        "on conflict (model, chunk_id) do nothing"
    )
    conn.execute("delete from _aip_side_vectors")


def _fill_column_vectors(conn: psycopg.Connection, fills: list[tuple[str, np.ndarray]], model: str) -> None:
    conn.execute(
        "create temp table if not exists _aip_fill_vectors (id uuid, embedding vector) on commit delete rows"
    )
    with (
        conn.cursor() as cur,
        cur.copy("copy _aip_fill_vectors (id, embedding) from stdin with (format binary)") as copy,
    ):
        copy.set_types(["uuid", "vector"])
        for chunk_id, vector in fills:
            copy.write_row((uuid.UUID(chunk_id), vector))
    conn.execute(
        "update public.knowledge_chunks as kc set embedding = f.embedding, embedding_model = %s "
        "from _aip_fill_vectors as f where kc.id = f.id",
        (model,),
    )
    conn.execute("delete from _aip_fill_vectors")


def _finish_document(
    conn: psycopg.Connection,
    doc: DocumentRow,
    source: Source,
    chunker: str,
    outcome: str,
    fields: dict[str, Any],
) -> datetime:
    assignments = ", ".join(
        "metadata = coalesce(metadata, '{}'::jsonb) || %(metadata)s"
        if name == "metadata"
        else f"{name} = %({name})s"
        for name in fields
    )
    row = conn.execute(
        f"update public.knowledge_documents set {assignments} where id = %(id)s returning updated_at",
        {**{k: Jsonb(v) if k == "metadata" else v for k, v in fields.items()}, "id": doc.id},
    ).fetchone()
    conn.execute(
        "insert into aip.knowledge_document_sources "
        "(document_id, source_sha256, source_size, source_mtime_ns, chunker, outcome, indexed_updated_at) "
        "values (%s, %s, %s, %s, %s, %s, %s) on conflict (document_id) do update set "
        "source_sha256 = excluded.source_sha256, source_size = excluded.source_size, "
        "source_mtime_ns = excluded.source_mtime_ns, chunker = excluded.chunker, outcome = excluded.outcome, "
        "indexed_updated_at = excluded.indexed_updated_at, indexed_at = now()",
        (doc.id, source.sha256, source.size, source.mtime_ns, chunker, outcome, row[0]),
    )
    return row[0]


def write_failure(
    conn: psycopg.Connection, doc: DocumentRow, reason: str, source: Source, chunker: str
) -> WriteResult:
    """Mark one document failed with its reason; a failed document has no searchable chunks."""
    with conn.transaction():
        claim = _claim(conn, doc, None)
        if claim:
            return WriteResult(claim)
        deleted = conn.execute(
            "delete from public.knowledge_chunks where document_id = %s", (doc.id,)
        ).rowcount
        fields = {"status": "failed", "processing_error": reason}
        updated_at = _finish_document(conn, doc, source, chunker, "failed", fields)
    return WriteResult("written", deleted=deleted, updated_at=updated_at)


def mark_unchanged(conn: psycopg.Connection, doc: DocumentRow) -> WriteResult:
    """The source did not change: restore the recorded outcome and remember the row's new updated_at."""
    assert doc.state is not None
    with conn.transaction():
        claim = _claim(conn, doc, None)
        if claim:
            return WriteResult(claim)
        row = conn.execute(
            "update public.knowledge_documents set status = %s where id = %s and status is distinct from %s "
            "returning updated_at",
            (doc.state.outcome, doc.id, doc.state.outcome),
        ).fetchone()
        updated_at = row[0] if row else doc.updated_at
        conn.execute(
            "update aip.knowledge_document_sources set indexed_updated_at = %s where document_id = %s",
            (updated_at, doc.id),
        )
    return WriteResult("written", updated_at=updated_at)
