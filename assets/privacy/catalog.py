"""The live catalog, read once per resolution: relations with their columns, foreign keys, primary keys."""

from __future__ import annotations

import psycopg

# Schemas whose tables belong to PostgreSQL or to the hosting platform (Supabase's own services): they hold
# no platform data, or cascade from auth.users by themselves. `auth` and `storage` are handled table by table.
PLATFORM_SCHEMAS = frozenset(
    {
        "information_schema",
        "auth",
        "storage",
        "extensions",
        "graphql",
        "graphql_public",
        "realtime",
        "_realtime",
        "supabase_functions",
        "supabase_migrations",
        "vault",
        "pgsodium",
        "pgsodium_masks",
        "net",
        "cron",
        "pgbouncer",
        "_analytics",
    }
)

Relations = dict[str, tuple[str, dict[str, str]]]


def read_catalog(
    conn: psycopg.Connection,
) -> tuple[Relations, list[tuple[str, str, str, str]], dict[str, list[str]]]:
    """(relations, foreign keys, primary keys) of the database.

    relations: `schema.name` -> (kind `table` | `matview`, {column: type}) for base tables, partitioned tables
    (not their partitions) and materialized views outside pg_*; foreign keys: (child, column, parent,
    parent column), one row per column pair; primary keys: `schema.name` -> key columns in order.
    """
    rows = conn.execute(
        """
        select n.nspname, c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod)
        from pg_catalog.pg_class as c
        inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
        inner join pg_catalog.pg_attribute as a on c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped
        where c.relkind in ('r', 'p', 'm') and not c.relispartition
            and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
        order by n.nspname, c.relname, a.attnum
        """
    ).fetchall()
    relations: dict[str, tuple[str, dict[str, str]]] = {}
    for schema, name, relkind, column, type_ in rows:
        kind = "matview" if relkind == "m" else "table"
        relations.setdefault(f"{schema}.{name}", (kind, {}))[1][column] = type_
    fks = conn.execute(
        """
        select cn.nspname || '.' || cc.relname, a.attname, pn.nspname || '.' || pc.relname, pa.attname
        from pg_catalog.pg_constraint as k
        inner join pg_catalog.pg_class as cc on k.conrelid = cc.oid
        inner join pg_catalog.pg_namespace as cn on cc.relnamespace = cn.oid
        inner join pg_catalog.pg_class as pc on k.confrelid = pc.oid
        inner join pg_catalog.pg_namespace as pn on pc.relnamespace = pn.oid
        cross join lateral unnest(k.conkey, k.confkey) as u (child_attnum, parent_attnum)
        inner join pg_catalog.pg_attribute as a on k.conrelid = a.attrelid and u.child_attnum = a.attnum
        inner join pg_catalog.pg_attribute as pa on k.confrelid = pa.attrelid and u.parent_attnum = pa.attnum
        where k.contype = 'f'
        """
    ).fetchall()
    pk_rows = conn.execute(
        """
        select n.nspname || '.' || c.relname, a.attname
        from pg_catalog.pg_index as i
        inner join pg_catalog.pg_class as c on i.indrelid = c.oid
        inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
        cross join lateral unnest(i.indkey) with ordinality as k (attnum, position)
        inner join pg_catalog.pg_attribute as a on c.oid = a.attrelid and k.attnum = a.attnum
        where i.indisprimary
        order by 1, k.position
        """
    ).fetchall()
    primary_keys: dict[str, list[str]] = {}
    for table, column in pk_rows:
        primary_keys.setdefault(table, []).append(column)
    return relations, fks, primary_keys
