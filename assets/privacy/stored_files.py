"""A user's files under the platform's storage directory, set aside during an erasure and put back on failure.

Files cannot join a database transaction, so an erasure first *moves* them into
`<storage>/.erasing/<request id>/` (a rename: instant and reversible), then commits the database work, then
removes that directory. If the transaction fails the files are moved back, so a failed erasure leaves files
and rows as they were. A crash between the move and the commit leaves the set-aside directory with its
`manifest.json`; the next attempt at the same request puts the files back first (`restore_pending`).

Only paths inside the storage directory are ever touched, whatever a row's path column says.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

from assets.privacy.ownership import Ownership

log = logging.getLogger(__name__)

QUARANTINE = ".erasing"
_PATH_COLUMN = re.compile(r"(_path|_url)$")


def user_directories(storage_dir: Path, user_id: uuid.UUID | str) -> list[Path]:
    """Directories that hold only this user's files: their exports and their own storage folder."""
    uid = str(uuid.UUID(str(user_id)))
    return [storage_dir / "exports" / uid, storage_dir / uid]


def referenced_files(
    conn: psycopg.Connection, ownership: Ownership, storage_dir: Path, user_id: str, mode: str = "erase"
) -> list[Path]:
    """Existing files inside `storage_dir` that a `*_path` / `*_url` column of the user's rows names (an
    uploaded knowledge document, a stored asset, an earlier export)."""
    found: set[Path] = set()
    for table in ownership.base_tables():
        for column, type_ in table.columns.items():
            if not _PATH_COLUMN.search(column) or not type_.startswith(("text", "character varying")):
                continue
            query = sql.SQL("select distinct t0.{c} from {t} t0 where t0.{c} is not null and {cond}").format(
                c=sql.Identifier(column), t=table.ident, cond=ownership.predicate(table.qualified, mode)
            )
            for (value,) in conn.execute(query, {"uid": user_id}):
                path = local_path(storage_dir, value)
                if path is not None and path.is_file():
                    found.add(path)
    return sorted(found)


def local_path(storage_dir: Path, value: str) -> Path | None:
    """The file a path or file:// URL column points at, if it lies inside `storage_dir`; else None."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme == "file":
        raw = Path(unquote(parts.path))
    elif parts.scheme and len(parts.scheme) > 1:  # http(s), s3, … (a one-letter scheme is a drive letter)
        return None
    else:
        raw = Path(value)
    root = storage_dir.resolve()
    path = (raw if raw.is_absolute() else root / raw).resolve()
    if path == root or root not in path.parents or QUARANTINE in path.relative_to(root).parts:
        return None
    return path


class SetAside:
    """Files moved out of the way for one erasure; `restore()` puts them back, `discard()` deletes them."""

    def __init__(self, storage_dir: Path, request_id: uuid.UUID | str) -> None:
        self.root = storage_dir.resolve() / QUARANTINE / str(request_id)
        self.moved: list[tuple[str, str]] = []  # (original, set-aside)

    def move(self, paths: list[Path]) -> int:
        """Move the existing ones among `paths`; a path inside an already moved directory is skipped."""
        self.root.mkdir(parents=True, exist_ok=True)
        for path in sorted({p.resolve() for p in paths}, key=lambda p: len(p.parts)):
            if not path.exists() or any(Path(orig) in path.parents for orig, _ in self.moved):
                continue
            dest = self.root / str(len(self.moved))
            self.moved.append((str(path), str(dest)))
            self._save()  # record first: a crash after the rename still knows where the file came from
            os.replace(path, dest)
        return len(self.moved)

    def _save(self) -> None:
        (self.root / "manifest.json").write_text(json.dumps(self.moved))

    def restore(self) -> None:
        for original, dest in reversed(self.moved):
            if Path(dest).exists():
                Path(original).parent.mkdir(parents=True, exist_ok=True)
                os.replace(dest, original)
        shutil.rmtree(self.root, ignore_errors=True)
        self.moved = []

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    @classmethod
    def restore_pending(cls, storage_dir: Path, request_id: uuid.UUID | str) -> int:
        """Put back files a crashed attempt at `request_id` set aside; returns how many."""
        pending = cls(storage_dir, request_id)
        manifest = pending.root / "manifest.json"
        if not manifest.exists():
            return 0
        pending.moved = [tuple(pair) for pair in json.loads(manifest.read_text())]
        count = len(pending.moved)
        pending.restore()
        log.warning(
            "restored %d file(s) set aside by an interrupted erasure of request %s", count, request_id
        )
        return count
