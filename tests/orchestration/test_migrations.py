"""Migrations: applied once, recorded, atomic per file, failures named."""

import shutil
from pathlib import Path

import psycopg
import pytest

from orchestration.migrations import MIGRATIONS_DIR, MigrationError, applied_migrations, apply_migrations

CATALOG_SNAPSHOT = """
select n.nspname, c.relname, c.relkind, coalesce(a.attname, ''), coalesce(format_type(a.atttypid, a.atttypmod), '')
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
order by 1, 2, 4
"""


def _catalog(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(CATALOG_SNAPSHOT).fetchall()


def test_applying_twice_changes_nothing(empty_db_url: str) -> None:
    first = apply_migrations(empty_db_url, 384)
    assert first == [p.stem for p in sorted(MIGRATIONS_DIR.glob("*.sql"))]
    before = _catalog(empty_db_url)
    assert apply_migrations(empty_db_url, 384) == []
    assert _catalog(empty_db_url) == before
    assert [m.id for m in applied_migrations(empty_db_url)] == first


def test_broken_migration_rolls_back_and_names_file_and_statement(empty_db_url: str, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations)
    apply_migrations(empty_db_url, 384, migrations)
    before = _catalog(empty_db_url)
    (migrations / "9999_broken.sql").write_text(
        "create table public.half_done (id int);\ninsert into public.does_not_exist values (1);\n"
    )
    with pytest.raises(MigrationError) as failure:
        apply_migrations(empty_db_url, 384, migrations)
    message = str(failure.value)
    assert "9999_broken.sql" in message
    assert "insert into public.does_not_exist" in message
    assert _catalog(empty_db_url) == before, "the failed migration's first statement must be rolled back"
    assert "9999_broken" not in {m.id for m in applied_migrations(empty_db_url)}
