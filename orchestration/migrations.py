"""Apply the operational schema (`sql/migrations/*.sql`) with yoyo-migrations.

Each file is one migration, applied in file-name order inside its own transaction and recorded in
`aip._yoyo_migration`, so a re-run applies nothing. The session that applies them has
`search_path = aip, public, extensions`: yoyo's bookkeeping tables land in the platform's own `aip` schema
(never exposed through `public`), which is why every migration names its objects with their schema. The
embedding dimension reaches the SQL as the custom setting `aip.embedding_dimension`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from orchestration.database import DatabaseError, with_driver, with_query
from orchestration.settings import REPO_ROOT

MIGRATIONS_DIR = REPO_ROOT / "sql" / "migrations"
PLATFORM_SCHEMA = "aip"


class MigrationError(DatabaseError):
    """A migration failed and was rolled back; the message names the file and the statement."""

    def __init__(self, migration: str, statement: str | None, cause: BaseException) -> None:
        self.migration = migration
        self.statement = statement
        self.cause = cause
        stmt = (statement or "").strip()
        if len(stmt) > 600:
            stmt = stmt[:600] + " …"
        super().__init__(
            f"Migration {migration}.sql failed and was rolled back: {str(cause).strip()}"
            + (f"\nStatement:\n{stmt}" if stmt else "")
        )


@dataclass(frozen=True)
class AppliedMigration:
    id: str
    applied_at: str


class _LastStatement(logging.Handler):
    """yoyo logs each statement at DEBUG before executing it; keep the last one to name it on failure."""

    _pattern = re.compile(r"^ - executing (?P<stmt>.*)$", re.S)

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statement: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == " - executing %r" and record.args:
            raw = record.args[0]
            self.statement = raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)


def _yoyo_url(url: str, dimension: int) -> str:
    options = f"-c search_path={PLATFORM_SCHEMA},public,extensions -c aip.embedding_dimension={dimension}"
    return with_query(with_driver(url, "psycopg"), options=options)


def apply_migrations(url: str, dimension: int, migrations_dir: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations; return the ids applied (empty when the schema is current)."""
    from yoyo import get_backend, read_migrations

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"create schema if not exists {PLATFORM_SCHEMA}")
    backend = get_backend(_yoyo_url(url, dimension))
    migrations = read_migrations(str(migrations_dir))
    watcher = _LastStatement()
    yoyo_logger = logging.getLogger("yoyo.migrations")
    previous_level = yoyo_logger.level
    yoyo_logger.addHandler(watcher)
    yoyo_logger.setLevel(logging.DEBUG)
    yoyo_logger.propagate = False
    applied: list[str] = []
    try:
        with backend.lock():
            for migration in backend.to_apply(migrations):
                watcher.statement = None
                try:
                    backend.apply_one(migration)
                except Exception as exc:  # yoyo re-raises the driver's error after rolling back
                    raise MigrationError(migration.id, watcher.statement, exc) from exc
                applied.append(migration.id)
    finally:
        yoyo_logger.removeHandler(watcher)
        yoyo_logger.setLevel(previous_level)
        yoyo_logger.propagate = True
        backend.connection.close()
    return applied


def applied_migrations(url: str) -> list[AppliedMigration]:
    """Migrations recorded as applied, oldest first (empty if none ever ran)."""
    with psycopg.connect(url) as conn:
        exists = conn.execute("select to_regclass(%s)", (f"{PLATFORM_SCHEMA}._yoyo_migration",)).fetchone()[0]
        if not exists:
            return []
        rows = conn.execute(
            f"select migration_id, applied_at_utc::text from {PLATFORM_SCHEMA}._yoyo_migration "
            "order by applied_at_utc, migration_id"
        ).fetchall()
    return [AppliedMigration(r[0], r[1]) for r in rows]


def pending_migrations(url: str, migrations_dir: Path = MIGRATIONS_DIR) -> list[str]:
    done = {m.id for m in applied_migrations(url)}
    return [p.stem for p in sorted(migrations_dir.glob("*.sql")) if p.stem not in done]
