"""Compare the warehouse's tables with a saved copy of them: how full-refresh and incremental builds are
proven to give the same rows (tests, bench/warehouse.py)."""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg import sql

WAREHOUSE_SCHEMAS = ("intermediate", "marts")


def warehouse_tables(
    conn: psycopg.Connection, schemas: Iterable[str] = WAREHOUSE_SCHEMAS
) -> list[tuple[str, str]]:
    """(schema, table) of every base table dbt built in `schemas` (views are recomputed, not stored)."""
    rows = conn.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema = any(%s) and table_type = 'BASE TABLE' order by 1, 2",
        (list(schemas),),
    ).fetchall()
    return [(schema, table) for schema, table in rows]


def snapshot(conn: psycopg.Connection, into: str, schemas: Iterable[str] = WAREHOUSE_SCHEMAS) -> list[str]:
    """Copy every warehouse table into schema `into` as `<schema>__<table>`; returns the copied names."""
    copied = []
    with conn.transaction():
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(into)))
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(into)))
        for schema, table in warehouse_tables(conn, schemas):
            name = f"{schema}__{table}"
            conn.execute(
                sql.SQL("create table {}.{} as table {}.{}").format(
                    sql.Identifier(into), sql.Identifier(name), sql.Identifier(schema), sql.Identifier(table)
                )
            )
            copied.append(name)
    return copied


def differences(
    conn: psycopg.Connection, saved: str, schemas: Iterable[str] = WAREHOUSE_SCHEMAS
) -> dict[str, tuple[int, int]]:
    """Tables whose rows differ from the copy in schema `saved`: {schema.table: (rows only in the live
    table, rows only in the copy)}, counting duplicates (`except all`). A table missing on one side is
    reported with -1."""
    live = {f"{schema}__{table}": (schema, table) for schema, table in warehouse_tables(conn, schemas)}
    copies = {row[0] for row in conn.execute(
        "select table_name from information_schema.tables where table_schema = %s", (saved,)
    )}  # fmt: skip
    out: dict[str, tuple[int, int]] = {}
    for name in sorted(set(live) | copies):
        if name not in live or name not in copies:
            out[name.replace("__", ".", 1)] = (-1 if name not in live else 0, -1 if name not in copies else 0)
            continue
        schema, table = live[name]
        live_ref = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        copy_ref = sql.SQL("{}.{}").format(sql.Identifier(saved), sql.Identifier(name))
        only_live = conn.execute(
            sql.SQL("select count(*) from (table {} except all table {}) as d").format(live_ref, copy_ref)
        ).fetchone()[0]
        only_copy = conn.execute(
            sql.SQL("select count(*) from (table {} except all table {}) as d").format(copy_ref, live_ref)
        ).fetchone()[0]
        if only_live or only_copy:
            out[f"{schema}.{table}"] = (only_live, only_copy)
    return out
