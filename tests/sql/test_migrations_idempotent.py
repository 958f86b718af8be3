"""Migrations apply once and then never again; they apply on a Supabase-like server without touching the
platform's own objects; the embedding dimension follows the setting (384 when unset, as on Supabase)."""

from __future__ import annotations

import psycopg
import pytest

from orchestration.migrations import MIGRATIONS_DIR, MigrationError, apply_migrations

from .conformance import compare

SNAPSHOT = {
    "columns": "select attrelid::regclass::text, attname, format_type(atttypid, atttypmod), attnotnull, "
    "pg_get_expr(d.adbin, d.adrelid) from pg_attribute a join pg_class c on c.oid = a.attrelid "
    "join pg_namespace n on n.oid = c.relnamespace left join pg_attrdef d on d.adrelid = a.attrelid "
    "and d.adnum = a.attnum where n.nspname in ('public', 'auth', 'storage', 'aip') and a.attnum > 0 "
    "and not a.attisdropped and c.relkind in ('r', 'v', 'p')",
    "constraints": "select conrelid::regclass::text, conname, pg_get_constraintdef(oid) from pg_constraint "
    "where connamespace::regnamespace::text in ('public', 'auth', 'storage', 'aip')",
    "indexes": "select indexrelid::regclass::text, pg_get_indexdef(indexrelid) from pg_index i join pg_class c "
    "on c.oid = i.indrelid where c.relnamespace::regnamespace::text in ('public', 'auth', 'storage', 'aip')",
    "functions": "select p.oid::regprocedure::text, pg_get_functiondef(p.oid), p.proacl::text from pg_proc p "
    "where p.pronamespace::regnamespace::text in ('public', 'auth', 'storage', 'aip') and p.prokind = 'f' "
    "and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')",
    "policies": "select schemaname, tablename, policyname, cmd, roles::text, qual, with_check from pg_policies",
    "triggers": "select pg_get_triggerdef(oid) from pg_trigger where not tgisinternal",
    "privileges": "select c.oid::regclass::text, c.relacl::text, c.relrowsecurity from pg_class c "
    "where c.relnamespace::regnamespace::text in ('public', 'auth', 'storage', 'aip')",
    "views": "select c.oid::regclass::text, pg_get_viewdef(c.oid) from pg_class c where c.relkind = 'v' "
    "and c.relnamespace::regnamespace::text = 'public'",
    "roles": "select oid, rolname, rolbypassrls, rolcanlogin, rolinherit from pg_roles "
    "where rolname in ('anon', 'authenticated', 'service_role')",
    "buckets": "select id, name, public from storage.buckets",
}


def snapshot(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as conn:
        return {name: sorted(conn.execute(query).fetchall(), key=repr) for name, query in SNAPSHOT.items()}


def test_second_run_applies_nothing_and_changes_nothing(empty_db_url: str) -> None:
    applied = apply_migrations(empty_db_url, 384)
    assert applied == sorted(p.stem for p in MIGRATIONS_DIR.glob("*.sql"))
    before = snapshot(empty_db_url)
    assert apply_migrations(empty_db_url, 384) == []
    assert snapshot(empty_db_url) == before


@pytest.mark.parametrize("migration", ["0001_platform_compatibility", "0075_storage_ai_videos"])
def test_platform_files_are_idempotent_on_their_own(empty_db_url: str, migration: str) -> None:
    """The files that create platform objects only where absent can run again on a complete schema."""
    apply_migrations(empty_db_url, 384)
    before = snapshot(empty_db_url)
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        conn.execute((MIGRATIONS_DIR / f"{migration}.sql").read_text())
    assert snapshot(empty_db_url) == before


SUPABASE_LIKE = """
do $$
begin  -- roles are per server: other tests may have created them already, as Supabase has
    if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon nologin; end if;
    if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated nologin; end if;
    if not exists (select 1 from pg_roles where rolname = 'service_role') then
        create role service_role nologin bypassrls;
    end if;
end
$$;
create schema auth;
create table auth.users (
    instance_id uuid, id uuid primary key, aud varchar(255), email varchar(255), encrypted_password varchar(255),
    raw_app_meta_data jsonb, raw_user_meta_data jsonb, created_at timestamptz, updated_at timestamptz,
    is_sso_user boolean not null default false
);
create function auth.uid() returns uuid language sql stable
as $$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid /* platform's own */ $$;
create schema storage;
create table storage.buckets (id text primary key, name text not null, owner uuid, public boolean default false,
    avif_autodetection boolean default false, created_at timestamptz, updated_at timestamptz);
create table storage.objects (id uuid primary key default gen_random_uuid(), bucket_id text
    references storage.buckets (id), name text, owner uuid, metadata jsonb, user_metadata jsonb,
    unique (bucket_id, name));
alter table storage.objects enable row level security;
create function storage.foldername(name text) returns text[] language sql immutable
as $$ select (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1] $$;
"""


def test_platform_objects_that_exist_are_left_untouched(empty_db_url: str) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        conn.execute(SUPABASE_LIKE)
        roles = conn.execute(SNAPSHOT["roles"]).fetchall()
        assert len(roles) == 3
        before = {
            "users": conn.execute(SNAPSHOT["columns"] + " and c.oid = 'auth.users'::regclass").fetchall(),
            "uid": conn.execute("select pg_get_functiondef('auth.uid()'::regprocedure)").fetchone(),
            "foldername": conn.execute(
                "select pg_get_functiondef('storage.foldername(text)'::regprocedure)"
            ).fetchone(),
            "buckets": conn.execute(
                SNAPSHOT["columns"] + " and c.oid = 'storage.buckets'::regclass"
            ).fetchall(),
        }
    apply_migrations(empty_db_url, 384)
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        assert conn.execute(SNAPSHOT["roles"]).fetchall() == roles
        assert (
            conn.execute(SNAPSHOT["columns"] + " and c.oid = 'auth.users'::regclass").fetchall()
            == before["users"]
        )
        assert (
            conn.execute("select pg_get_functiondef('auth.uid()'::regprocedure)").fetchone() == before["uid"]
        )
        assert (
            conn.execute("select pg_get_functiondef('storage.foldername(text)'::regprocedure)").fetchone()
            == before["foldername"]
        )
        assert (
            conn.execute(SNAPSHOT["columns"] + " and c.oid = 'storage.buckets'::regclass").fetchall()
            == before["buckets"]
        )
        # the functions missing on this "platform" were added, and the schema is complete
        assert conn.execute(
            "select to_regprocedure('auth.role()') is not null, to_regprocedure('auth.jwt()') is not null"
        ).fetchone() == (True, True)
        report = compare(conn, 384)
    assert not report.unexpected, "\n".join(report.unexpected)


def test_schema_follows_the_configured_dimension(empty_db_url: str) -> None:
    apply_migrations(empty_db_url, 768)
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        types = conn.execute(
            "select attrelid::regclass::text, format_type(atttypid, atttypmod) from pg_attribute "
            "where attname = 'embedding' and attrelid in ('public.knowledge_chunks'::regclass, "
            "'public.conversation_messages'::regclass) order by 1"
        ).fetchall()
        assert types == [("conversation_messages", "vector(768)"), ("knowledge_chunks", "vector(768)")]
        user = conn.execute("insert into auth.users (id) values (gen_random_uuid()) returning id").fetchone()[
            0
        ]
        search = "select * from public.search_knowledge_chunks(%s, %s::vector)"
        assert conn.execute(search, (user, "[" + ",".join(["0.1"] * 768) + "]")).fetchall() == []
        with pytest.raises(
            psycopg.Error, match="query embedding has 384 dimensions, the knowledge base stores 768"
        ):
            conn.execute(search, (user, "[" + ",".join(["0.1"] * 384) + "]"))
        report = compare(conn, 768)
    assert not report.unexpected, "\n".join(report.unexpected)


@pytest.mark.parametrize("dimension", [0, 4096])
def test_unusable_dimension_fails_with_a_clear_error(empty_db_url: str, dimension: int) -> None:
    with pytest.raises(
        MigrationError, match=f'aip.embedding_dimension is "{dimension}", not a dimension from 1 to 2000'
    ):
        apply_migrations(empty_db_url, dimension)


def test_files_apply_as_plain_sql_without_the_setting(empty_db_url: str) -> None:
    """As on Supabase (SQL editor, CLI): no migration tool, default search_path, no aip.embedding_dimension."""
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
            with conn.transaction():
                conn.execute(path.read_text())
        assert conn.execute(
            "select format_type(atttypid, atttypmod) from pg_attribute where attname = 'embedding' "
            "and attrelid = 'public.knowledge_chunks'::regclass"
        ).fetchone() == ("vector(384)",)
        report = compare(conn, 384)
    assert not report.unexpected, "\n".join(report.unexpected)
