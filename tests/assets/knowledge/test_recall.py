"""The labelled questions over the shipped corpus: recall@5 of the product's search reaches 0.8."""

from __future__ import annotations

import psycopg
import yaml

from assets.knowledge.ingestion import process_pending
from assets.knowledge.search import search
from orchestration.settings import REPO_ROOT, Settings
from tests.assets.knowledge.conftest import Models, add_corpus

QUESTIONS = yaml.safe_load((REPO_ROOT / "assets/knowledge/eval/questions.yaml").read_text())["questions"]


def recall_at(conn: psycopg.Connection, user_id: str, models: Models, k: int, hybrid: bool) -> float:
    names = dict(conn.execute("select id::text, file_name from public.knowledge_documents").fetchall())
    total = 0.0
    for question in QUESTIONS:
        hits = search(conn, user_id, question["question"], limit=k, hybrid=hybrid, embedders=models)
        found = {names[h.document_id] for h in hits}
        total += len(found & set(question["relevant"])) / len(question["relevant"])
    return total / len(QUESTIONS)


def test_recall_at_5_on_the_labelled_questions(
    pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models
) -> None:
    user_id, bucket = user
    add_corpus(pg, bucket, user_id)
    report = process_pending(pg, settings, models)
    assert report.failed == 0 and report.ready >= 40
    assert len(QUESTIONS) >= 30
    vector = recall_at(pg, user_id, models, 5, hybrid=False)
    hybrid = recall_at(pg, user_id, models, 5, hybrid=True)
    print(f"recall@5 over {len(QUESTIONS)} questions: vector {vector:.3f}, hybrid {hybrid:.3f}")
    assert vector >= 0.8
    assert hybrid >= 0.8
