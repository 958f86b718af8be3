"""Search a user's knowledge base (and conversation memory) as that user.

Each search runs in one transaction under the user's row-level-security context (role `authenticated`,
JWT claim `sub` = the user), exactly as the app's requests do, and reads the active model and the vectors
in one snapshot (repeatable read), so a model switch committing mid-search cannot pair a query embedded by
one model with vectors of another. The query text travels only as a bound parameter.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import pq

from assets.knowledge.embedding import Encoder, load_embedder
from assets.knowledge.store import prepare_connection
from orchestration.settings import Settings, get_settings

EF_SEARCH = 100
ConnOrResource = Any  # a psycopg connection, or anything with .connect() (PostgresResource) / a URL string


@dataclass(frozen=True)
class SearchHit:
    chunk_id: str
    bucket_id: str
    document_id: str
    bucket_name: str
    document_title: str | None
    document_summary: str | None
    content: str
    chunk_index: int
    similarity: float | None
    metadata: dict[str, Any]
    score: float
    matched_by: str  # vector | text | both


@dataclass(frozen=True)
class MessageHit:
    message_id: str
    conversation_id: str
    role: str | None
    content: str
    timestamp: Any
    similarity: float


class SearchError(RuntimeError):
    """The search cannot run as asked; the message says what to change."""


def default_embedders(settings: Settings | None = None) -> Callable[[str], Encoder]:
    settings = settings or get_settings()
    return lambda name: load_embedder(name, settings.embedding_precision, settings.embedding_batch_size)


@contextmanager
def _connection(target: ConnOrResource) -> Iterator[psycopg.Connection]:
    if isinstance(target, psycopg.Connection):
        yield target
    elif isinstance(target, str):
        with psycopg.connect(target, autocommit=True) as conn:
            yield conn
    else:
        with target.connect(autocommit=True) as conn:
            yield conn


@contextmanager
def as_user(
    conn: psycopg.Connection, user_id: str, local_settings: dict[str, str] | None = None
) -> Iterator[psycopg.Connection]:
    """A transaction running as `user_id` under RLS; one snapshot when the connection is idle.
    `local_settings` (e.g. hnsw.ef_search) are set for the transaction in the same round trip as the role
    and the claims: each round trip is a sizeable share of a ~1 ms search."""
    idle = conn.info.transaction_status == pq.TransactionStatus.IDLE
    with conn.transaction():
        if idle:
            conn.execute("set transaction isolation level repeatable read")
        # set_config('role', ..., true) is SET LOCAL ROLE (same setting, same membership check)
        names = ["role", "request.jwt.claims", *(local_settings or {})]
        values = ["authenticated", json.dumps({"sub": str(user_id), "role": "authenticated"})]
        values += [str(v) for v in (local_settings or {}).values()]
        conn.execute(
            "select " + ", ".join("set_config(%s, %s, true)" for _ in names),
            [item for pair in zip(names, values, strict=True) for item in pair],
        )
        try:
            yield conn
        finally:
            if conn.info.transaction_status != pq.TransactionStatus.INERROR:
                # inside a caller's transaction SET LOCAL would outlive us: give the session back
                conn.execute("reset role")
                conn.execute("select set_config('request.jwt.claims', '', true)")


def _query_vector(conn: psycopg.Connection, text: str, embedders: Callable[[str], Encoder], fallback: str):
    model, dimension, _ = conn.execute("select * from aip.active_embedding_model()").fetchone()
    encoder = embedders(model or fallback)
    if encoder.dimension != dimension:
        raise SearchError(
            f"The embedder for {encoder.name!r} gives {encoder.dimension} dimensions but the knowledge base "
            f"stores {dimension}: set AIP_EMBEDDING_MODEL to the model that built it."
        )
    return model, encoder.encode([text])[0]


def search(
    conn_or_resource: ConnOrResource,
    user_id: str | uuid.UUID,
    text: str,
    bucket_type: str | None = None,
    campaign_id: str | uuid.UUID | None = None,
    limit: int = 10,
    hybrid: bool = False,
    *,
    embedders: Callable[[str], Encoder] | None = None,
    similarity_threshold: float | None = None,
    agent_type: str = "aip",
    settings: Settings | None = None,
) -> list[SearchHit]:
    """The user's most relevant chunks for `text` (vector, or vector + full text fused by reciprocal rank
    fusion when `hybrid`); every search is recorded in knowledge_access_logs."""
    if not text or not text.strip():
        raise SearchError("The search text is empty: pass what to look for.")
    if limit < 1:
        raise SearchError("limit must be at least 1.")
    settings = settings or get_settings()
    embedders = embedders or default_embedders(settings)
    with _connection(conn_or_resource) as conn:
        prepare_connection(conn)
        # a wider HNSW beam than pgvector's default 40: recall@10 ~0.97 instead of ~0.92 on 100k vectors
        with as_user(conn, str(user_id), {"hnsw.ef_search": str(EF_SEARCH)}):
            model, vector = _query_vector(conn, text, embedders, settings.embedding_model)
            rows = conn.execute(
                "select * from aip.search_knowledge(p_user_id => %s, p_query_embedding => %s, "
                "p_query_text => %s, p_bucket_type => %s, p_campaign_id => %s, p_limit => %s, "
                "p_similarity_threshold => %s, p_hybrid => %s, p_agent_type => %s, p_model => %s)",
                (
                    str(user_id),
                    vector,
                    text,
                    bucket_type,
                    str(campaign_id) if campaign_id else None,
                    limit,
                    similarity_threshold,
                    hybrid,
                    agent_type,
                    model,
                ),
            ).fetchall()
    return [
        SearchHit(
            str(r[0]), str(r[1]), str(r[2]), r[3], r[4], r[5], r[6], r[7], r[8], r[9] or {}, r[10], r[11]
        )
        for r in rows
    ]


def search_conversations(
    conn_or_resource: ConnOrResource,
    user_id: str | uuid.UUID,
    text: str,
    limit: int = 10,
    conversation_id: str | uuid.UUID | None = None,
    *,
    embedders: Callable[[str], Encoder] | None = None,
    settings: Settings | None = None,
) -> list[MessageHit]:
    """The user's earlier conversation messages closest to `text` (conversation memory)."""
    settings = settings or get_settings()
    embedders = embedders or default_embedders(settings)
    with _connection(conn_or_resource) as conn:
        prepare_connection(conn)
        with as_user(conn, str(user_id)):
            model, vector = _query_vector(conn, text, embedders, settings.embedding_model)
            rows = conn.execute(
                "select * from aip.search_conversation_messages(%s, %s, %s, %s, %s)",
                (str(user_id), vector, limit, str(conversation_id) if conversation_id else None, model),
            ).fetchall()
    return [MessageHit(str(r[0]), str(r[1]), r[2], r[3], r[4], r[5]) for r in rows]
