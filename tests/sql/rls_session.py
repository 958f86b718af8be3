"""Acting as an API role inside one transaction, the way PostgREST does, and the superuser's view of the
same transaction to check what a statement really changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from tests.sql.rls_model import RowBuilder, Table, insert_order, owner_expr, tables


def act_as(conn: psycopg.Connection, role: str, user_id: str | None = None) -> None:
    """SET LOCAL ROLE and the request's JWT claims (`auth.uid()` reads `sub`), as PostgREST per request."""
    conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
    conn.execute(
        "select set_config('request.jwt.claims',"
        " json_strip_nulls(json_build_object('sub', %s::text, 'role', %s::text))::text, true)",
        (user_id, role),
    )


def as_superuser(conn: psycopg.Connection) -> None:
    conn.execute("reset role")
    conn.execute("select set_config('request.jwt.claims', '', true)")


@dataclass
class Attempt:
    """Outcome of one statement run inside a savepoint: rows affected (or fetched), or the refusal."""

    rowcount: int | None = None
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    error: psycopg.errors.InsufficientPrivilege | None = None

    @property
    def rls_violation(self) -> bool:
        return self.error is not None and "row-level security" in str(self.error)


def attempt(conn: psycopg.Connection, query: str | sql.Composable, params: Any = ()) -> Attempt:
    """Run `query` in a savepoint; a permission or RLS refusal is returned, any other error raised."""
    try:
        with conn.transaction():
            cur = conn.execute(query, params)
            rows = cur.fetchall() if cur.description else []
            return Attempt(rowcount=cur.rowcount, rows=rows)
    except psycopg.errors.InsufficientPrivilege as exc:
        return Attempt(error=exc)


@dataclass
class World:
    """A migrated database with users A and B and, for every table, one seeded row per user."""

    conn: psycopg.Connection
    users: dict[str, str]
    seeded: dict[tuple[str, str], Any]
    builder: RowBuilder

    @property
    def a(self) -> str:
        return self.users["A"]

    @property
    def b(self) -> str:
        return self.users["B"]

    # -- the superuser's view --------------------------------------------------------------------------------
    def ids(self, table: Table, where: str = "true", params: Any = ()) -> set[Any]:
        as_superuser(self.conn)
        query = f"select t.{table.pk} from {table.qualified} t where {where}"
        return {r[0] for r in self.conn.execute(query, params).fetchall()}

    def owned_by(self, table: Table, user_id: str, role: str = "authenticated") -> set[Any]:
        """Rows the user owns, plus rows the select policy opens to everyone (`or is_public = true`)."""
        where = f"{owner_expr(table.name)} = %s::uuid"
        for extra in table.public_disjuncts(role):
            where += f" or ({extra})"
        return self.ids(table, where, (user_id,))

    def column_text(self, table: Table, column: str, pk: Any) -> str | None:
        as_superuser(self.conn)
        row = self.conn.execute(
            f"select {column}::text from {table.qualified} where {table.pk} = %s", (pk,)
        ).fetchone()
        assert row is not None, f"{table.name} row {pk} is gone"
        return row[0]

    def snapshot(self, table: Table) -> list[tuple[Any, ...]]:
        as_superuser(self.conn)
        return self.conn.execute(f"select t::text from {table.qualified} t order by 1").fetchall()

    def clear_owner_unique(self, table: Table) -> None:
        """Tables with one row per user: drop the seeded rows so an insert test meets RLS, not the key."""
        if table.owner_unique:
            as_superuser(self.conn)
            self.conn.execute(
                f"delete from {table.qualified} where {table.owner_column} in (%s::uuid, %s::uuid)",
                (self.a, self.b),
            )

    def insert(self, table: Table, values: dict[str, Any]) -> Attempt:
        query, params = self.builder.insert_sql(table.name, values)
        return attempt(self.conn, query, params)


def seed(conn: psycopg.Connection, builder: RowBuilder, users: dict[str, str]) -> dict[tuple[str, str], Any]:
    """One row per user in every table (parents first); unowned tables get two rows with no owner."""
    seeded: dict[tuple[str, str], Any] = {}
    for name in insert_order():
        table = tables()[name]
        for tag, user_id in users.items():
            owner = user_id if table.owned else None
            values = builder.row(name, owner)
            query, params = builder.insert_sql(name, values)
            conn.execute(query, params)
            seeded[(name, tag)] = values[table.pk]
            builder.parents[(name, owner)] = values[table.pk]
    return seeded
