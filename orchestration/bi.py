"""Read-only access for BI tools: the `bi_reader` login role and its connection URL.

`bi_reader` may read the warehouse's `marts` schema (and `quality`, the check-results schema, when it
exists), including tables dbt creates later (default privileges), and nothing else. PUBLIC keeps its
default USAGE on schema `public`, which every role inherits and no per-role revoke can take away, so the
guarantee rests on table privileges: since PostgreSQL 15 nothing grants them to PUBLIC, and the migrations
grant `public` tables only to the API roles (anon, authenticated, service_role), which bi_reader is not a
member of. `ensure_bi_reader` checks that and refuses to finish if a public/auth/storage table is readable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from orchestration.settings import Settings

BI_ROLE = "bi_reader"
READABLE_SCHEMAS = ("marts", "quality")
PRIVATE_SCHEMAS = ("public", "auth", "storage")


class BiAccessError(RuntimeError):
    """bi_reader cannot be set up as read-only; the message says what to change."""


def _existing_schemas(conn: psycopg.Connection, names: tuple[str, ...]) -> list[str]:
    rows = conn.execute("select nspname from pg_namespace where nspname = any(%s) order by 1", (list(names),))
    return [row[0] for row in rows]


def ensure_bi_reader(
    conn: psycopg.Connection, password: str, schemas: tuple[str, ...] = READABLE_SCHEMAS
) -> None:
    """Create or update the login role `bi_reader` with `password`, read-only on `schemas` that exist.

    Idempotent; roles are cluster-wide, grants are per database (this connection's). Run it as the role
    that owns (creates) the warehouse tables, so the default privileges cover the tables dbt creates next."""
    role = sql.Identifier(BI_ROLE)
    with conn.transaction():
        # roles are created cluster-wide: serialise concurrent callers (two databases, two processes)
        conn.execute("select pg_advisory_xact_lock(hashtext('aip.bi_reader'))")
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (BI_ROLE,)).fetchone()
        verb = sql.SQL("alter role") if exists else sql.SQL("create role")
        conn.execute(
            sql.SQL(
                "{} {} login nosuperuser nocreatedb nocreaterole noinherit nobypassrls password {}"
            ).format(verb, role, sql.Literal(password))
        )
        conn.execute(sql.SQL("alter role {} set default_transaction_read_only = on").format(role))
        conn.execute(sql.SQL("alter role {} set search_path = marts").format(role))
        for schema in PRIVATE_SCHEMAS:
            if _existing_schemas(conn, (schema,)):
                conn.execute(
                    sql.SQL("revoke all on all tables in schema {} from {}").format(
                        sql.Identifier(schema), role
                    )
                )
                conn.execute(
                    sql.SQL("revoke create on schema {} from {}").format(sql.Identifier(schema), role)
                )
        for schema in _existing_schemas(conn, schemas):
            ident = sql.Identifier(schema)
            conn.execute(sql.SQL("grant usage on schema {} to {}").format(ident, role))
            conn.execute(sql.SQL("grant select on all tables in schema {} to {}").format(ident, role))
            conn.execute(
                sql.SQL("alter default privileges in schema {} grant select on tables to {}").format(
                    ident, role
                )
            )
        leaks = readable_private_tables(conn)
        if leaks:
            raise BiAccessError(
                f"{BI_ROLE} could read {', '.join(leaks[:5])}{' …' if len(leaks) > 5 else ''}: a grant to PUBLIC "
                "(or to a role bi_reader belongs to) exposes them. Revoke it (e.g. `revoke select on <table> "
                "from public`) and run this again."
            )


def readable_private_tables(conn: psycopg.Connection) -> list[str]:
    """Tables and views of public/auth/storage that bi_reader could select (should be none)."""
    rows = conn.execute(
        """
        select format('%%I.%%I', n.nspname, c.relname)
        from pg_class as c
        join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = any(%s)
          and c.relkind in ('r', 'v', 'm', 'p', 'f')
          and has_schema_privilege(%s, n.oid, 'usage')
          and has_table_privilege(%s, c.oid, 'select')
        order by 1
        """,
        (list(PRIVATE_SCHEMAS), BI_ROLE, BI_ROLE),
    ).fetchall()
    return [row[0] for row in rows]


def bi_password(settings: Settings) -> str:
    """AIP_BI_PASSWORD, else a password generated once into AIP_HOME/bi_reader.password (mode 0600)."""
    if settings.bi_password:
        return settings.bi_password
    path: Path = settings.home / "bi_reader.password"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


def bi_url(settings: Settings, ensure: bool = True) -> str:
    """TCP connection string of bi_reader for BI tools; with `ensure`, the role is created/updated first.

    Embedded: postgresql://bi_reader:PASSWORD@127.0.0.1:AIP_BI_PORT/<database>. With DATABASE_URL: the same
    host, port, database and query (sslmode…) as DATABASE_URL, as bi_reader."""
    from orchestration.database import connect, database_url

    password = bi_password(settings)
    if ensure:
        with connect(database_url(settings), autocommit=True) as conn:
            ensure_bi_reader(conn, password)
    credentials = f"{quote(BI_ROLE)}:{quote(password, safe='')}"
    if settings.embedded:
        return f"postgresql://{credentials}@127.0.0.1:{settings.bi_port}/{quote(settings.database_name)}"
    parts = urlsplit(database_url(settings))
    hostport = parts.netloc.rpartition("@")[2]
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k not in {"user", "password", "options"}])
    return urlunsplit(parts._replace(netloc=f"{credentials}@{hostport}", query=query))
