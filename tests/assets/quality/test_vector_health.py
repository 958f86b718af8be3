"""Vector health counts orphan chunks, chunks of ready documents without a vector and vectors of another
model; the first two are errors, mixed models (a model switch in progress) only a warning."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import numpy as np
import psycopg

from assets.quality.vector_health import measure
from tests.assets.quality.conftest import STAND_IN_NAMES, RunOutcome
from tests.assets.quality.seed import MODEL, USER_ID, Seeded, insert_chunk, unit_vector


def test_clean_chunks_are_healthy(seeded: Seeded, conn: psycopg.Connection) -> None:
    health = measure(conn, MODEL)
    assert (health.chunks, health.problems, health.healthy) == (3, 0, True)


def test_each_problem_is_counted_and_sampled(seeded: Seeded, conn: psycopg.Connection) -> None:
    rng = np.random.default_rng(9)
    # a chunk of a ready document without a vector
    conn.execute("update public.knowledge_chunks set embedding = null where id = %s", (seeded.chunk_ids[0],))
    # chunks left behind by a document that failed on re-processing
    failed_doc = uuid.uuid4()
    conn.execute(
        "insert into public.knowledge_documents (id, bucket_id, created_by, title, content, status) "
        "values (%s, %s, %s, 'Broken', '', 'failed')",
        (failed_doc, seeded.bucket_id, USER_ID),
    )
    orphan = uuid.uuid4()
    insert_chunk(conn, seeded, orphan, 0, "left behind", unit_vector(rng), document_id=failed_doc)
    # a vector another model made
    conn.execute(
        "update public.knowledge_chunks set embedding_model = 'old-model' where id = %s",
        (seeded.chunk_ids[1],),
    )

    health = measure(conn, MODEL)
    assert (health.orphans, health.ready_without_vector, health.other_model) == (1, 1, 1)
    assert health.severity == "ERROR"
    problems = {str(s["chunk_id"]): s["problem"] for s in health.samples}
    assert problems == {
        str(orphan): "orphan: document failed",
        str(seeded.chunk_ids[0]): "ready document, no vector",
        str(seeded.chunk_ids[1]): "vector of model old-model",
    }


def test_chunk_in_another_users_bucket_is_an_orphan(seeded: Seeded, conn: psycopg.Connection) -> None:
    other_user, other_bucket = uuid.uuid4(), uuid.uuid4()
    conn.execute("insert into auth.users (id, email) values (%s, 'other@example.com')", (other_user,))
    conn.execute(
        "insert into public.knowledge_buckets (id, created_by, name, bucket_type) values (%s, %s, 'Theirs', 'general')",
        (other_bucket, other_user),
    )
    conn.execute(
        "update public.knowledge_chunks set bucket_id = %s where id = %s", (other_bucket, seeded.chunk_ids[2])
    )
    health = measure(conn, MODEL)
    assert health.orphans == 1
    assert health.samples[0]["problem"] == "orphan: chunk in another bucket than its document"


def test_model_switch_in_progress_only_warns(
    seeded: Seeded, conn: psycopg.Connection, run_pipeline: Callable[[], RunOutcome]
) -> None:
    conn.execute("update public.knowledge_chunks set embedding_model = 'previous-model'")
    outcome = run_pipeline()
    evaluation = outcome.evaluations["vector_health"]
    assert not evaluation.passed and evaluation.severity.value == "WARN"
    assert outcome.metadata("vector_health")["details"]["other_model"] == 3
    assert outcome.materialized == STAND_IN_NAMES  # never blocks


def test_missing_vectors_fail_with_error_and_are_recorded(
    seeded: Seeded, conn: psycopg.Connection, run_pipeline: Callable[[], RunOutcome]
) -> None:
    conn.execute("update public.knowledge_chunks set embedding = null where id = %s", (seeded.chunk_ids[0],))
    outcome = run_pipeline()
    evaluation = outcome.evaluations["vector_health"]
    assert not evaluation.passed and evaluation.severity.value == "ERROR"
    stored = conn.execute(
        "select passed, severity, failing_row_count, failing_rows -> 0 ->> 'chunk_id' from quality.check_results "
        "where run_id = %s and check_name = 'vector_health'",
        (outcome.run_id,),
    ).fetchone()
    assert stored == (False, "ERROR", 1, str(seeded.chunk_ids[0]))
