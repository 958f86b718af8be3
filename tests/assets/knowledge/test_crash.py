"""A worker killed (SIGKILL) in the middle of a batch leaves no duplicate or orphan chunk; a rerun finishes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import psycopg

from assets.knowledge.ingestion import process_pending
from orchestration.settings import REPO_ROOT, Settings
from tests.assets.knowledge.conftest import CORPUS, Models, add_corpus, assert_consistent

WORKER = textwrap.dedent(
    """
    import sys, time
    from assets.knowledge.indexing import index_documents
    from assets.knowledge.ingestion import connect_platform
    from assets.knowledge.search import default_embedders
    from orchestration.settings import get_settings

    settings = get_settings()
    base = default_embedders(settings)(settings.embedding_model)

    class Slow:  # the real model, slowed down so the parent can kill us between two documents
        name, dimension, tokenizer, max_tokens = base.name, base.dimension, base.tokenizer, base.max_tokens

        def encode(self, texts):
            time.sleep(0.4)
            return base.encode(texts)

    slow = Slow()
    with connect_platform(settings) as conn:
        print("ready", flush=True)
        for document_id in sys.argv[1:]:
            index_documents(conn, [document_id], settings, lambda name: slow)
    """
)


def test_killed_worker_leaves_a_consistent_knowledge_base(
    pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models
) -> None:
    user_id, bucket = user
    ids = list(add_corpus(pg, bucket, user_id, sorted(p.name for p in CORPUS.iterdir())[:10]).values())
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    worker = subprocess.Popen([sys.executable, "-c", WORKER, *ids], env=env, cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        ready = 0
        while ready < 2 and time.monotonic() < deadline and worker.poll() is None:
            ready = pg.execute(
                "select count(*) from public.knowledge_documents where status = 'ready'"
            ).fetchone()[0]
            time.sleep(0.02)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == -signal.SIGKILL, "the worker finished before it could be killed"
    done = pg.execute("select count(*) from public.knowledge_documents where status = 'ready'").fetchone()[0]
    assert 2 <= done < len(ids)
    assert_consistent(pg)
    report = process_pending(pg, settings, models)
    assert report.documents == report.ready == len(ids) - done  # the finished ones are not even looked at
    assert_consistent(pg)
    assert pg.execute("select count(*) from public.knowledge_documents where status = 'ready'").fetchone()[
        0
    ] == len(ids)
