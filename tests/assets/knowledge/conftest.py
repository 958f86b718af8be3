"""Fixtures of the knowledge-base tests: one embedding model per session, users, buckets, documents.

Only all-MiniLM-L6-v2 ships offline, so the "other models" a switch needs are deterministic wrappers
around it: the same weights under another name with a fixed rotation (same dimension; a query of one
model compared with vectors of the other scores near zero, which makes any mixing visible), and a fixed
random projection to 256 dimensions (a dimension change).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psycopg
import pytest

from assets.knowledge.embedding import DEFAULT_MODEL, Embedder, load_embedder, normalize
from assets.knowledge.store import prepare_connection
from orchestration.settings import REPO_ROOT

CORPUS = REPO_ROOT / "assets" / "knowledge" / "corpus"
BROKEN = REPO_ROOT / "tests" / "fixtures" / "broken_documents"
ROTATED = "minilm-rotated"
PROJECTED = "minilm-projected-256"


class LinearVariant:
    """The base model's vectors times a fixed matrix, renormalized: another "model" built from the same
    weights (the tokenizer is the base model's, as a model's own tokenizer would be)."""

    def __init__(self, base: Embedder, name: str, matrix: np.ndarray) -> None:
        self.base = base
        self.name = name
        self.matrix = matrix.astype(np.float32)
        self.dimension = int(matrix.shape[1])
        self.tokenizer = base.tokenizer
        self.max_tokens = base.max_tokens
        self.calls = 0
        self.texts = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        return normalize(self.base.encode(texts) @ self.matrix)


class CountingEncoder:
    """The base model, counting what it is asked to encode."""

    def __init__(self, base: Embedder) -> None:
        self.base = base
        self.name = base.name
        self.dimension = base.dimension
        self.tokenizer = base.tokenizer
        self.max_tokens = base.max_tokens
        self.texts = 0
        self.fail_after: int | None = None  # raise on the call after this many texts (crash simulation)

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.fail_after is not None and self.texts + len(texts) > self.fail_after:
            raise RuntimeError("simulated crash while embedding")
        self.texts += len(texts)
        return self.base.encode(texts)


@pytest.fixture(scope="session")
def base_embedder() -> Embedder:
    """all-MiniLM-L6-v2, loaded once for the whole session (seconds)."""
    return load_embedder(DEFAULT_MODEL, "auto", 64)


@dataclass
class Models:
    default: CountingEncoder
    rotated: LinearVariant
    projected: LinearVariant

    def __call__(self, name: str):  # noqa: ANN204 - the EmbedderProvider protocol
        for encoder in (self.default, self.rotated, self.projected):
            if encoder.name == name:
                return encoder
        raise KeyError(f"test has no embedder named {name!r}")


@pytest.fixture
def models(base_embedder: Embedder) -> Models:
    rng = np.random.default_rng(7)
    rotation, _ = np.linalg.qr(rng.standard_normal((base_embedder.dimension, base_embedder.dimension)))
    projection = rng.standard_normal((base_embedder.dimension, 256)) / np.sqrt(256)
    return Models(
        default=CountingEncoder(base_embedder),
        rotated=LinearVariant(base_embedder, ROTATED, rotation),
        projected=LinearVariant(base_embedder, PROJECTED, projection),
    )


@pytest.fixture
def pg(conn: psycopg.Connection) -> psycopg.Connection:
    """The test database's autocommit superuser connection, with pgvector types registered."""
    return prepare_connection(conn)


def create_user(conn: psycopg.Connection, email: str) -> str:
    user_id = str(uuid.uuid4())
    conn.execute("insert into auth.users (id, email) values (%s, %s)", (user_id, email))
    return user_id


def create_bucket(
    conn: psycopg.Connection, user_id: str, name: str = "General", bucket_type: str = "general",
    campaign_id: str | None = None,
) -> str:  # fmt: skip
    return str(
        conn.execute(
            "insert into public.knowledge_buckets (created_by, name, bucket_type, campaign_id) "
            "values (%s, %s, %s, %s) returning id",
            (user_id, name, bucket_type, campaign_id),
        ).fetchone()[0]
    )


def add_document(
    conn: psycopg.Connection, bucket_id: str, user_id: str, title: str, content: str = "",
    upload_path: Path | str | None = None, file_type: str | None = None,
) -> str:  # fmt: skip
    """A knowledge_documents row as the app inserts it: status processing, content or an upload_path."""
    name = Path(upload_path).name if upload_path else None
    return str(
        conn.execute(
            "insert into public.knowledge_documents (bucket_id, created_by, title, content, file_name, file_type, "
            "upload_path, status) values (%s, %s, %s, %s, %s, %s, %s, 'processing') returning id",
            (bucket_id, user_id, title, content, name, file_type, str(upload_path) if upload_path else None),
        ).fetchone()[0]
    )


def add_corpus(
    conn: psycopg.Connection, bucket_id: str, user_id: str, files: list[str] | None = None
) -> dict[str, str]:
    """Register corpus files (all, or these names) as documents; returns file name -> document id."""
    paths = sorted(CORPUS.iterdir()) if files is None else [CORPUS / f for f in files]
    return {p.name: add_document(conn, bucket_id, user_id, p.stem, upload_path=p) for p in paths}


def chunk_rows(conn: psycopg.Connection, document_id: str) -> list[tuple[str, int, str, str | None]]:
    """(id, chunk_index, content_hash, embedding_model) of a document's chunks in order."""
    return [
        (str(r[0]), r[1], r[2], r[3])
        for r in conn.execute(
            "select id, chunk_index, content_hash, embedding_model from public.knowledge_chunks "
            "where document_id = %s order by chunk_index",
            (document_id,),
        ).fetchall()
    ]


def assert_consistent(conn: psycopg.Connection) -> None:
    """No duplicate, orphan, unembedded or gapped chunks anywhere in the knowledge base."""
    duplicates = conn.execute(
        "select count(*) from (select document_id, content_hash, chunk_index, count(*) from public.knowledge_chunks "
        "group by 1, 2, 3 having count(*) > 1) as d"
    ).fetchone()[0]
    orphans = conn.execute(
        "select count(*) from public.knowledge_chunks as c left join public.knowledge_documents as d "
        "on d.id = c.document_id where d.id is null or d.status <> 'ready' or d.bucket_id <> c.bucket_id"
    ).fetchone()[0]
    unembedded = conn.execute(
        "select count(*) from public.knowledge_chunks where embedding is null"
    ).fetchone()[0]
    gapped = conn.execute(
        "select count(*) from (select document_id, max(chunk_index) as top, count(*) as n, min(chunk_index) as low "
        "from public.knowledge_chunks group by 1) as g where g.top <> g.n - 1 or g.low <> 0"
    ).fetchone()[0]
    ready_without_chunks = conn.execute(
        "select count(*) from public.knowledge_documents as d where d.status = 'ready' "
        "and not exists (select 1 from public.knowledge_chunks as c where c.document_id = d.id)"
    ).fetchone()[0]
    assert (duplicates, orphans, unembedded, gapped, ready_without_chunks) == (0, 0, 0, 0, 0)


@pytest.fixture
def user(pg: psycopg.Connection) -> Iterator[tuple[str, str]]:
    """(user id, general bucket id) of a fresh user."""
    user_id = create_user(pg, f"user-{uuid.uuid4().hex[:8]}@example.com")
    yield user_id, create_bucket(pg, user_id)


ProviderFactory = Callable[[str], object]
