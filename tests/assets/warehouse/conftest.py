"""The warehouse's Dagster and database-facing tests reuse the hand-made warehouse of tests/dbt."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

from orchestration.database import drop_database
from tests.dbt.conftest import handmade_template  # noqa: F401 - a fixture, shared (built once per session)
from tests.dbt.databases import copy_database


@pytest.fixture
def warehouse_url(admin_url: str, handmade_template: str) -> Iterator[str]:  # noqa: F811
    """A fresh copy of the built hand-made warehouse for one test."""
    name, url = copy_database(admin_url, handmade_template)
    yield url
    drop_database(admin_url, name)


@pytest.fixture(scope="session")
def tcp_port(admin_url: str) -> int:
    """Port of the test server's TCP listener on 127.0.0.1 (scram-sha-256 password auth)."""
    parts = urlsplit(admin_url)
    return int(dict(parse_qsl(parts.query)).get("port") or parts.port or 5432)
