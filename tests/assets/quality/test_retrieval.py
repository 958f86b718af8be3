"""recall@5 on the labelled questions: computed right, warned about below the threshold, and measured for
real through the knowledge base's own search on the shipped corpus."""

from __future__ import annotations

import uuid

import dagster as dg
import psycopg
import pytest

from assets.quality import checks
from assets.quality.checks import EMBEDDINGS_ASSET_KEY, retrieval_recall
from assets.quality.retrieval import Question, load_questions, measure_recall, recall_at_k
from orchestration.resources import PostgresResource
from orchestration.settings import REPO_ROOT, Settings
from tests.assets.quality.seed import USER_ID, Seeded

CORPUS = REPO_ROOT / "assets" / "knowledge" / "corpus"


def run_check(db_url: str) -> dg.AssetCheckEvaluation:
    defs = dg.Definitions(
        assets=[dg.AssetSpec(EMBEDDINGS_ASSET_KEY)],
        asset_checks=[retrieval_recall],
        jobs=[dg.define_asset_job("recall", selection=dg.AssetSelection.checks(retrieval_recall))],
        resources={"database": PostgresResource(url=db_url)},
    )
    result = defs.resolve_job_def("recall").execute_in_process(instance=dg.DagsterInstance.ephemeral())
    return result.get_asset_check_evaluations()[0]


def test_recall_at_k_is_the_share_of_relevant_files_found() -> None:
    questions = [
        Question("a", "?", ("x.md",)),
        Question("b", "?", ("y.md", "z.md")),
        Question("c", "?", ("w.md",)),
    ]
    retrieved = {"a": ["x.md", "q.md"], "b": ["z.md"], "c": []}
    assert recall_at_k(retrieved, questions) == pytest.approx((1 + 0.5 + 0) / 3)


def test_the_labelled_set_names_shipped_files() -> None:
    questions = load_questions()
    assert len(questions) >= 30
    assert all((CORPUS / name).is_file() for q in questions for name in q.relevant)


def _documents(conn: psycopg.Connection, seeded: Seeded, names: list[str]) -> dict[str, str]:
    ids = {}
    for name in names:
        document_id = str(uuid.uuid4())
        conn.execute(
            "insert into public.knowledge_documents (id, bucket_id, created_by, title, content, file_name, status) "
            "values (%s, %s, %s, %s, 'text', %s, 'ready')",
            (document_id, seeded.bucket_id, USER_ID, name, name),
        )
        ids[name] = document_id
    return ids


def test_measure_recall_asks_as_the_corpus_owner_and_lists_misses(
    seeded: Seeded, conn: psycopg.Connection
) -> None:
    questions = [Question("q1", "webinars?", ("a.md",)), Question("q2", "seo?", ("b.md",))]
    ids = _documents(conn, seeded, ["a.md", "b.md"])
    asked = []

    def searcher(user_id: str, text: str, k: int) -> list[str]:
        asked.append((user_id, k))
        return [ids["a.md"]] if text == "webinars?" else [ids["a.md"]]  # q2 misses b.md

    report = measure_recall(conn, searcher, questions)
    assert report.measured and report.recall == 0.5
    assert set(asked) == {(str(USER_ID), 5)}
    assert [(m["question_id"], m["retrieved"]) for m in report.misses] == [("q2", ["a.md"])]


def test_without_the_corpus_the_check_passes_unmeasured(
    seeded: Seeded, db_url: str, settings: Settings
) -> None:
    evaluation = run_check(db_url)
    assert evaluation.passed
    assert evaluation.metadata["summary"].value.startswith("not measured: the labelled corpus is not")


def test_low_recall_is_a_warning(
    seeded: Seeded, conn: psycopg.Connection, db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _documents(conn, seeded, sorted({n for q in load_questions() for n in q.relevant}))
    monkeypatch.setattr(checks, "product_searcher", lambda url, settings: lambda user, text, k: [])
    evaluation = run_check(db_url)
    assert not evaluation.passed and evaluation.severity.value == "WARN"
    assert evaluation.metadata["observed_value"].value == 0.0
    stored = conn.execute(
        "select passed, severity, observed_value, failing_row_count from quality.check_results "
        "where check_name = 'retrieval_recall_at_5'"
    ).fetchone()
    assert stored == (False, "WARN", 0.0, len(load_questions()))


def test_recall_on_the_shipped_corpus_through_product_search(
    seeded: Seeded, conn: psycopg.Connection, db_url: str, settings: Settings
) -> None:
    from assets.knowledge.ingestion import ingest_paths

    report = ingest_paths(settings, [CORPUS], "owner@example.com", "Demo corpus")
    assert report.failed == 0
    evaluation = run_check(db_url)
    recall = evaluation.metadata["observed_value"].value
    assert evaluation.passed and recall >= settings.retrieval_recall_threshold, evaluation.metadata[
        "summary"
    ].value
    logged = conn.execute(
        "select count(*) from public.knowledge_access_logs where agent_type = 'quality_check'"
    ).fetchone()[0]
    assert logged > 0  # the questions went through the product's search path, which logs every search
