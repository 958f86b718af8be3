"""Fixtures of the demo-data tests: a small spec, a database loaded with it, a second clean database."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from assets.demo.generator import DemoData, Window
from assets.demo.loader import load
from assets.demo.tenants import DemoSpec
from orchestration.database import create_database, drop_database, with_database

# small but complete: every campaign type and status per user, leads in every stage
SPEC = DemoSpec(seed=7, users=3, days=30, as_of=dt.date(2025, 3, 31))


def demo_tables(spec: DemoSpec = SPEC) -> list[str]:
    return [t.table for t in DemoData(spec, Window.initial(spec)).tables()]


def dump(url: str, tables: list[str]) -> dict[str, bytes]:
    """Every row of every table, in primary-key order, as COPY text."""
    out = {}
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for table in tables:
            query = sql.SQL("copy (select * from {} order by id) to stdout").format(sql.SQL(table))
            with cur.copy(query) as copy:
                out[table] = b"".join(bytes(block) for block in copy)
    return out


def count(conn: psycopg.Connection, table: str) -> int:
    return conn.execute(sql.SQL("select count(*) from {}").format(sql.SQL(table))).fetchone()[0]


@pytest.fixture
def loaded_url(db_url: str) -> str:
    """A migrated database with SPEC loaded."""
    load(db_url, SPEC)
    return db_url


@pytest.fixture
def other_db_url(admin_url: str, template_db: str) -> Iterator[str]:
    """A second fresh, migrated database (for comparing two loads)."""
    name = f"aip_demo_{uuid.uuid4().hex[:10]}"
    create_database(admin_url, name, template=template_db)
    yield with_database(admin_url, name)
    drop_database(admin_url, name)
