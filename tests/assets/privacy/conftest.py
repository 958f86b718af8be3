"""Fixtures of the privacy tests: seeded users, and catalog-driven views of where a user's rows are.

The helpers here are written independently of `assets.privacy.ownership` (plain joins, the catalog read
again), so the tests compare the code against a second reading of the spec, not against itself.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from assets.privacy.ownership import spec_tables
from orchestration.settings import Settings
from tests.assets.privacy.seeding import Seeded, seed


@pytest.fixture
def seeded(conn: psycopg.Connection) -> Seeded:
    return seed(conn, n_users=3)


@pytest.fixture
def storage_dir(settings: Settings) -> Path:
    settings.storage_dir.mkdir(parents=True, exist_ok=True)
    return settings.storage_dir


def user_columns(conn: psycopg.Connection) -> dict[str, list[tuple[str, str]]]:
    """Every base table in every schema (system schemas aside) -> its (column, how) that can name a user:
    foreign keys to auth.users, `user_id` and the spec's owner columns (`value`), and jsonb documents with a
    top-level `user_id` (`json`) — read from the catalog."""
    owner_names = {"user_id"} | {b["owner_column"] for b in spec_tables().values() if b.get("owner_column")}
    rows = conn.execute(
        """
        select n.nspname || '.' || c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
            exists (
                select 1 from pg_constraint as k
                where k.conrelid = c.oid and k.contype = 'f' and k.confrelid = 'auth.users'::regclass
                    and a.attnum = any(k.conkey)
            ) as refers_to_users
        from pg_class as c
        inner join pg_namespace as n on c.relnamespace = n.oid
        inner join pg_attribute as a on c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped
        where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
            and n.nspname not like 'pg\\_%%'
        """
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, type_, refers in rows:
        if type_ == "jsonb":
            out.setdefault(table, []).append((column, "json"))
        elif type_ in ("uuid", "text", "character varying") and (
            refers or column in owner_names or (table == "auth.users" and column == "id")
        ):
            out.setdefault(table, []).append((column, "value"))
    out.setdefault("storage.objects", []).append(("owner", "value"))
    return out


def rows_naming_user(conn: psycopg.Connection, user_id: uuid.UUID) -> dict[str, int]:
    """Per table, rows where any user column equals `user_id` (tables with none left out)."""
    found = {}
    for table, columns in user_columns(conn).items():
        cond = sql.SQL(" or ").join(
            sql.SQL("{} ->> 'user_id' = %(u)s" if how == "json" else "{}::text = %(u)s").format(
                sql.Identifier(c)
            )
            for c, how in columns
        )
        query = sql.SQL("select count(*) from {} where {}").format(sql.Identifier(*table.split(".")), cond)
        count = conn.execute(query, {"u": str(user_id)}).fetchone()[0]
        if count:
            found[table] = count
    return found


def spec_owned_count(conn: psycopg.Connection, table: str, user_id: uuid.UUID) -> int:
    """Rows of spec table `table` the user owns: the owner column, else the owner_via chain as joins."""
    spec = spec_tables()
    joins, current, alias = [], table, "t0"
    while True:
        body = spec[current]
        if body.get("owner_column"):
            where = sql.SQL("{}.{} = %(u)s").format(
                sql.Identifier(alias), sql.Identifier(body["owner_column"])
            )
            break
        via = body.get("owner_via")
        if not via:
            return 0
        parent, parent_alias = f"public.{via['table']}", f"t{len(joins) + 1}"
        joins.append(
            sql.SQL("join {p} {pa} on {pa}.id = {a}.{c}").format(
                p=sql.Identifier(*parent.split(".")),
                pa=sql.Identifier(parent_alias),
                a=sql.Identifier(alias),
                c=sql.Identifier(via["column"]),
            )
        )
        current, alias = parent, parent_alias
    query = sql.SQL("select count(*) from {t} t0 {joins} where {where}").format(
        t=sql.Identifier(*table.split(".")), joins=sql.SQL(" ").join(joins), where=where
    )
    return conn.execute(query, {"u": user_id}).fetchone()[0]


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Row count of every base table outside the system schemas."""
    tables = conn.execute(
        "select n.nspname, c.relname from pg_class c join pg_namespace n on c.relnamespace = n.oid"
        " where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')"
        " and n.nspname not like 'pg\\_%%'"
    ).fetchall()
    return {
        f"{s}.{t}": conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(s, t))).fetchone()[
            0
        ]
        for s, t in tables
    }
