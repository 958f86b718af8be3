"""Which embedding model serves search, which one is being built, and the atomic switch between them.

`aip.embedding_models` holds one `active` model and at most one `building` model. The active model's
vectors live in the operational columns (knowledge_chunks.embedding, conversation_messages.embedding) when
its dimension is the columns'; every other model's vectors live in aip.knowledge_chunk_embeddings /
aip.conversation_message_embeddings. Changing AIP_EMBEDDING_MODEL registers the new model as `building`;
the pipeline fills its vectors in the background (search keeps using the active model) and, once every
chunk and message has one, `switch_model` makes it active in a single transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import psycopg
from psycopg import sql


@dataclass(frozen=True)
class ModelSlot:
    name: str
    dimension: int
    in_column: bool  # vectors stored in the operational embedding columns (else in the aip side tables)


@dataclass(frozen=True)
class ModelPlan:
    """The models every write must produce vectors for: the active one and the one being built."""

    active: ModelSlot
    building: ModelSlot | None
    column_dimension: int

    @property
    def targets(self) -> list[ModelSlot]:
        return [self.active] + ([self.building] if self.building else [])

    @property
    def names(self) -> dict[str, str]:
        return {slot.name: ("active" if slot is self.active else "building") for slot in self.targets}


def column_dimension(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "select a.atttypmod from pg_catalog.pg_attribute as a "
        "where a.attrelid = 'public.knowledge_chunks'::regclass and a.attname = 'embedding' "
        "and not a.attisdropped"
    ).fetchone()
    if row is None:
        raise RuntimeError(
            "public.knowledge_chunks.embedding is missing: apply the migrations (aip migrate)."
        )
    return int(row[0])


def read_plan(conn: psycopg.Connection) -> ModelPlan | None:
    """The current plan, or None before any model was registered."""
    dimension = column_dimension(conn)
    rows = conn.execute(
        "select model, dimension, status from aip.embedding_models where status in ('active', 'building')"
    ).fetchall()
    active = next((r for r in rows if r[2] == "active"), None)
    if active is None:
        return None
    building = next((r for r in rows if r[2] == "building"), None)
    return ModelPlan(
        active=ModelSlot(active[0], active[1], active[1] == dimension),
        building=ModelSlot(building[0], building[1], False) if building else None,
        column_dimension=dimension,
    )


def ensure_plan(conn: psycopg.Connection, configured: str, dimension: int) -> ModelPlan:
    """Register the configured model: active when none is, else `building` until the switch.

    A configuration changed again mid-build drops the unfinished build (its vectors go with it); a
    configuration set back to the active model cancels the build.
    """
    with conn.transaction():
        conn.execute("lock table aip.embedding_models in share row exclusive mode")
        plan = read_plan(conn)
        if plan is None:
            conn.execute(
                "insert into aip.embedding_models (model, dimension, status, activated_at) "
                "values (%s, %s, 'active', now()) "
                "on conflict (model) do update set status = 'active', dimension = excluded.dimension, "
                "activated_at = now(), retired_at = null",
                (configured, dimension),
            )
        elif plan.active.name == configured:
            if plan.active.dimension != dimension:
                raise RuntimeError(
                    f"Model {configured!r} is registered with {plan.active.dimension} dimensions but now "
                    f"produces {dimension}: give the changed model a new name (AIP_EMBEDDING_MODEL)."
                )
            if plan.building:
                conn.execute("delete from aip.embedding_models where model = %s", (plan.building.name,))
        elif (
            plan.building is None or plan.building.name != configured or plan.building.dimension != dimension
        ):
            if plan.building:
                conn.execute("delete from aip.embedding_models where model = %s", (plan.building.name,))
            # a retired model coming back starts a fresh build; its vectors left in the columns are reused
            conn.execute(
                "delete from aip.embedding_models where model = %s and status = 'retired'", (configured,)
            )
            conn.execute(
                "insert into aip.embedding_models (model, dimension, status) values (%s, %s, 'building')",
                (configured, dimension),
            )
        new_plan = read_plan(conn)
    assert new_plan is not None
    if not new_plan.active.in_column:
        ensure_side_indexes(conn, new_plan.active)  # a first model of another dimension serves from there
    return new_plan


def plan_is_current(conn: psycopg.Connection, plan: ModelPlan) -> bool:
    """Inside a write transaction: lock the plan's rows (a switch waits for us) and check nothing moved."""
    rows = conn.execute(
        "select model, status from aip.embedding_models where status in ('active', 'building') for share"
    ).fetchall()
    return {name: status for name, status in rows} == plan.names


def _missing_chunks_sql(limit: bool) -> str:
    return (
        "select kc.id, kc.content_hash, kc.content from public.knowledge_chunks as kc "
        "where not coalesce(kc.embedding_model = %(model)s and kc.embedding is not null, false) "
        "and not exists (select 1 from aip.knowledge_chunk_embeddings as e "
        "where e.model = %(model)s and e.chunk_id = kc.id) "
        "and (%(shards)s = 1 or abs(hashtext(kc.id::text)) %% %(shards)s = %(shard)s) "
        "order by kc.id" + (" limit %(limit)s" if limit else "")
    )


def missing_chunks(
    conn: psycopg.Connection, model: str, limit: int, shard: int = 0, shards: int = 1
) -> list[tuple[str, str, str]]:
    """(chunk id, content hash, content) of chunks without a vector of `model`, in id order."""
    rows = conn.execute(
        _missing_chunks_sql(limit=True), {"model": model, "limit": limit, "shard": shard, "shards": shards}
    ).fetchall()
    return [(str(r[0]), r[1], r[2]) for r in rows]


def count_missing(conn: psycopg.Connection, model: str) -> tuple[int, int]:
    """Chunks and conversation messages that still lack a vector of `model`."""
    chunks = conn.execute(
        "select count(*) from public.knowledge_chunks as kc "
        "where not coalesce(kc.embedding_model = %(model)s and kc.embedding is not null, false) "
        "and not exists (select 1 from aip.knowledge_chunk_embeddings as e "
        "where e.model = %(model)s and e.chunk_id = kc.id)",
        {"model": model},
    ).fetchone()[0]
    messages = conn.execute(
        "select count(*) from public.conversation_messages as m "
        "where not coalesce(m.embedding_model = %(model)s and m.embedding is not null, false) "
        "and not exists (select 1 from aip.conversation_message_embeddings as e "
        "where e.model = %(model)s and e.message_id = m.id)",
        {"model": model},
    ).fetchone()[0]
    return int(chunks), int(messages)


def side_index_name(model: str, table: str) -> str:
    digest = hashlib.sha256(model.encode()).hexdigest()[:12]
    return f"{table}_{digest}_hnsw"


def ensure_side_indexes(conn: psycopg.Connection, slot: ModelSlot) -> None:
    """Partial HNSW indexes over one model's vectors in the side tables, typed for its dimension, so a model
    served from there searches as fast as one served from the columns."""
    for table in ("knowledge_chunk_embeddings", "conversation_message_embeddings"):
        name = side_index_name(slot.name, table)
        if conn.execute("select to_regclass(%s)", (f"aip.{name}",)).fetchone()[0] is not None:
            continue
        conn.execute(
            sql.SQL(
                "create index if not exists {name} on aip.{table} using hnsw "
                "((embedding::vector({dim})) vector_cosine_ops) where model = {model}"
            ).format(
                name=sql.Identifier(name),
                table=sql.Identifier(table),
                dim=sql.Literal(slot.dimension),
                model=sql.Literal(slot.name),
            )
        )


def drop_side_indexes(conn: psycopg.Connection, model: str) -> None:
    for table in ("knowledge_chunk_embeddings", "conversation_message_embeddings"):
        conn.execute(
            sql.SQL("drop index if exists aip.{}").format(sql.Identifier(side_index_name(model, table)))
        )


def switch_model(conn: psycopg.Connection, plan: ModelPlan) -> bool:
    """Make the building model active, atomically; False (nothing changed) while vectors are missing.

    Readers never wait: the column copy and the registry flip commit together, so a search sees either the
    old model's vectors and name everywhere or the new ones everywhere.
    """
    building = plan.building
    if building is None:
        return False
    serves_from_column = building.dimension == plan.column_dimension
    if not serves_from_column:
        ensure_side_indexes(conn, building)  # outside the switch: building an index takes a while
    with conn.transaction():
        rows = conn.execute(
            "select model, status from aip.embedding_models where status in ('active', 'building') for update"
        ).fetchall()
        if {name: status for name, status in rows} != plan.names:
            return False
        if any(count_missing(conn, building.name)):
            return False
        if serves_from_column:
            conn.execute(
                "update public.knowledge_chunks as kc set embedding = e.embedding, embedding_model = e.model "
                "from aip.knowledge_chunk_embeddings as e where e.model = %s and e.chunk_id = kc.id",
                (building.name,),
            )
            conn.execute(
                "update public.conversation_messages as m set embedding = e.embedding, embedding_model = e.model "
                "from aip.conversation_message_embeddings as e where e.model = %s and e.message_id = m.id",
                (building.name,),
            )
            conn.execute("delete from aip.knowledge_chunk_embeddings where model = %s", (building.name,))
            conn.execute("delete from aip.conversation_message_embeddings where model = %s", (building.name,))
        conn.execute(
            "update aip.embedding_models set status = 'retired', retired_at = now() where model = %s",
            (plan.active.name,),
        )
        conn.execute(
            "update aip.embedding_models set status = 'active', activated_at = now(), retired_at = null "
            "where model = %s",
            (building.name,),
        )
        # a retired model's side vectors serve nothing any more
        conn.execute(
            "delete from aip.knowledge_chunk_embeddings as e using aip.embedding_models as m "
            "where e.model = m.model and m.status = 'retired'"
        )
        conn.execute(
            "delete from aip.conversation_message_embeddings as e using aip.embedding_models as m "
            "where e.model = m.model and m.status = 'retired'"
        )
    if not plan.active.in_column:
        drop_side_indexes(conn, plan.active.name)
    if serves_from_column:
        drop_side_indexes(conn, building.name)
    return True
