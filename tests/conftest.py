"""Fixtures: a real PostgreSQL + pgvector for the whole session, and a clean migrated database per test.

Without DATABASE_URL the session starts its own embedded server (fresh data directory, free port) so tests
never touch the developer's `.aip/`. With DATABASE_URL (any PostgreSQL >= 15 with pgvector, superuser) the
same fixtures create their databases there. Each test database is `CREATE DATABASE … TEMPLATE` of one
migrated template, which takes a fraction of a second instead of re-running every migration.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from orchestration.database import EmbeddedPostgres, create_database, drop_database, with_database
from orchestration.migrations import apply_migrations
from orchestration.settings import Settings, get_settings

TEST_DIMENSION = 384


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def admin_url() -> Iterator[str]:
    """URL of the test server's maintenance database (superuser)."""
    external = os.environ.get("DATABASE_URL")
    if external:
        yield external
        return
    # not under pytest's basetemp: pytest prunes old basetemps, which would delete a live data directory
    # when several pytest sessions run at once
    home = Path(tempfile.mkdtemp(prefix="aip-test-"))
    server = EmbeddedPostgres(home / "pgdata", free_port())
    server.start()
    try:
        yield server.url("postgres")
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def template_db(admin_url: str) -> Iterator[str]:
    """Name of a database with every migration applied, used as the template of each test database."""
    name = f"aip_template_{uuid.uuid4().hex[:8]}"
    create_database(admin_url, name)
    apply_migrations(with_database(admin_url, name), TEST_DIMENSION)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        # a template must have no connections when copied
        conn.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
            (name,),
        )
    yield name
    drop_database(admin_url, name)


@pytest.fixture
def db_url(admin_url: str, template_db: str) -> Iterator[str]:
    """A fresh, fully migrated database for one test; dropped afterwards."""
    name = f"aip_test_{uuid.uuid4().hex[:10]}"
    create_database(admin_url, name, template=template_db)
    yield with_database(admin_url, name)
    drop_database(admin_url, name)


@pytest.fixture
def empty_db_url(admin_url: str) -> Iterator[str]:
    """A fresh database with no migrations applied."""
    name = f"aip_empty_{uuid.uuid4().hex[:10]}"
    create_database(admin_url, name)
    yield with_database(admin_url, name)
    drop_database(admin_url, name)


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    """Autocommit superuser connection to the test database."""
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield connection


@pytest.fixture
def settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Platform settings pointing at the test database, with AIP_HOME in a temp dir."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("AIP_HOME", str(tmp_path / "aip-home"))
    return get_settings()
