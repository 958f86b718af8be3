"""Test data for the privacy tests: users with rows in every table of the operational schema.

Rows are generated from the live catalog and the spec (no list of tables here): for each base table of
`public`, parents before children, two rows per user for owned tables (owner columns set to the user, foreign
keys pointing at a parent row of the same user) and two shared rows for the others. Values satisfy the
spec's allowed values and ranges; every user gets a different text, so rows are told apart.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from assets.privacy.ownership import spec_tables

ROWS_PER_USER = 2


@dataclass
class Column:
    name: str
    type: str
    not_null: bool
    has_default: bool
    generated: bool


@dataclass
class Seeded:
    users: list[uuid.UUID]
    emails: dict[uuid.UUID, str]
    rows: dict[str, dict[uuid.UUID | None, list]] = field(default_factory=dict)  # table -> owner -> pks


def _columns(conn: psycopg.Connection, table: str) -> list[Column]:
    rows = conn.execute(
        """
        select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef, a.attgenerated <> ''
        from pg_attribute as a where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped
        order by a.attnum
        """,
        (table,),
    ).fetchall()
    return [Column(*r) for r in rows]


def _foreign_keys(conn: psycopg.Connection) -> dict[str, dict[str, tuple[str, str]]]:
    rows = conn.execute(
        """
        select k.conrelid::regclass::text, a.attname, k.confrelid::regclass::text, pa.attname
        from pg_constraint as k
        cross join lateral unnest(k.conkey, k.confkey) as u (c, p)
        inner join pg_attribute as a on k.conrelid = a.attrelid and u.c = a.attnum
        inner join pg_attribute as pa on k.confrelid = pa.attrelid and u.p = pa.attnum
        where k.contype = 'f' and k.connamespace = 'public'::regnamespace
        """
    ).fetchall()
    out: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for child, column, parent, parent_column in rows:
        out[_q(child)][column] = (_q(parent), parent_column)
    return out


def _q(name: str) -> str:
    return name if "." in name else f"public.{name}"


def _public_tables(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "select c.relname from pg_class as c where c.relnamespace = 'public'::regnamespace"
        " and c.relkind in ('r', 'p') and not c.relispartition order by 1"
    ).fetchall()
    return [f"public.{r[0]}" for r in rows]


def _topological(tables: list[str], fks: dict[str, dict[str, tuple[str, str]]]) -> list[str]:
    order: list[str] = []
    pending = list(tables)
    while pending:
        ready = [
            t for t in pending if all(p == t or p not in pending for p, _ in fks.get(t, {}).values())
        ] or pending[:1]
        for t in ready:
            order.append(t)
            pending.remove(t)
    return order


def _value(
    column: Column,
    spec_column: dict,
    tag: str,
    n: int,
    rng: random.Random,
    dimension: int,
    json_user: str | None,
) -> object:
    allowed = spec_column.get("allowed")
    if allowed:
        return allowed[n % len(allowed)]
    low = (spec_column.get("range") or [1])[0]
    t = column.type
    if column.name == "email" or column.name.endswith("_email"):
        return f"{tag}.{n}@example.com"
    if t.startswith(("text", "character varying")) and not t.endswith("[]"):
        return f"{column.name} {tag} {n} {uuid.uuid4().hex[:6]}"
    if t in {"integer", "bigint", "smallint"}:
        return int(low)
    if t.startswith(("numeric", "double", "real")):
        return low + 0.5
    if t == "boolean":
        return True
    if t in {"jsonb", "json"}:
        return Jsonb({"note": f"{tag} {n}", **({"user_id": json_user} if json_user else {})})
    if t.startswith("timestamp"):
        return "2025-06-01 10:00:00+00"
    if t == "date":
        return "2025-06-01"
    if t == "uuid":
        return uuid.uuid4()
    if t == "inet":
        return f"10.0.0.{n + 1}"
    if t.endswith("[]"):
        return [f"{tag}-{n}"]
    if t.startswith("vector"):
        return "[" + ",".join(f"{rng.random():.4f}" for _ in range(dimension)) + "]"
    if t == "interval":
        return "1 day"
    return f"{tag}-{n}"


def seed(conn: psycopg.Connection, n_users: int = 3, dimension: int = 384) -> Seeded:
    """Create `n_users` users with rows in every owned table, plus shared rows; return what was inserted."""
    rng = random.Random(7)
    spec = spec_tables()
    users = [uuid.uuid4() for _ in range(n_users)]
    emails = {u: f"user{i}.{u.hex[:6]}@example.com" for i, u in enumerate(users)}
    for u in users:
        conn.execute(
            "insert into auth.users (id, email, encrypted_password, raw_user_meta_data, created_at)"
            " values (%s, %s, 'bcrypt-hash-not-a-secret-here', %s, now())",
            (u, emails[u], Jsonb({"name": emails[u]})),
        )
    seeded = Seeded(users, emails)
    fks = _foreign_keys(conn)
    for table in _topological(_public_tables(conn), fks):
        body = spec.get(table, {})
        owners = {body["owner_column"]} if body.get("owner_column") else set()
        owners |= {c for c, p in fks.get(table, {}).items() if p == ("auth.users", "id")}
        via = body.get("owner_via")
        owned = bool(owners or via)
        columns = _columns(conn, table)
        pk = conn.execute(
            "select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid"
            " and a.attnum = any(i.indkey) where i.indrelid = %s::regclass and i.indisprimary",
            (table,),
        ).fetchone()
        per_owner: dict[uuid.UUID | None, list] = {}
        for owner in users if owned else [None]:
            tag = owner.hex[:8] if owner else "shared"
            for n in range(ROWS_PER_USER):
                values: dict[str, object] = {}
                for column in columns:
                    if column.generated:
                        continue
                    fk = fks.get(table, {}).get(column.name)
                    if column.name in owners:
                        values[column.name] = owner
                    elif fk and fk[0] == "auth.users":
                        values[column.name] = owner or users[0]
                    elif fk:
                        parents = seeded.rows.get(fk[0], {})
                        candidates = parents.get(owner) or parents.get(None) or []
                        if candidates:
                            values[column.name] = candidates[n % len(candidates)]
                        elif column.not_null:
                            raise AssertionError(f"{table}.{column.name}: no parent row in {fk[0]}")
                    elif column.has_default:
                        continue
                    elif column.name == "user_id" and owner is None:
                        values[column.name] = users[0]
                    else:
                        spec_column = body.get("columns", {}).get(column.name, {})
                        # shared rows name a user in their documents, as the app's metadata does
                        json_user = None if owned else str(users[n % len(users)])
                        values[column.name] = _value(column, spec_column, tag, n, rng, dimension, json_user)
                if table == "public.knowledge_buckets":
                    # the scope check: campaign buckets name their campaign, general ones none
                    values["bucket_type"] = "campaign" if values.get("campaign_id") else "general"
                query = sql.SQL("insert into {} ({}) values ({}) returning {}").format(
                    sql.Identifier(*table.split(".")),
                    sql.SQL(", ").join(map(sql.Identifier, values)),
                    sql.SQL(", ").join(sql.Placeholder() * len(values)),
                    sql.Identifier(pk[0]) if pk else sql.SQL("ctid"),
                )
                try:
                    with conn.transaction():
                        key = conn.execute(query, list(values.values())).fetchone()[0]
                except psycopg.errors.UniqueViolation:
                    if n == 0:
                        raise
                    continue  # one row per user allowed (unique owner column): one it is
                except psycopg.Error as exc:
                    raise AssertionError(f"seeding {table} failed: {exc}") from exc
                per_owner.setdefault(owner, []).append(key)
        seeded.rows[table] = per_owner
    # seeded requests are history (completed), so each test files and processes its own
    for table in ("data_export_requests", "data_deletion_requests"):
        conn.execute(sql.SQL("update {} set status = 'completed'").format(sql.Identifier("public", table)))
    return seeded
