"""Warehouse fixtures: the hand-made dataset built once per session; a copy of it per test module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import psycopg
import pytest

from orchestration.database import drop_database
from tests.dbt import handmade
from tests.dbt.databases import built_template, copy_database, drop_built


def _load_handmade(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        handmade.insert(conn)


@pytest.fixture(scope="session")
def handmade_template(
    admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    yield built_template(
        admin_url, template_db, "handmade", _load_handmade, tmp_path_factory.mktemp("dbt-handmade")
    )
    drop_built(admin_url)


@pytest.fixture(scope="module")
def handmade_url(admin_url: str, handmade_template: str) -> Iterator[str]:
    """A copy of the built hand-made warehouse, shared by one module's (read-only) tests."""
    name, url = copy_database(admin_url, handmade_template)
    yield url
    drop_database(admin_url, name)


@pytest.fixture(scope="module")
def wh(handmade_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(handmade_url, autocommit=True) as conn:
        yield conn


DEMO_AS_OF = dt.date(2025, 6, 30)


def load_demo(url: str) -> None:
    """The demo business at a small scale (3 users, 30 days), through the demo loader's Python API."""
    from assets.demo.loader import load
    from assets.demo.tenants import DemoSpec

    load(url, DemoSpec(seed=11, users=3, days=30, as_of=DEMO_AS_OF), manifest=None)


@pytest.fixture(scope="session")
def demo_template(
    admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    yield built_template(admin_url, template_db, "demo", load_demo, tmp_path_factory.mktemp("dbt-demo"))
    drop_built(admin_url)


@pytest.fixture
def demo_url(admin_url: str, demo_template: str) -> Iterator[str]:
    """A copy of the built demo warehouse for one test (it may append days and rebuild)."""
    name, url = copy_database(admin_url, demo_template)
    yield url
    drop_database(admin_url, name)
