"""Test rows for any table of the spec, and acting as an API role, for the schema's behaviour tests.

`insert(conn, table, **values)` fills every NOT NULL column without a default with a value of its type and
creates a parent row for every foreign key (recursively, users in auth.users), so a test names only the
columns it is about.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from orchestration.database import create_database, drop_database, with_database

from .spec_compiler import load_spec


def new_user(conn: psycopg.Connection, email: str | None = None) -> uuid.UUID:
    user_id = uuid.uuid4()
    conn.execute(
        "insert into auth.users (id, email, created_at) values (%s, %s, now())",
        (user_id, email or f"{user_id.hex[:10]}@example.com"),
    )
    return user_id


def _value(column: str, definition: dict[str, Any]) -> Any:
    kind = definition["type"]
    if definition.get("allowed"):
        return definition["allowed"][0]
    if kind in ("text", "varchar(255)"):
        return f"{column}-{uuid.uuid4().hex[:8]}"
    if kind == "uuid":
        return uuid.uuid4()
    if kind == "jsonb":
        return Jsonb({})
    if kind in ("integer", "bigint", "numeric", "real", "double precision") or kind.startswith("numeric"):
        return 1
    if kind == "date":
        return dt.date(2025, 1, 6)
    if kind == "timestamptz":
        return dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
    if kind == "boolean":
        return True
    if kind == "text[]":
        return [column]
    if kind == "inet":
        return "192.0.2.1"
    raise AssertionError(f"no test value for {column} of type {kind}")


def insert(conn: psycopg.Connection, table: str, **values: Any) -> uuid.UUID:
    """Insert one row into public.<table>; returns its id. Unnamed foreign keys get fresh parent rows."""
    spec_table = load_spec()["tables"][table]
    row: dict[str, Any] = {}
    for column, definition in spec_table["columns"].items():
        if column in values:
            row[column] = values[column]
        elif definition.get("pk"):
            continue
        elif definition.get("references"):
            parent = definition["references"].rsplit(".", 1)[0]
            row[column] = new_user(conn) if parent == "auth.users" else insert(conn, parent)
        elif not definition["null"] and definition["default"] is None:
            row[column] = _value(column, definition)
    row.update({k: v for k, v in values.items() if k not in row})
    query = sql.SQL("insert into public.{} ({}) values ({}) returning id").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, row)),
        sql.SQL(", ").join(sql.Placeholder() * len(row)),
    )
    return conn.execute(query, list(row.values())).fetchone()[0]


@contextmanager
def migrated_database(admin_url: str, template: str) -> Iterator[str]:
    """A database copied from the migrated template, dropped afterwards (for a module's tests to share)."""
    name = f"aip_shared_{uuid.uuid4().hex[:10]}"
    create_database(admin_url, name, template=template)
    try:
        yield with_database(admin_url, name)
    finally:
        drop_database(admin_url, name)


@contextmanager
def rolled_back(url: str) -> Iterator[psycopg.Connection]:
    """A connection whose whole session is one transaction, rolled back at the end: tests sharing a database
    leave nothing behind. Its `conn.transaction()` blocks are savepoints."""
    with psycopg.connect(url) as connection:
        connection.execute("select 1")  # open the transaction now, so no block can commit it
        try:
            yield connection
        finally:
            connection.rollback()


@contextmanager
def acting_as(conn: psycopg.Connection, role: str, user_id: uuid.UUID | None = None) -> Iterator[None]:
    """Inside one transaction: SET LOCAL ROLE and the request's JWT claims, as PostgREST does per request.

    The transaction is rolled back at the end (the test checks what it saw, not what it left)."""
    with conn.transaction(force_rollback=True):
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
        claims = {"role": role} | ({"sub": str(user_id)} if user_id else {})
        conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
        yield


def embedding(dimension: int, similarity: float, axis: int = 1) -> str:
    """A unit vector whose cosine similarity with the first basis vector e0 is `similarity` (pgvector text)."""
    values = [0.0] * dimension
    values[0] = similarity
    values[axis] = (1 - similarity**2) ** 0.5
    return "[" + ",".join(repr(v) for v in values) + "]"


def random_embedding(dimension: int, similarity: float, rng: np.random.Generator) -> str:
    """Like `embedding`, in a random direction orthogonal to e0: a realistic spread of many vectors (an HNSW
    graph of axis-aligned, exactly equidistant points is degenerate and leaves nodes unreachable)."""
    direction = rng.standard_normal(dimension)
    direction[0] = 0.0
    direction /= np.linalg.norm(direction)
    vector = (1 - similarity**2) ** 0.5 * direction
    vector[0] = similarity
    return "[" + ",".join(f"{v:.7f}" for v in vector) + "]"
