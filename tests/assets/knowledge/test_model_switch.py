"""Changing the embedding model: built in the background, switched atomically, search never empty or
mixed; a different dimension is served from its own typed index; switching back reuses stored vectors."""

from __future__ import annotations

import threading
import time

import numpy as np
import psycopg
import pytest

from assets.knowledge.embedding_models import count_missing, read_plan, side_index_name
from assets.knowledge.indexing import chunk_documents, chunker_for, parse_documents, resolve_plan, write_batch
from assets.knowledge.ingestion import process_pending
from assets.knowledge.model_build import build_model
from assets.knowledge.search import search
from assets.knowledge.store import prepare_connection
from orchestration.settings import Settings, get_settings
from tests.assets.knowledge.conftest import (
    PROJECTED,
    ROTATED,
    Models,
    add_corpus,
    add_document,
    assert_consistent,
)

FILES = ["playbook-seo-content.md", "playbook-email-nurture.md", "faq-api.md", "playbook-linkedin-ads.md"]
QUESTION = "How do we score keywords before writing an article?"


def models_of_chunks(conn: psycopg.Connection) -> set[str | None]:
    return {
        r[0] for r in conn.execute("select distinct embedding_model from public.knowledge_chunks").fetchall()
    }


def side_rows(conn: psycopg.Connection) -> int:
    return conn.execute("select count(*) from aip.knowledge_chunk_embeddings").fetchone()[0]


def test_switch_keeps_search_answering_and_never_mixes(
    pg: psycopg.Connection, db_url: str, user: tuple[str, str], settings: Settings, models: Models,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    user_id, bucket = user
    ids = add_corpus(pg, bucket, user_id, FILES)
    process_pending(pg, settings, models)
    expected = ids["playbook-seo-content.md"]
    before = search(pg, user_id, QUESTION, limit=3, embedders=models)[0].similarity

    monkeypatch.setenv("AIP_EMBEDDING_MODEL", ROTATED)
    new_settings = get_settings()
    plan = resolve_plan(pg, new_settings, models)
    assert (plan.active.name, plan.building.name) == (models.default.name, ROTATED)

    results: list[tuple[float, str, float]] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_searching() -> None:
        with psycopg.connect(db_url, autocommit=True) as conn:
            prepare_connection(conn)
            while not stop.is_set():
                try:
                    hits = search(conn, user_id, QUESTION, limit=3, embedders=models, settings=new_settings)
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)
                    return
                results.append(
                    (time.monotonic(), hits[0].document_id if hits else "", hits[0].similarity if hits else 0)
                )

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        while len(results) < 3:
            time.sleep(0.01)
        build_started = time.monotonic()

        def let_a_search_through(_: int) -> None:
            # after every committed build batch, wait for the searcher to complete one more search
            seen = len(results)
            deadline = time.monotonic() + 30
            while len(results) <= seen and not errors and time.monotonic() < deadline:
                time.sleep(0.005)

        report = build_model(pg, plan, models, batch=4, on_batch=let_a_search_through)
        switched_at = time.monotonic()
        while sum(1 for t, _, _ in results if t > switched_at) < 3 and not errors:
            time.sleep(0.01)
    finally:
        stop.set()
        searcher.join(timeout=60)
    assert not errors, errors
    assert report.switched and report.chunks_embedded > 0
    during = [r for r in results if build_started <= r[0] <= switched_at]
    after = [r for r in results if r[0] > switched_at]
    print(f"searches: {len(results)} ({len(during)} during the build, {len(after)} after the switch)")
    assert len(during) >= 3 and len(after) >= 3
    # never empty, never a query of one model against vectors of the other (that would score ~0)
    for _, document_id, similarity in results:
        assert document_id == expected
        assert similarity == pytest.approx(before, abs=0.02)
    final = read_plan(pg)
    assert final.active.name == ROTATED and final.building is None and final.active.in_column
    assert models_of_chunks(pg) == {ROTATED} and side_rows(pg) == 0
    assert pg.execute(
        "select status from aip.embedding_models where model = %s", (models.default.name,)
    ).fetchone() == ("retired",)
    assert_consistent(pg)


def test_dimension_change_and_back(
    pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    user_id, bucket = user
    ids = add_corpus(pg, bucket, user_id, FILES)
    first = process_pending(pg, settings, models)

    monkeypatch.setenv("AIP_EMBEDDING_MODEL", PROJECTED)
    report = process_pending(pg, get_settings(), models)
    assert report.model_switched and report.model_chunks_embedded == first.chunks
    plan = read_plan(pg)
    assert (plan.active.name, plan.active.dimension, plan.active.in_column) == (PROJECTED, 256, False)
    indexes = {
        r[0] for r in pg.execute("select indexname from pg_indexes where schemaname = 'aip'").fetchall()
    }
    assert side_index_name(PROJECTED, "knowledge_chunk_embeddings") in indexes
    hits = search(pg, user_id, QUESTION, limit=3, embedders=models)
    assert hits[0].document_id == ids["playbook-seo-content.md"] and hits[0].similarity > 0.3
    # the operational function now expects 256 dimensions and says so
    with pytest.raises(psycopg.errors.DataException) as error:
        pg.execute(
            "select * from public.search_knowledge_chunks(%s, %s)", (user_id, np.ones(384, np.float32))
        )
    assert "384" in str(error.value) and "256" in str(error.value)

    # a document added while the 256-d model serves is embedded by it (and found)
    note = add_document(
        pg, bucket, user_id, "Note", content="Our podcast sponsorships run every quarter in spring."
    )
    process_pending(pg, get_settings(), models)
    assert (
        search(pg, user_id, "podcast sponsorship schedule", limit=1, embedders=models)[0].document_id == note
    )

    # back to the original model: every unchanged chunk still has its vector in the column -> reused
    monkeypatch.setenv("AIP_EMBEDDING_MODEL", models.default.name)
    texts_before = models.default.texts
    back = process_pending(pg, get_settings(), models)
    assert back.model_switched
    new_chunks = pg.execute(
        "select count(*) from public.knowledge_chunks where document_id = %s", (note,)
    ).fetchone()[0]
    assert models.default.texts - texts_before == new_chunks
    assert read_plan(pg).active.name == models.default.name
    assert models_of_chunks(pg) == {models.default.name} and side_rows(pg) == 0
    indexes = {
        r[0] for r in pg.execute("select indexname from pg_indexes where schemaname = 'aip'").fetchall()
    }
    assert side_index_name(PROJECTED, "knowledge_chunk_embeddings") not in indexes
    assert_consistent(pg)


def test_write_prepared_under_an_old_plan_changes_nothing(
    pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    user_id, bucket = user
    add_corpus(pg, bucket, user_id, FILES[:1])
    process_pending(pg, settings, models)
    late = add_document(
        pg, bucket, user_id, "Late", content="A document prepared just before the model changed."
    )
    plan = resolve_plan(pg, settings, models)
    prepared = chunk_documents(
        parse_documents(pg, [late], settings, plan), chunker_for(models.default, settings)
    )
    monkeypatch.setenv("AIP_EMBEDDING_MODEL", ROTATED)
    resolve_plan(pg, get_settings(), models)  # the new model starts building
    assert write_batch(pg, prepared, models).requeued == 1
    assert (
        pg.execute("select count(*) from public.knowledge_chunks where document_id = %s", (late,)).fetchone()[
            0
        ]
        == 0
    )
    # the next run writes it with vectors of both models, and the build then finds nothing missing for it
    report = process_pending(pg, get_settings(), models)
    assert report.ready == 1 and report.model_switched
    assert count_missing(pg, ROTATED) == (0, 0)
    assert_consistent(pg)


def test_first_model_of_another_dimension_serves_from_its_own_index(
    pg: psycopg.Connection,
    user: tuple[str, str],
    models: Models,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
) -> None:
    user_id, bucket = user
    ids = add_corpus(pg, bucket, user_id, FILES)
    monkeypatch.setenv("AIP_EMBEDDING_MODEL", PROJECTED)
    report = process_pending(pg, get_settings(), models)
    plan = read_plan(pg)
    assert (plan.active.name, plan.active.in_column, plan.building) == (PROJECTED, False, None)
    assert models_of_chunks(pg) == {None}  # the 384-d column stays empty
    assert side_rows(pg) == report.chunks > 0
    assert (
        search(pg, user_id, QUESTION, limit=1, embedders=models)[0].document_id
        == ids["playbook-seo-content.md"]
    )
    assert process_pending(pg, get_settings(), models).embedded == 0
