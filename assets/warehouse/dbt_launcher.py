"""`aip-dbt`: dbt's own command line, run faster — four costs dbt pays in every process, cut.

1. Importing dbt builds some 200,000 long-lived objects (classes, functions, the code of its ~500
   dataclasses). The collector runs every 700 new objects and keeps re-scanning them as
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
4. dbt renders every model, macro and test it runs through Jinja, which compiles each template to Python
   code first (parse, generate, `compile()`) in every process: ~0.4 s of CPU in an incremental run (174
   templates). `cache_jinja_code()` keeps that code on disk, keyed by the template's source and the
   environment's settings: the incremental run's dbt CPU 3.45 s -> 3.13 s, its wall time 6.81 s -> 6.68 s
   (medians of 11 alternations, side by side; the two threads' SQL hides part of the CPU saved).
Arguments, output and exit status are dbt's. The platform runs dbt through this (tests, benchmarks,
Dagster); `dbt` works the same, only slower to start (`bench/warehouse.py` prints both).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib.util
import json
import marshal
import os
import sys
import tempfile
import threading
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

CACHE_DIR_ENV = "AIP_DBT_CACHE_DIR"
# the packages whose code decides what the schemas are
SCHEMA_PACKAGES = ("dbt-core", "dbt-common", "dbt-adapters", "dbt-postgres", "mashumaro")
# ... and what Jinja compiles templates to (dbt's own Jinja extensions included)
JINJA_PACKAGES = ("jinja2", "dbt-core", "dbt-common", "dbt-adapters", "dbt-postgres")
# a compiled template not written again for this long is removed (when another one is written)
JINJA_CACHE_MAX_AGE_DAYS = 30


def load_cli() -> Any:
    """dbt's click command, imported with mashumaro's compilation deferred and the collector paused; what
    the import built is then frozen, and dbt's JSON schemas and Jinja's compiled templates come from the
    on-disk caches."""
    defer_serializer_compilation()
    gc.disable()
    try:
        from dbt.cli.main import cli
    finally:
        gc.freeze()
        gc.enable()
    cache_json_schemas(schema_cache_path())
    cache_jinja_code(jinja_cache_dir())
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


def cache_dir() -> Path:
    """$AIP_DBT_CACHE_DIR, default ~/.cache/aip-dbt."""
    return Path(
        os.environ.get(CACHE_DIR_ENV)
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "aip-dbt")
    )


def _installed_key(packages: tuple[str, ...]) -> str:
    installed = "\n".join(_installed(package) for package in packages)
    return hashlib.sha256(installed.encode()).hexdigest()[:16]


@functools.cache
def _installed(package: str) -> str:
    """`package==version` (each package looked up once a process: both caches' keys name most of them)."""
    try:
        return f"{package}=={version(package)}"
    except PackageNotFoundError:
        return f"{package} missing"


def schema_cache_path() -> Path:
    """The schema file for the installed versions, in `cache_dir()`."""
    return cache_dir() / f"json-schemas-{_installed_key(SCHEMA_PACKAGES)}.json"


def jinja_cache_dir() -> Path:
    """The directory of compiled templates for the installed versions and this Python's bytecode."""
    python = importlib.util.MAGIC_NUMBER.hex()
    return cache_dir() / f"jinja-{_installed_key(JINJA_PACKAGES)}-{python}"


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


# the settings of a Jinja environment its lexer, parser and code generator read
_ENVIRONMENT_SETTINGS = (
    "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
    "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
    "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized", "is_async",
    "sandboxed", "autoescape", "finalize",
)  # fmt: skip


def _stable_repr(value: Any) -> str:
    """A setting as text that is the same in every process (a function by its name, not its address)."""
    if callable(value):
        return (
            f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"
        )
    return repr(value)


def _environment_settings(environment: Any) -> str:
    """What, besides a template's source, decides the code Jinja compiles it to (or whether it compiles)."""
    settings = [
        f"{type(environment).__module__}.{type(environment).__qualname__}",
        environment.code_generator_class.__qualname__,
        environment.undefined.__qualname__,
        *sorted(environment.extensions),
        *(_stable_repr(getattr(environment, name)) for name in _ENVIRONMENT_SETTINGS),
        # a template naming an unknown filter or test does not compile: the same names, the same outcome
        *sorted(environment.filters),
        *sorted(environment.tests),
    ]
    return "\x00".join(settings)


def cache_jinja_code(directory: Path) -> None:
    """Make `jinja2.Environment.compile` keep the code objects it compiles template sources to in
    `directory`, one file per (environment settings, name, filename, source), and read them back in later
    processes. Same code, same behaviour: only the parse/generate/compile steps are skipped. A template
    that does not compile raises as before and is not kept; an unreadable file is compiled and written
    again; an unwritable directory only costs the time it would have saved. Writing a new file also
    removes those not written for `JINJA_CACHE_MAX_AGE_DAYS` (templates edited since, or merely old ones,
    which are then compiled once more)."""
    import jinja2

    compile_template = jinja2.Environment.compile
    if getattr(compile_template, "_aip_cached", False):
        return
    pruned = threading.Event()

    def compile(  # noqa: A001 - jinja2's method name
        self: jinja2.Environment,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw or not isinstance(source, str) or _macro_debugging():
            return compile_template(self, source, name, filename, raw, defer_init)
        path = directory / template_key(self, source, name, filename, defer_init)
        try:
            return marshal.loads(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            pass
        code = compile_template(self, source, name, filename, raw, defer_init)
        if _write_bytes_atomically(path, marshal.dumps(code)) and not pruned.is_set():
            pruned.set()  # once a process: a first parse writes hundreds
            _remove_older_than(directory, JINJA_CACHE_MAX_AGE_DAYS * 86400)
        return code

    compile._aip_cached = True  # type: ignore[attr-defined]
    compile.__wrapped__ = compile_template  # type: ignore[attr-defined]
    jinja2.Environment.compile = compile  # type: ignore[method-assign]


def template_key(
    environment: Any, source: str, name: str | None, filename: str | None, defer_init: bool
) -> str:
    """The file name of a template's code in the cache."""
    parts = (_environment_settings(environment), str(name), str(filename), str(defer_init), source)
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _macro_debugging() -> bool:
    """dbt's --macro-debugging: its environment's `_compile` then puts each template's Python source where
    tracebacks find it, so every template must go through it."""
    jinja = sys.modules.get("dbt_common.clients.jinja")
    return bool(getattr(jinja, "MACRO_DEBUGGING", False))


def _write_bytes_atomically(path: Path, data: bytes) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return False  # no cache this time
    return True


def _remove_older_than(directory: Path, seconds: float) -> None:
    cutoff = time.time() - seconds
    try:
        for entry in os.scandir(directory):
            try:
                if entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
            except OSError:
                pass  # gone already (another process pruned it), or not ours to remove
    except OSError:
        pass


def _write_atomically(path: Path, schemas: dict[str, Any]) -> None:
    try:
        data = json.dumps(schemas).encode()
    except (TypeError, ValueError):
        return  # no cache this time; dbt still gets the schema it asked for
    _write_bytes_atomically(path, data)


def main() -> None:
    sys.exit(load_cli()())


if __name__ == "__main__":
    main()
