"""Background build of a newly configured embedding model, then the switch.

Search keeps using the active model the whole time: the new vectors go to the aip side tables, and only
`switch_model` (one transaction, once nothing lacks a new vector) makes the new model the one searched.
Builds fan out by shard (a hash of the chunk id), so several processes can fill one model together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from assets.knowledge.conversations import embed_pending_messages
from assets.knowledge.embedding import Encoder
from assets.knowledge.embedding_models import ModelPlan, missing_chunks, plan_is_current, switch_model
from assets.knowledge.indexing import encode_texts
from assets.knowledge.store import copy_side_vectors, lookup_vectors

BUILD_BATCH = 512


@dataclass
class BuildReport:
    model: str | None = None
    chunks_embedded: int = 0
    chunks_reused: int = 0
    messages_embedded: int = 0
    switched: bool = False
    interrupted: bool = False  # the plan changed under us (another switch or a new configuration)
    seconds: float = 0.0


def build_model(
    conn: psycopg.Connection,
    plan: ModelPlan,
    embedders: Callable[[str], Encoder],
    shard: int = 0,
    shards: int = 1,
    batch: int = BUILD_BATCH,
    switch: bool = True,
    on_batch: Callable[[int], None] | None = None,
) -> BuildReport:
    """Give every chunk (of this shard) and message a vector of the building model; then try the switch."""
    started = time.perf_counter()
    building = plan.building
    report = BuildReport(model=building.name if building else None)
    if building is None:
        return report
    encoder = embedders(building.name)
    while True:
        rows = missing_chunks(conn, building.name, batch, shard, shards)
        if not rows:
            break
        texts = {content_hash: content for _, content_hash, content in rows}
        vectors = lookup_vectors(conn, building.name, list(texts))
        fresh = {h: t for h, t in texts.items() if h not in vectors}
        vectors.update(encode_texts(encoder, fresh))
        with conn.transaction():
            if not plan_is_current(conn, plan):
                report.interrupted = True
                break
            copy_side_vectors(conn, [(building.name, cid, h, vectors[h]) for cid, h, _ in rows])
        report.chunks_embedded += len(fresh)
        report.chunks_reused += len(rows) - len(fresh)
        if on_batch:
            on_batch(len(rows))
    if not report.interrupted:
        report.messages_embedded = embed_pending_messages(conn, plan, embedders, slots=[building])
        if switch:
            report.switched = switch_model(conn, plan)
    report.seconds = time.perf_counter() - started
    return report
