"""Dagster resources shared by every domain: the database, the embedder and dbt.

Resources resolve settings when a run starts (`get_settings()` inside methods), never at import, so the
same Definitions work against the embedded server, a DATABASE_URL, or a test database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from dagster import ConfigurableResource

from orchestration.settings import Settings, get_settings


class PostgresResource(ConfigurableResource):
    """The platform database. `url` overrides the settings (tests); by default DATABASE_URL or embedded."""

    url: str | None = None

    def settings(self) -> Settings:
        return get_settings()

    def dsn(self) -> str:
        if self.url:
            return self.url
        from orchestration.database import database_url

        return database_url(self.settings())

    @contextmanager
    def connect(self, autocommit: bool = False, **kwargs: Any) -> Iterator[psycopg.Connection]:
        from orchestration.database import connect

        conn = connect(self.dsn(), autocommit=autocommit, **kwargs)
        try:
            yield conn
            if not autocommit and not conn.closed:
                conn.commit()
        except BaseException:
            if not conn.closed:
                conn.rollback()
            raise
        finally:
            conn.close()


def shared_resources() -> dict[str, object]:
    """Resources every domain may ask for by name. Built without reading the environment."""
    from assets.knowledge.embedding import EmbedderResource

    return {"database": PostgresResource(), "embedder": EmbedderResource()}
