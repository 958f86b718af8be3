"""Conversation memory: every conversation message gets a vector of each plan model, exactly once.

New messages are found by what they lack (a vector of the active or building model), so the same
sensor that watches documents picks them up and a message already embedded is never embedded again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import numpy as np
import psycopg

from assets.knowledge.embedding import Encoder
from assets.knowledge.embedding_models import ModelPlan, ModelSlot, plan_is_current

MESSAGE_BATCH = 256


def missing_messages(conn: psycopg.Connection, model: str, limit: int) -> list[tuple[str, str]]:
    """(id, content) of messages without a vector of `model`, oldest first."""
    rows = conn.execute(
        "select m.id::text, m.content from public.conversation_messages as m "
        "where not coalesce(m.embedding_model = %(model)s and m.embedding is not null, false) "
        "and not exists (select 1 from aip.conversation_message_embeddings as e "
        "where e.model = %(model)s and e.message_id = m.id) "
        "order by m.timestamp nulls first, m.id limit %(limit)s",
        {"model": model, "limit": limit},
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


def has_pending_messages(conn: psycopg.Connection, plan: ModelPlan) -> bool:
    return any(missing_messages(conn, slot.name, 1) for slot in plan.targets)


def write_message_vectors(
    conn: psycopg.Connection, plan: ModelPlan, slot: ModelSlot, ids: list[str], vectors: np.ndarray
) -> bool:
    """Store one model's vectors for these messages; False (nothing written) if the plan moved meanwhile."""
    with conn.transaction():
        if not plan_is_current(conn, plan):
            return False
        conn.execute(
            "create temp table if not exists _aip_message_vectors (id uuid, embedding vector) "
            "on commit delete rows"
        )
        with (
            conn.cursor() as cur,
            cur.copy("copy _aip_message_vectors (id, embedding) from stdin with (format binary)") as copy,
        ):
            copy.set_types(["uuid", "vector"])
            for message_id, vector in zip(ids, vectors, strict=True):
                copy.write_row((uuid.UUID(message_id), vector))
        if slot.in_column:
            conn.execute(
                "update public.conversation_messages as m set embedding = t.embedding, embedding_model = %s "
                "from _aip_message_vectors as t where m.id = t.id",
                (slot.name,),
            )
        else:
            conn.execute(
                "insert into aip.conversation_message_embeddings (model, message_id, embedding) "
                "select %s, t.id, t.embedding from _aip_message_vectors as t "
                "where exists (select 1 from public.conversation_messages as m where m.id = t.id) "
                "on conflict (model, message_id) do nothing",
                (slot.name,),
            )
        conn.execute("delete from _aip_message_vectors")
    return True


def embed_pending_messages(
    conn: psycopg.Connection,
    plan: ModelPlan,
    embedders: Callable[[str], Encoder],
    slots: list[ModelSlot] | None = None,
    batch: int = MESSAGE_BATCH,
    limit: int | None = None,
) -> int:
    """Embed messages lacking a vector of the plan's models (or `slots`); returns how many were embedded."""
    total = 0
    for slot in slots or plan.targets:
        encoder = embedders(slot.name)
        while limit is None or total < limit:
            rows = missing_messages(conn, slot.name, batch)
            if not rows:
                break
            vectors = encoder.encode([content for _, content in rows])
            if not write_message_vectors(conn, plan, slot, [message_id for message_id, _ in rows], vectors):
                return total
            total += len(rows)
    return total
