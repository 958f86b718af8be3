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

3. Importing dbt defines some 330 serialisable dataclasses, and mashumaro writes and compiles the
   (de)serialisation methods of each as its class is created: ~0.6 s of the 1.6 s import, for classes a
   command mostly never serialises (a `dbt run` uses ~45). `defer_serializer_compilation()` moves that
   work to the first use of each class's methods; the code is mashumaro's own, only written later. A run
   of no model 2.45 s -> 1.94 s, the incremental run 7.79 s -> 7.22 s (medians of 5, side by side).
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
import threading
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

CACHE_DIR_ENV = "AIP_DBT_CACHE_DIR"
# the packages whose code decides what the schemas are
SCHEMA_PACKAGES = ("dbt-core", "dbt-common", "dbt-adapters", "dbt-postgres", "mashumaro")


def load_cli() -> Any:
    """dbt's click command, imported with the collector paused; what the import built is then frozen, and
    dbt's JSON schemas come from the on-disk cache."""
    defer_serializer_compilation()
    gc.disable()
    try:
        from dbt.cli.main import cli
    finally:
        gc.freeze()
        gc.enable()
    cache_json_schemas(schema_cache_path())
    return cli


class _CompileOnFirstUse:
    """Stands in for one of a class's mashumaro methods (`to_dict`, `__mashumaro_from_msgpack`, ...) until
    it is first looked up: then the class's methods are compiled, replacing every stand-in, and the real
    one is returned."""

    __slots__ = ("cls", "name")

    def __init__(self, cls: type, name: str) -> None:
        self.cls, self.name = cls, name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        _compile_deferred(self.cls)
        return getattr(owner if instance is None else instance, self.name)


# classes whose methods are still to be compiled: class -> (mashumaro's compile steps, stand-in names)
_deferred: dict[type, tuple[list[tuple[Any, dict[str, Any]]], list[str]]] = {}
# one lock for all compilations: compiling a class may look up (so compile) the classes of its fields
_compile_lock = threading.RLock()


def _compile_deferred(cls: type) -> None:
    with _compile_lock:
        work = _deferred.pop(cls, None)
        if work is None:
            return  # compiled already (maybe by another thread while this one waited)
        steps, names = work
        try:
            for compile_step, params in steps:
                compile_step(cls, **params)
        except BaseException:
            # as with eager compilation, every use of a class that cannot be compiled raises the error
            _deferred[cls] = work
            raise
        left = [name for name in names if isinstance(cls.__dict__.get(name), _CompileOnFirstUse)]
        if left:  # would look itself up for ever; means mashumaro names its methods otherwise now
            raise RuntimeError(f"mashumaro compiled {cls.__qualname__} without setting {', '.join(left)}")


def defer_serializer_compilation() -> bool:
    """From now on, a new mashumaro dataclass gets its (de)serialisation methods compiled when one of them
    is first looked up instead of when the class is created; the same compile steps, in the same order,
    as `DataClassDictMixin.__init_subclass__` runs. A class that cannot be compiled raises on every use, as
    it does compiled eagerly, but from its first use rather than its definition (dbt's classes all
    compile: dbt could not be imported otherwise). Returns False, changing nothing, when the installed
    mashumaro is not laid out as this expects (then dbt imports as it always has)."""
    try:
        from mashumaro.core.meta.code.builder import CodeBuilder
        from mashumaro.core.meta.mixin import compile_mixin_packer, compile_mixin_unpacker
        from mashumaro.mixins.dict import DataClassDictMixin
    except ImportError:
        return False
    if not hasattr(DataClassDictMixin, "_DataClassDictMixin__mashumaro_builder_params") or not all(
        hasattr(CodeBuilder, name) for name in ("get_unpack_method_name", "get_pack_method_name")
    ):
        return False

    def __init_subclass__(cls: type, **kwargs: Any) -> None:
        super(DataClassDictMixin, cls).__init_subclass__(**kwargs)
        steps: list[tuple[Any, dict[str, Any]]] = []
        names: list[str] = []
        for ancestor in cls.__mro__[-1:0:-1]:
            params = getattr(ancestor, f"_{ancestor.__name__}__mashumaro_builder_params", None)
            if not params:
                continue
            unpacker, packer = params["unpacker"], params["packer"]
            steps += [(compile_mixin_unpacker, unpacker), (compile_mixin_packer, packer)]
            for method in (
                CodeBuilder.get_unpack_method_name(
                    format_name=unpacker.get("format_name", "dict"), decoder=unpacker.get("decoder")
                ),
                CodeBuilder.get_pack_method_name(
                    format_name=packer.get("format_name", "dict"), encoder=packer.get("encoder")
                ),
            ):
                names += [str(method), method.public]  # the internal name and the public one
        # no lock: this runs inside an import, and waiting here for a compilation that imports could deadlock
        _deferred[cls] = (steps, names)
        for name in names:
            setattr(cls, name, _CompileOnFirstUse(cls, name))

    DataClassDictMixin.__init_subclass__ = classmethod(__init_subclass__)  # type: ignore[assignment]
    return True


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
