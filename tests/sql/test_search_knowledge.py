"""search_knowledge_chunks(): only the given user's buckets, the optional bucket-type and campaign filters,
the similarity threshold, ordering by similarity and the limit; a query of another dimension fails naming
both dimensions; a signed-in user cannot search someone else's knowledge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import numpy as np
import psycopg
import pytest
from psycopg import errors

from tests.conftest import TEST_DIMENSION

from .rows import acting_as, embedding, insert, new_user, random_embedding

QUERY = embedding(TEST_DIMENSION, 1.0)
SEARCH = "select * from public.search_knowledge_chunks(%s, %s::vector, %s, %s, %s, %s)"


@dataclass
class Knowledge:
    alice: uuid.UUID
    bob: uuid.UUID
    campaign: uuid.UUID
    other_campaign: uuid.UUID
    chunks: dict[str, uuid.UUID]  # label -> chunk id


def _chunk(
    conn: psycopg.Connection, bucket: uuid.UUID, document: uuid.UUID, label: str, similarity: float
) -> uuid.UUID:
    return insert(
        conn,
        "knowledge_chunks",
        bucket_id=bucket,
        document_id=document,
        chunk_index=int(similarity * 1000),
        content=label,
        content_hash=label,
        embedding=embedding(TEST_DIMENSION, similarity, axis=len(label)),
    )


@pytest.fixture
def knowledge(conn: psycopg.Connection) -> Knowledge:
    alice, bob = new_user(conn), new_user(conn)
    campaign = insert(conn, "campaigns", created_by=alice)
    other_campaign = insert(conn, "campaigns", created_by=alice)
    general = insert(
        conn, "knowledge_buckets", created_by=alice, name="general", bucket_type="general", campaign_id=None
    )
    launch = insert(
        conn,
        "knowledge_buckets",
        created_by=alice,
        name="launch",
        bucket_type="campaign",
        campaign_id=campaign,
    )
    webinar = insert(
        conn,
        "knowledge_buckets",
        created_by=alice,
        name="webinar",
        bucket_type="campaign",
        campaign_id=other_campaign,
    )
    bobs = insert(
        conn, "knowledge_buckets", created_by=bob, name="bob", bucket_type="general", campaign_id=None
    )
    docs = {
        b: insert(
            conn, "knowledge_documents", bucket_id=b, created_by=owner, title=f"doc {n}", summary=f"about {n}"
        )
        for b, owner, n in (
            (general, alice, "general"),
            (launch, alice, "launch"),
            (webinar, alice, "webinar"),
            (bobs, bob, "bob"),
        )
    }
    plan = {
        "general-95": (general, 0.95),
        "launch-90": (launch, 0.90),
        "webinar-85": (webinar, 0.85),
        "general-80": (general, 0.80),
        "launch-60": (launch, 0.60),
        "bob-99": (bobs, 0.99),
    }
    chunks = {label: _chunk(conn, bucket, docs[bucket], label, sim) for label, (bucket, sim) in plan.items()}
    # a chunk not embedded yet is never a result
    insert(
        conn, "knowledge_chunks", bucket_id=general, document_id=docs[general], chunk_index=1, content="raw"
    )
    return Knowledge(alice, bob, campaign, other_campaign, chunks)


def _labels(rows: list[tuple]) -> list[str]:
    return [row[6] for row in rows]  # chunk_content holds the label


def test_results_are_the_users_chunks_above_the_threshold_by_similarity(
    conn: psycopg.Connection, knowledge: Knowledge
) -> None:
    rows = conn.execute(SEARCH, (knowledge.alice, QUERY, None, None, 10, 0.7)).fetchall()
    assert _labels(rows) == ["general-95", "launch-90", "webinar-85", "general-80"]
    scores = [row[8] for row in rows]
    assert scores == pytest.approx([0.95, 0.90, 0.85, 0.80], abs=1e-5)
    first = rows[0]
    assert first[0] == knowledge.chunks["general-95"]
    assert (first[3], first[4], first[5]) == ("general", "doc general", "about general")


def test_default_threshold_is_0_7_and_a_lower_one_lets_weaker_chunks_in(
    conn: psycopg.Connection, knowledge: Knowledge
) -> None:
    defaults = conn.execute(
        "select chunk_content from public.search_knowledge_chunks(%s, %s::vector)", (knowledge.alice, QUERY)
    ).fetchall()
    assert [r[0] for r in defaults] == ["general-95", "launch-90", "webinar-85", "general-80"]
    rows = conn.execute(SEARCH, (knowledge.alice, QUERY, None, None, 10, 0.5)).fetchall()
    assert _labels(rows)[-1] == "launch-60"
    assert "bob-99" not in _labels(rows)


def test_limit(conn: psycopg.Connection, knowledge: Knowledge) -> None:
    rows = conn.execute(SEARCH, (knowledge.alice, QUERY, None, None, 2, 0.0)).fetchall()
    assert _labels(rows) == ["general-95", "launch-90"]


@pytest.mark.parametrize(
    ("bucket_type", "campaign", "expected"),
    [
        ("general", None, ["general-95", "general-80"]),
        ("campaign", None, ["launch-90", "webinar-85", "launch-60"]),
        (None, "campaign", ["launch-90", "launch-60"]),
        ("campaign", "other_campaign", ["webinar-85"]),
        ("general", "campaign", []),
    ],
)
def test_bucket_type_and_campaign_filters(
    conn: psycopg.Connection,
    knowledge: Knowledge,
    bucket_type: str | None,
    campaign: str | None,
    expected: list[str],
) -> None:
    campaign_id = getattr(knowledge, campaign) if campaign else None
    rows = conn.execute(SEARCH, (knowledge.alice, QUERY, bucket_type, campaign_id, 10, 0.5)).fetchall()
    assert _labels(rows) == expected


def test_other_users_knowledge_is_never_returned(conn: psycopg.Connection, knowledge: Knowledge) -> None:
    rows = conn.execute(SEARCH, (knowledge.bob, QUERY, None, None, 10, 0.0)).fetchall()
    assert _labels(rows) == ["bob-99"]
    assert conn.execute(SEARCH, (new_user(conn), QUERY, None, None, 10, 0.0)).fetchall() == []


def test_query_of_another_dimension_fails_naming_both_dimensions(
    conn: psycopg.Connection, knowledge: Knowledge
) -> None:
    with pytest.raises(psycopg.Error) as failure:
        conn.execute(SEARCH, (knowledge.alice, "[1,0,0]", None, None, 10, 0.7))
    message = str(failure.value)
    assert "query embedding has 3 dimensions" in message
    assert f"stores {TEST_DIMENSION}" in message


def test_unknown_bucket_type_is_rejected(conn: psycopg.Connection, knowledge: Knowledge) -> None:
    with pytest.raises(psycopg.Error, match="unknown bucket type"):
        conn.execute(SEARCH, (knowledge.alice, QUERY, "private", None, 10, 0.7))


def test_signed_in_user_searches_own_knowledge_only(conn: psycopg.Connection, knowledge: Knowledge) -> None:
    with acting_as(conn, "authenticated", knowledge.alice):
        rows = conn.execute(SEARCH, (knowledge.alice, QUERY, None, None, 10, 0.7)).fetchall()
        assert _labels(rows) == ["general-95", "launch-90", "webinar-85", "general-80"]
    with acting_as(conn, "authenticated", knowledge.alice), pytest.raises(errors.InsufficientPrivilege):
        conn.execute(SEARCH, (knowledge.bob, QUERY, None, None, 10, 0.0))
    with acting_as(conn, "anon"), pytest.raises(errors.InsufficientPrivilege):
        conn.execute(SEARCH, (knowledge.alice, QUERY, None, None, 10, 0.0))


def test_filtered_search_through_the_hnsw_index_still_fills_the_limit(conn: psycopg.Connection) -> None:
    """Other users' chunks nearer to the query than all of Alice's must not starve her result: with the
    index scan forced, only an iterative HNSW scan finds her chunks behind 300 closer ones of Bob."""
    alice, bob = new_user(conn), new_user(conn)
    mine = insert(conn, "knowledge_buckets", created_by=alice, bucket_type="general", campaign_id=None)
    theirs = insert(conn, "knowledge_buckets", created_by=bob, bucket_type="general", campaign_id=None)
    rng = np.random.default_rng(7)
    rows = [(theirs, f"bob-{i}", random_embedding(TEST_DIMENSION, 0.95 - i * 1e-4, rng)) for i in range(300)]
    rows += [(mine, f"alice-{i}", random_embedding(TEST_DIMENSION, 0.8 - i * 0.01, rng)) for i in range(5)]
    with conn.cursor() as cur:
        cur.executemany(
            "insert into public.knowledge_chunks (bucket_id, content, content_hash, chunk_index, embedding) "
            "values (%s, %s, %s, 0, %s)",
            [(b, label, label, vec) for b, label, vec in rows],
        )
    conn.execute("analyze public.knowledge_chunks")
    conn.execute("drop index public.idx_knowledge_chunks_bucket")
    conn.execute("set enable_seqscan = off")
    found = conn.execute(SEARCH, (alice, QUERY, None, None, 5, 0.5)).fetchall()
    assert _labels(found) == [f"alice-{i}" for i in range(5)]
    # control: the same filtered index scan without iterative scanning is starved by Bob's closer chunks
    conn.execute("set hnsw.iterative_scan = off")
    plain = conn.execute(
        "select count(*) from (select kc.id from public.knowledge_chunks as kc where kc.bucket_id = %s "
        "order by kc.embedding <=> %s::vector limit 5) as s",
        (mine, QUERY),
    ).fetchone()[0]
    assert plain < 5
