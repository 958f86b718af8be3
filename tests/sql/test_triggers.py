"""updated_at maintenance: every trigger of the spec fires on UPDATE of its table, and every trigger function
(the two the spec attaches to no table included) sets NEW.updated_at to now()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import psycopg
import pytest

from .rows import insert, migrated_database, rolled_back
from .spec_compiler import load_spec

SPEC = load_spec()
TRIGGERS = [(table, t["name"]) for table, spec in SPEC["tables"].items() for t in spec["triggers"]]
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def shared_db_url(admin_url: str, template_db: str) -> Iterator[str]:
    with migrated_database(admin_url, template_db) as url:
        yield url


@pytest.fixture
def conn(shared_db_url: str) -> Iterator[psycopg.Connection]:
    """One database for the module; each test runs in a transaction that is rolled back."""
    with rolled_back(shared_db_url) as connection:
        yield connection


@pytest.mark.parametrize(("table", "trigger"), TRIGGERS, ids=[name for _, name in TRIGGERS])
def test_update_advances_updated_at(conn: psycopg.Connection, table: str, trigger: str) -> None:
    row = insert(conn, table, updated_at=LONG_AGO)
    assert (
        conn.execute(f"select updated_at from public.{table} where id = %s", (row,)).fetchone()[0] == LONG_AGO
    )
    with conn.transaction():
        conn.execute(f"update public.{table} set id = id where id = %s", (row,))
        updated, now = conn.execute(
            f"select updated_at, now() from public.{table} where id = %s", (row,)
        ).fetchone()
    assert updated == now, f"{trigger} did not set updated_at on {table}"


@pytest.mark.parametrize("function", sorted(SPEC["trigger_functions"]))
def test_trigger_function_sets_updated_at(conn: psycopg.Connection, function: str) -> None:
    conn.execute("create table public.trigger_probe (id int primary key, note text, updated_at timestamptz)")
    conn.execute(
        f"create trigger probe before update on public.trigger_probe for each row execute function public.{function}()"
    )
    conn.execute("insert into public.trigger_probe values (1, 'a', %s)", (LONG_AGO,))
    with conn.transaction():
        conn.execute("update public.trigger_probe set note = 'b' where id = 1")
        note, updated, now = conn.execute(
            "select note, updated_at, now() from public.trigger_probe"
        ).fetchone()
    assert (note, updated) == ("b", now)


def test_insert_keeps_the_given_updated_at(conn: psycopg.Connection) -> None:
    """The triggers are BEFORE UPDATE only: an insert (e.g. a data import) keeps its own timestamp."""
    row = insert(conn, "campaigns", updated_at=LONG_AGO)
    assert (
        conn.execute("select updated_at from public.campaigns where id = %s", (row,)).fetchone()[0]
        == LONG_AGO
    )
