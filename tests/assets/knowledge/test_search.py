"""Search as the product does it: the user's RLS context, filters, hybrid ranking, access logs, and the
guarantees around it (isolation, dimension check, query text as data, full results under filters)."""

from __future__ import annotations

import json
import uuid

import numpy as np
import psycopg
import pytest

from assets.knowledge.ingestion import process_pending
from assets.knowledge.search import SearchError, search
from orchestration.settings import Settings
from tests.assets.knowledge.conftest import Models, add_corpus, add_document, create_bucket, create_user

FILES = ["playbook-seo-content.md", "playbook-webinar-lead-generation.md", "faq-billing.txt"]


@pytest.fixture
def corpus(
    pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models
) -> dict[str, str]:
    user_id, bucket = user
    ids = add_corpus(pg, bucket, user_id, FILES)
    process_pending(pg, settings, models)
    return ids


def test_search_finds_the_answer_and_logs_it(
    pg: psycopg.Connection, user: tuple[str, str], corpus: dict[str, str], models: Models
) -> None:
    user_id, _ = user
    hits = search(pg, user_id, "How do we score keywords before writing an article?", limit=3, embedders=models,
                  agent_type="test-agent")  # fmt: skip
    assert len(hits) == 3
    assert hits[0].document_id == corpus["playbook-seo-content.md"]
    assert hits[0].similarity > 0.4 and hits[0].matched_by == "vector"
    assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)
    logs = pg.execute(
        "select chunk_id::text, user_id::text, query_text, agent_type, similarity_score from public.knowledge_access_logs"
    ).fetchall()
    assert {r[0] for r in logs} == {h.chunk_id for h in hits}
    assert {(r[1], r[2], r[3]) for r in logs} == {
        (user_id, "How do we score keywords before writing an article?", "test-agent")
    }
    # nothing above the threshold: no hits, and the search is still on record
    assert (
        search(pg, user_id, "quantum chromodynamics lattice", similarity_threshold=0.95, embedders=models)
        == []
    )
    last = pg.execute(
        "select chunk_id, query_text from public.knowledge_access_logs order by created_at desc, id limit 1"
    ).fetchone()
    assert last == (None, "quantum chromodynamics lattice")


def test_hybrid_adds_exact_word_matches(
    pg: psycopg.Connection, user: tuple[str, str], corpus: dict[str, str], settings: Settings, models: Models
) -> None:
    user_id, bucket = user
    code = add_document(pg, bucket, user_id, "SKU list", content=(
        "Internal catalogue entry. The referral bundle is sold under article number QX7731 in the EU store. "
        "Contact the partner desk for volume pricing."))  # fmt: skip
    process_pending(pg, settings, models)
    hybrid = search(pg, user_id, "QX7731", limit=5, hybrid=True, embedders=models)
    top = hybrid[0]
    assert top.document_id == code and top.matched_by in ("text", "both")
    assert top.score == max(h.score for h in hybrid)
    assert all(h.similarity is not None for h in hybrid)
    # RRF scores: 1/(60 + rank) per list the chunk is in
    assert top.score <= 2 / 61 + 1e-9


def test_filters_by_bucket_type_and_campaign(
    pg: psycopg.Connection, user: tuple[str, str], corpus: dict[str, str], settings: Settings, models: Models
) -> None:
    user_id, _ = user
    campaign = str(pg.execute("insert into public.campaigns (created_by, name) values (%s, 'Spring') returning id",
                              (user_id,)).fetchone()[0])  # fmt: skip
    campaign_bucket = create_bucket(pg, user_id, "Spring brief", "campaign", campaign)
    brief = add_document(pg, campaign_bucket, user_id, "Spring brief",
                         content="The spring campaign targets mid-market CFOs with a pricing calculator.")  # fmt: skip
    process_pending(pg, settings, models)
    general = search(pg, user_id, "pricing calculator for CFOs", bucket_type="general", embedders=models)
    assert general and brief not in {h.document_id for h in general}
    scoped = search(pg, user_id, "pricing calculator for CFOs", campaign_id=campaign, embedders=models)
    assert {h.document_id for h in scoped} == {brief}
    assert {
        h.bucket_name for h in search(pg, user_id, "pricing", bucket_type="campaign", embedders=models)
    } == {"Spring brief"}


def test_users_never_see_each_others_chunks(
    pg: psycopg.Connection, user: tuple[str, str], corpus: dict[str, str], settings: Settings, models: Models
) -> None:
    user_id, _ = user
    other = create_user(pg, "other@example.com")
    secret = add_document(pg, create_bucket(pg, other), other, "Secret",
                          content="Our confidential acquisition target is Globex, closing in March.")  # fmt: skip
    process_pending(pg, settings, models)
    mine = search(
        pg, user_id, "confidential acquisition target Globex", limit=20, hybrid=True, embedders=models
    )
    assert mine and secret not in {h.document_id for h in mine}
    theirs = search(pg, other, "confidential acquisition target Globex", embedders=models)
    assert {h.document_id for h in theirs} == {secret}
    # signed in as one user, asking for the other's knowledge is refused by the database itself
    vector = models.default.encode(["Globex"])[0]
    with pg.transaction(), pytest.raises(psycopg.errors.InsufficientPrivilege):
        pg.execute("set local role authenticated")
        pg.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps({"sub": user_id}),))
        pg.execute("select * from aip.search_knowledge(%s, %s)", (other, vector))
    # and row-level security hides the rows themselves
    with pg.transaction():
        pg.execute("set local role authenticated")
        pg.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps({"sub": user_id}),))
        visible = pg.execute("select count(*) from public.knowledge_chunks where document_id = %s", (secret,))
        assert visible.fetchone()[0] == 0
        pg.execute("reset role")


def test_query_of_another_dimension_is_rejected(pg: psycopg.Connection, corpus: dict[str, str], user) -> None:  # noqa: ANN001
    user_id, _ = user
    wrong = np.ones(383, dtype=np.float32) / np.sqrt(383)
    with pytest.raises(psycopg.errors.DataException) as error:
        pg.execute("select * from public.search_knowledge_chunks(%s, %s)", (user_id, wrong))
    assert "383" in str(error.value) and "384" in str(error.value)


def test_query_text_is_data_never_sql(
    pg: psycopg.Connection, user: tuple[str, str], corpus: dict[str, str], models: Models
) -> None:
    user_id, _ = user
    hostile = "webinar'); drop table public.knowledge_chunks; -- & | ! :* <-> \\"
    for hybrid in (False, True):
        assert search(pg, user_id, hostile, hybrid=hybrid, embedders=models)
    assert pg.execute("select count(*) from public.knowledge_chunks").fetchone()[0] > 0
    logged = pg.execute("select distinct query_text from public.knowledge_access_logs").fetchall()
    assert logged == [(hostile,)]
    with pytest.raises(SearchError):
        search(pg, user_id, "   ", embedders=models)


QUESTION = "How do we score keywords before writing an article?"


def add_crowd(pg: psycopg.Connection, models: Models, count: int = 3000) -> np.ndarray:
    """Another user's `count` chunks, all nearer to QUESTION than any real chunk; returns QUESTION's vector."""
    other = create_user(pg, "crowd@example.com")
    crowd_bucket = create_bucket(pg, other)
    crowd_doc = add_document(pg, crowd_bucket, other, "Crowd", content="x")
    base = models.default.encode([QUESTION])[0]
    rng = np.random.default_rng(3)
    with (
        pg.cursor() as cur,
        cur.copy(
            "copy public.knowledge_chunks (document_id, bucket_id, chunk_index, content, content_hash, embedding, "
            "embedding_model) from stdin with (format binary)"
        ) as copy,
    ):
        copy.set_types(["uuid", "uuid", "int4", "text", "text", "vector", "text"])
        for i in range(count):
            vector = base + rng.normal(0, 0.02, base.shape).astype(np.float32)
            copy.write_row((uuid.UUID(crowd_doc), uuid.UUID(crowd_bucket), i, f"crowd {i}", f"h{i}", vector / np.linalg.norm(vector),
                            models.default.name))  # fmt: skip
    pg.execute("update public.knowledge_documents set status = 'ready' where id = %s", (crowd_doc,))
    # make the planner walk the HNSW index (as it does when a filter is not selective): no bucket btree
    pg.execute("drop index public.idx_knowledge_chunks_bucket")
    pg.execute("set enable_seqscan = off")
    return base


def test_filtered_search_keeps_full_results_with_iterative_scan(
    pg: psycopg.Connection, user: tuple[str, str], corpus: dict[str, str], models: Models
) -> None:
    """Another user's 3000 chunks crowd the HNSW neighbourhood; the user's own 10 nearest still come back."""
    user_id, _ = user
    base = add_crowd(pg, models)
    own = pg.execute(
        "select count(*) from public.knowledge_chunks where bucket_id = %s", (user[1],)
    ).fetchone()[0]
    hits = search(
        pg, user_id, "How do we score keywords before writing an article?", limit=10, embedders=models
    )
    assert len(hits) == min(10, own) and {h.bucket_id for h in hits} == {user[1]}
    # the same index scan without iterative scanning stops after ef_search candidates, all of them the crowd's
    pg.execute("set hnsw.iterative_scan = off")
    query = "select id from public.knowledge_chunks where bucket_id = %s order by embedding <=> %s limit 10"
    plan = "\n".join(r[0] for r in pg.execute("explain " + query, (user[1], base)).fetchall())
    assert "hnsw" in plan.lower() or "idx_knowledge_chunks_embedding" in plan
    assert len(pg.execute(query, (user[1], base)).fetchall()) < len(hits)
    config = pg.execute("select proconfig from pg_proc where proname = 'search_knowledge'").fetchone()[0]
    assert "hnsw.iterative_scan=relaxed_order" in config


def test_a_user_with_few_chunks_among_many_gets_the_exact_ranking(
    pg: psycopg.Connection, user: tuple[str, str], corpus: dict[str, str], models: Models
) -> None:
    """When the iterative index scan gives up before finding `limit` of the user's chunks (here: after 50
    tuples, pgvector's hnsw.max_scan_tuples), the user's chunks are few: the search ranks them all exactly."""
    user_id, bucket_id = user
    base = add_crowd(pg, models)
    pg.execute("set hnsw.max_scan_tuples = 50")
    index_query = (
        "select id::text from public.knowledge_chunks where bucket_id = %s order by embedding <=> %s limit 10"
    )
    with pg.transaction():
        pg.execute("set local hnsw.iterative_scan = relaxed_order")
        from_index = pg.execute(index_query, (bucket_id, base)).fetchall()
    assert len(from_index) < 10  # what the index alone returns: the scan stopped inside the crowd
    with pg.transaction():
        pg.execute("set local enable_indexscan = off")
        pg.execute("set local enable_seqscan = on")
        exact = [r[0] for r in pg.execute(index_query, (bucket_id, base)).fetchall()]
    hits = search(pg, user_id, QUESTION, limit=10, embedders=models)
    assert [h.chunk_id for h in hits] == exact and len(exact) == 10
