"""Retrieval quality: recall@5 of the knowledge base's semantic search on the labelled question set.

Each question of `assets/knowledge/eval/questions.yaml` names the corpus file(s) that answer it. The
questions are asked through the product's own search path (`assets.knowledge.search.search`: the user's
RLS context, the active model, the HNSW index), as the user who owns the shipped corpus; a question's
recall is the share of its relevant files among the documents of the top-k chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import yaml

from orchestration.settings import REPO_ROOT, Settings

QUESTIONS_PATH = REPO_ROOT / "assets" / "knowledge" / "eval" / "questions.yaml"
K = 5
EVAL_AGENT = "quality_check"  # marks the eval's searches in knowledge_access_logs


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    relevant: tuple[str, ...]  # corpus file names


@dataclass(frozen=True)
class RecallReport:
    measured: bool
    reason: str  # why not measured, or what was measured
    recall: float | None = None
    questions: int = 0
    user_id: str | None = None
    misses: list[dict[str, Any]] = field(default_factory=list)  # questions with recall < 1


def load_questions(path: Path = QUESTIONS_PATH) -> list[Question]:
    with path.open() as handle:
        data = yaml.safe_load(handle) or {}
    questions = [
        Question(str(q["id"]), str(q["question"]), tuple(q["relevant"])) for q in data.get("questions", [])
    ]
    if not questions:
        raise ValueError(f"{path} has no questions: restore the labelled set of the knowledge issue.")
    return questions


def recall_at_k(retrieved: Mapping[str, Sequence[str]], questions: Sequence[Question]) -> float:
    """Mean over questions of |relevant ∩ retrieved| / |relevant| (retrieved: files of the top-k hits)."""
    scores = [len(set(q.relevant) & set(retrieved.get(q.id, ()))) / len(set(q.relevant)) for q in questions]
    return sum(scores) / len(scores)


def corpus_owner(conn: psycopg.Connection, files: Sequence[str]) -> tuple[str, int] | None:
    """The user holding the most ready documents of the labelled corpus, and how many."""
    row = conn.execute(
        """
        select created_by::text, count(distinct file_name)
        from public.knowledge_documents
        where file_name = any(%s) and status = 'ready' and created_by is not null
        group by created_by
        order by 2 desc, 1
        limit 1
        """,
        (list(files),),
    ).fetchone()
    return (row[0], int(row[1])) if row else None


Searcher = Callable[[str, str, int], list[str]]  # (user_id, question, k) -> document ids of the hits


def product_searcher(target: psycopg.Connection | str, settings: Settings) -> Searcher:
    """Search through the knowledge base's Python API (imported here: it loads the embedding model), on
    one connection (an autocommit psycopg connection) or a new connection per question (a URL)."""
    from assets.knowledge.search import search

    def run(user_id: str, text: str, k: int) -> list[str]:
        hits = search(target, user_id, text, limit=k, agent_type=EVAL_AGENT, settings=settings)
        return [hit.document_id for hit in hits]

    return run


def measure_recall(
    conn: psycopg.Connection, searcher: Searcher, questions: Sequence[Question] | None = None, k: int = K
) -> RecallReport:
    """recall@k of `searcher` on the labelled questions, as the owner of the shipped corpus."""
    questions = list(questions or load_questions())
    files = sorted({name for q in questions for name in q.relevant})
    owner = corpus_owner(conn, files)
    if owner is None:
        return RecallReport(
            measured=False,
            reason="the labelled corpus is not in the knowledge base (no ready document of "
            "assets/knowledge/corpus): ingest it (`make run` or `aip ingest assets/knowledge/corpus …`) to "
            "measure retrieval",
        )
    user_id, present = owner
    retrieved: dict[str, list[str]] = {}
    misses: list[dict[str, Any]] = []
    for question in questions:
        document_ids = searcher(user_id, question.text, k)
        names = dict(
            conn.execute(
                "select id::text, file_name from public.knowledge_documents where id = any(%s::uuid[])",
                (document_ids,),
            ).fetchall()
        )
        files_found = [names[d] for d in document_ids if names.get(d)]
        retrieved[question.id] = files_found
        if not set(question.relevant) <= set(files_found):
            misses.append(
                {
                    "question_id": question.id,
                    "question": question.text,
                    "relevant": list(question.relevant),
                    "retrieved": list(dict.fromkeys(files_found)),
                }  # fmt: skip
            )
    return RecallReport(
        measured=True,
        reason=f"{len(questions)} questions as user {user_id} ({present}/{len(files)} labelled files present)",
        recall=recall_at_k(retrieved, questions),
        questions=len(questions),
        user_id=user_id,
        misses=misses,
    )
