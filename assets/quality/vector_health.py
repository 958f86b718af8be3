"""Health of the knowledge base's vectors: chunks that search would serve wrongly or not at all.

- orphan chunks: their document is gone or `failed`, or the chunk sits in another bucket than its document,
  or the bucket belongs to someone else than the document (the foreign keys cascade deletes, so a truly
  dangling chunk can only come from a writer that bypassed them — these are the ways left to go wrong);
- chunks of `ready` documents without a vector: invisible to semantic search;
- vectors of another model than the configured one: not comparable with query vectors (expected for a
  while during a model switch, which re-embeds in the background, hence only a warning).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import dict_row

SAMPLE_PER_KIND = 10

_CHUNKS = """
    select
        c.id as chunk_id,
        c.document_id,
        c.bucket_id,
        c.chunk_index,
        c.embedding is null as without_vector,
        c.embedding_model,
        d.status as document_status,
        case
            when d.id is null then 'document missing'
            when d.status = 'failed' then 'document failed'
            when b.id is null then 'bucket missing'
            when c.bucket_id is distinct from d.bucket_id then 'chunk in another bucket than its document'
            when d.created_by is not null and b.created_by is distinct from d.created_by
                then 'bucket owned by another user than the document'
        end as orphan_reason
    from public.knowledge_chunks as c
    left join public.knowledge_documents as d on c.document_id = d.id
    left join public.knowledge_buckets as b on c.bucket_id = b.id
"""


@dataclass(frozen=True)
class VectorHealth:
    chunks: int
    orphans: int
    ready_without_vector: int
    other_model: int
    configured_model: str
    samples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.orphans == self.ready_without_vector == self.other_model == 0

    @property
    def severity(self) -> str:
        """ERROR when search serves wrong or missing content; WARN when only models are mixed."""
        return "ERROR" if self.orphans or self.ready_without_vector else "WARN"

    @property
    def problems(self) -> int:
        return self.orphans + self.ready_without_vector + self.other_model


def measure(conn: psycopg.Connection, configured_model: str) -> VectorHealth:
    """Count (and sample) the chunks in each unhealthy state."""
    counts = conn.execute(
        f"""
        with chunks as ({_CHUNKS})
        select
            count(*),
            count(*) filter (where orphan_reason is not null),
            count(*) filter (where document_status = 'ready' and without_vector),
            count(*) filter (where not without_vector and embedding_model is distinct from %(model)s)
        from chunks
        """,
        {"model": configured_model},
    ).fetchone()
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            f"""
            with chunks as ({_CHUNKS}),

            problems as (
                select chunk_id, document_id, chunk_index, 'orphan: ' || orphan_reason as problem,
                    1 as kind
                from chunks where orphan_reason is not null
                union all
                select chunk_id, document_id, chunk_index, 'ready document, no vector', 2
                from chunks where document_status = 'ready' and without_vector
                union all
                select chunk_id, document_id, chunk_index,
                    'vector of model ' || coalesce(embedding_model, 'unknown'), 3
                from chunks where not without_vector and embedding_model is distinct from %(model)s
            ),

            ranked as (
                select *, row_number() over (partition by kind order by document_id, chunk_index) as n
                from problems
            )

            select chunk_id, document_id, chunk_index, problem
            from ranked where n <= %(per_kind)s
            order by kind, n
            """,
            {"model": configured_model, "per_kind": SAMPLE_PER_KIND},
        )
        samples = list(cur.fetchall())
    return VectorHealth(
        chunks=counts[0],
        orphans=counts[1],
        ready_without_vector=counts[2],
        other_model=counts[3],
        configured_model=configured_model,
        samples=samples,
    )
