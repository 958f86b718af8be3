"""`aip-dbt`: dbt's own command line, started faster — two costs dbt pays in every process, cut.

1. Importing dbt builds some 200,000 long-lived objects (mashumaro writes the serialisation code of some
   500 dataclasses at import time). The collector runs every 700 new objects and keeps re-scanning them as
   the heap grows: 324 collections during the import, which free about 2,000 objects. So the collector
   waits until dbt is imported, what the import built is moved out of its reach (`gc.freeze`), and it then
   runs as usual for the command itself. A run that selects no model: 3.35 s with `dbt`, 2.88 s (medians
   of 5, side by side).
2. dbt validates `dbt_project.yml`, the profile and the selectors against JSON schemas that it derives
   from its dataclasses (mashumaro's `build_json_schema`) anew in every process: 0.35 s of every command
   here (7 schemas; a full parse and `dbt test` need a dozen more), and they only change when the
   installed packages do. They are kept on disk, one file per set of installed versions
   (`schema_cache_path()`); a run of no model 2.81 s -> 2.47 s (medians of 5).

Arguments, output and exit status are dbt's. The platform runs dbt through this (tests, benchmarks,
Dagster); `dbt` works the same, only slower to start (`bench/warehouse.py` prints both).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import os
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

CACHE_DIR_ENV = "AIP_DBT_CACHE_DIR"
# the packages whose code decides what the schemas are
SCHEMA_PACKAGES = ("dbt-core", "dbt-common", "dbt-adapters", "dbt-postgres", "mashumaro")


def load_cli() -> Any:
    """dbt's click command, imported with the collector paused; what the import built is then frozen, and
    dbt's JSON schemas come from the on-disk cache."""
    gc.disable()
    try:
        from dbt.cli.main import cli
    finally:
        gc.freeze()
        gc.enable()
    cache_json_schemas(schema_cache_path())
    return cli


def schema_cache_path() -> Path:
    """The schema file for the installed versions, in $AIP_DBT_CACHE_DIR (default ~/.cache/aip-dbt)."""
    base = os.environ.get(CACHE_DIR_ENV) or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "aip-dbt"
    )
    installed = []
    for package in SCHEMA_PACKAGES:
        try:
            installed.append(f"{package}=={version(package)}")
        except PackageNotFoundError:
            installed.append(f"{package} missing")
    key = hashlib.sha256("\n".join(installed).encode()).hexdigest()[:16]
    return Path(base) / f"json-schemas-{key}.json"


def cache_json_schemas(path: Path) -> None:
    """Make dbt's `dbtClassMixin.json_schema()` read and write `path` (a JSON object: class -> schema).

    An unreadable file counts as empty and is rewritten (atomically: several dbt processes may start at
    once); an unwritable one only costs the time it would have saved."""
    from dbt_common.dataclass_schema import dbtClassMixin

    build = dbtClassMixin.json_schema.__func__.__wrapped__  # under dbt's classmethod + lru_cache
    try:
        cached: dict[str, Any] = json.loads(path.read_text())
        if not isinstance(cached, dict):
            cached = {}
    except (OSError, ValueError):
        cached = {}

    @classmethod  # type: ignore[misc]
    @functools.lru_cache
    def json_schema(cls: type) -> dict[str, Any]:
        key = f"{cls.__module__}.{cls.__qualname__}"
        if key not in cached:
            cached[key] = build(cls)
            _write_atomically(path, cached)
        return cached[key]

    dbtClassMixin.json_schema = json_schema  # type: ignore[method-assign]


def _write_atomically(path: Path, schemas: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(schemas, f)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, TypeError, ValueError):
        pass  # no cache this time; dbt still gets the schema it asked for


def main() -> None:
    sys.exit(load_cli()())


if __name__ == "__main__":
    main()
