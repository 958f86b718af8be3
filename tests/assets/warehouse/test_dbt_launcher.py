"""`aip-dbt`, the platform's way of starting dbt: dbt's command line, its import frozen out of the GC and
the JSON schemas dbt validates its files against kept on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from assets.warehouse.profile import PARSE_ONLY_ENV
from assets.warehouse.project import DBT_EXECUTABLE, DBT_PROJECT_DIR, PLAIN_DBT_EXECUTABLE

PROBE_CLASS = "dbt.contracts.project.ProjectFlags"


def test_the_platform_runs_dbt_through_the_launcher() -> None:
    assert DBT_EXECUTABLE.endswith("aip-dbt")


def test_launcher_is_dbts_command_line() -> None:
    launched = subprocess.run([DBT_EXECUTABLE, "--version"], capture_output=True, text=True, timeout=120)
    plain = subprocess.run([PLAIN_DBT_EXECUTABLE, "--version"], capture_output=True, text=True, timeout=120)
    assert launched.returncode == plain.returncode == 0
    installed = next(line for line in plain.stdout.splitlines() if "installed:" in line)
    assert installed in launched.stdout
    # dbt's own errors and exit status come through unchanged
    wrong = subprocess.run([DBT_EXECUTABLE, "no-such-command"], capture_output=True, text=True, timeout=120)
    wrong_plain = subprocess.run(
        [PLAIN_DBT_EXECUTABLE, "no-such-command"], capture_output=True, text=True, timeout=120
    )
    assert wrong.returncode == wrong_plain.returncode != 0
    assert "no-such-command" in wrong.stderr + wrong.stdout


def test_dbts_import_is_frozen_and_the_collector_back_on(tmp_path: Path) -> None:
    out = _probe(
        "import gc\nprint(gc.isenabled(), gc.get_freeze_count(), cli.callback.__module__)\n", tmp_path
    )
    enabled, frozen, module = out.split()
    assert enabled == "True"
    assert module == "dbt.cli.main"
    # what importing dbt built (some 200,000 objects) is out of the collector's reach
    assert int(frozen) > 100_000


LOAD_CLI = (
    "import json\nfrom assets.warehouse.dbt_launcher import load_cli, schema_cache_path\ncli = load_cli()\n"
)


def _probe(code: str, cache_dir: Path, prelude: str = LOAD_CLI) -> str:
    """What `code` prints in a new process whose caches are in `cache_dir`, after `prelude` (by default:
    dbt loaded as `aip-dbt` loads it)."""
    env = {**os.environ, "AIP_DBT_CACHE_DIR": str(cache_dir)}
    out = subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def _parse(executable: str, target: Path, **env: str) -> None:
    """`dbt parse` of the project (no database needed) into `target`, by `executable`."""
    run = subprocess.run(
        [executable, "parse", "--quiet", "--target-path", str(target)],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=300,
        env={**os.environ, **PARSE_ONLY_ENV, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR), **env},
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr


def test_json_schemas_are_dbts_own_and_kept_on_disk(tmp_path: Path) -> None:
    # what the cache returns is what dbt builds (after a JSON round trip), and it is written down
    out = _probe(
        "from dbt.contracts.project import Project, ProjectFlags\n"
        "from dbt_common.dataclass_schema import build_json_schema\n"
        "for cls in (Project, ProjectFlags):\n"
        "    built = json.loads(json.dumps(build_json_schema(cls).to_dict()))\n"
        "    assert cls.json_schema() == built, cls\n"
        "print(schema_cache_path())\n",
        tmp_path,
    )
    path = Path(out.strip())
    assert path.parent == tmp_path
    assert {"dbt.contracts.project.Project", PROBE_CLASS} <= set(json.loads(path.read_text()))


def test_a_new_process_reads_the_schemas_from_disk(tmp_path: Path) -> None:
    path = Path(_probe("print(schema_cache_path())", tmp_path).strip())
    # a marker no builder would produce: seeing it proves the schema came from the file
    path.write_text(json.dumps({PROBE_CLASS: {"title": "from the cache"}}))
    out = _probe(
        "from dbt.contracts.project import ProjectFlags\nprint(ProjectFlags.json_schema())", tmp_path
    )
    assert "from the cache" in out
    # an unreadable file counts as empty and is rewritten with the real schema
    path.write_text("{not json")
    _probe("from dbt.contracts.project import ProjectFlags\nProjectFlags.json_schema()", tmp_path)
    assert json.loads(path.read_text())[PROBE_CLASS]["type"] == "object"


def test_dbt_commands_fill_the_cache(tmp_path: Path) -> None:
    # `aip-dbt parse` validates the project and the profile: their schemas land in the cache
    for _ in range(2):  # and a second run, with the cache in place, parses as well
        _parse(DBT_EXECUTABLE, tmp_path / "target", AIP_DBT_CACHE_DIR=str(tmp_path / "cache"))
        (cache,) = (tmp_path / "cache").glob("json-schemas-*.json")
        schemas = json.loads(cache.read_text())
        assert {"dbt.contracts.project.Project", "dbt.contracts.project.ProfileConfig"} <= set(schemas)
        # and parsing renders every model: their templates' code is kept
        (jinja,) = (tmp_path / "cache").glob("jinja-*")
        assert len(list(jinja.iterdir())) >= 21


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    # the cache directory cannot be created (a file is in the way): dbt still gets its schemas
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    out = _probe(
        "from dbt.contracts.project import ProjectFlags\nprint(ProjectFlags.json_schema()['type'])", blocked
    )
    assert out.strip() == "object"
    assert blocked.read_text() == ""


def test_serialisers_are_compiled_when_first_used(tmp_path: Path) -> None:
    out = _probe(
        "from assets.warehouse.dbt_launcher import _deferred\n"
        "from dbt.artifacts.resources.base import Docs\n"
        "waiting = len(_deferred)\n"
        "before = type(Docs.__dict__['to_dict']).__name__\n"
        "docs = Docs.from_dict({'show': False})\n"
        "after = type(Docs.__dict__['to_dict']).__name__\n"
        "again = Docs.from_msgpack(docs.to_msgpack())\n"
        "print(waiting, before, after, Docs in _deferred, docs.to_dict(), again == docs)\n",
        tmp_path,
    )
    waiting, before, after, still_waiting, rest = out.split(maxsplit=4)
    # importing dbt compiled (almost) none of its ~330 serialisable classes
    assert int(waiting) > 250
    assert (before, after, still_waiting) == ("_CompileOnFirstUse", "function", "False")
    assert rest.strip() == "{'show': False, 'node_color': None} True"


def test_every_dbt_class_compiles_on_first_use_from_any_thread(tmp_path: Path) -> None:
    # four threads look up the methods of every class at once, each in its own order: each class is
    # compiled once, under the lock, and no stand-in is left anywhere
    out = _probe(
        "import random, threading\n"
        "from assets.warehouse.dbt_launcher import _deferred, _CompileOnFirstUse\n"
        "classes = list(_deferred)\n"
        "barrier, errors = threading.Barrier(4), []\n"
        "def use(order):\n"
        "    barrier.wait()\n"
        "    try:\n"
        "        for cls in order:\n"
        "            assert callable(cls.from_dict) and callable(cls.to_dict), cls\n"
        "    except Exception as e:\n"
        "        errors.append(repr(e))\n"
        "threads = [threading.Thread(target=use, args=(random.Random(i).sample(classes, len(classes)),))"
        " for i in range(4)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "left = [c for c in classes if any(isinstance(v, _CompileOnFirstUse) for v in vars(c).values())]\n"
        "print(len(classes), len(_deferred), len(left), errors)\n",
        tmp_path,
    )
    assert out.split(maxsplit=3)[1:] == ["0", "0", "[]\n"] and int(out.split()[0]) > 250


def test_a_class_that_cannot_be_compiled_raises_on_every_use(tmp_path: Path) -> None:
    # as eager compilation does: the error on each use, never the mixin's empty stand-in (which returns None)
    out = _probe(
        "from dataclasses import dataclass\n"
        "from assets.warehouse.dbt_launcher import defer_serializer_compilation\n"
        "assert defer_serializer_compilation()\n"
        "from mashumaro import DataClassDictMixin\n"
        "@dataclass\n"
        "class Later(DataClassDictMixin):\n"
        "    y: 'Opaque'\n"
        "class Opaque(int):\n"
        "    pass\n"
        "for use in (lambda: Later.from_dict({'y': 1}), lambda: Later(1).to_dict()):\n"
        "    try:\n"
        "        print(use())\n"
        "    except Exception as e:\n"
        "        print(type(e).__name__)\n",
        tmp_path,
        prelude="",
    )
    assert out.split() == ["UnserializableField", "UnserializableField"]


def test_parsing_with_deferred_serialisers_gives_dbts_manifest(tmp_path: Path) -> None:
    # the whole manifest (every node, macro and source serialised), written by `aip-dbt` from a full parse
    # and again from its partial-parse file, is what the plain `dbt` writes
    def parse(executable: str, target: Path) -> dict:
        _parse(executable, target, AIP_DBT_CACHE_DIR=str(tmp_path / "cache"))
        return _without_timestamps(json.loads((target / "manifest.json").read_text()))

    plain = parse(PLAIN_DBT_EXECUTABLE, tmp_path / "plain")
    assert plain["nodes"]
    assert parse(DBT_EXECUTABLE, tmp_path / "launched") == plain
    assert (tmp_path / "launched" / "partial_parse.msgpack").exists()
    assert parse(DBT_EXECUTABLE, tmp_path / "launched") == plain


def _without_timestamps(value: object) -> object:
    """A manifest without what differs between two parses of the same project (when, by which run)."""
    if isinstance(value, dict):
        return {k: _without_timestamps(v) for k, v in value.items() if k not in ("created_at", "metadata")}
    if isinstance(value, list):
        return [_without_timestamps(v) for v in value]
    return value


def test_an_unexpected_mashumaro_leaves_dbts_import_alone(tmp_path: Path) -> None:
    out = _probe(
        "from mashumaro.core.meta.code.builder import CodeBuilder\n"
        "from mashumaro.mixins.dict import DataClassDictMixin\n"
        "from assets.warehouse.dbt_launcher import defer_serializer_compilation\n"
        "original = DataClassDictMixin.__dict__['__init_subclass__']\n"
        "del CodeBuilder.get_pack_method_name\n"
        "print(defer_serializer_compilation(), DataClassDictMixin.__dict__['__init_subclass__'] is original)\n",
        tmp_path,
        prelude="",
    )
    assert out.split() == ["False", "True"]


JINJA_PRELUDE = (
    "import jinja2, marshal\n"
    "from assets.warehouse.dbt_launcher import jinja_cache_dir, template_key\n"
    "from dbt_common.clients.jinja import get_environment\n"
    "env = get_environment()\n"
    "source = 'hello {{ name | upper }}{% if loud %}!{% endif %}'\n"
    "path = jinja_cache_dir() / template_key(env, source, None, None, False)\n"
)


def test_jinja_code_is_kept_on_disk_and_is_jinjas_own(tmp_path: Path) -> None:
    out = _probe(
        JINJA_PRELUDE + "first = env.from_string(source).render({'name': 'ann', 'loud': True})\n"
        "kept = marshal.loads(path.read_bytes())\n"
        "fresh = jinja2.Environment.compile.__wrapped__(env, source)\n"
        "again = env.from_string(source).render({'name': 'ann', 'loud': True})\n"
        "print(first, again, kept == fresh, env.compile(source) == fresh)\n",
        tmp_path,
    )
    assert out.split() == ["hello", "ANN!", "hello", "ANN!", "True", "True"]


def test_a_new_process_reads_the_templates_code_from_disk(tmp_path: Path) -> None:
    # the cached code of another template under this template's key: a new process renders that one
    path = Path(_probe(JINJA_PRELUDE + "env.from_string(source)\nprint(path)", tmp_path).strip())
    _probe(JINJA_PRELUDE + "path.write_bytes(marshal.dumps(env.compile('from the cache')))\n", tmp_path)
    out = _probe(
        JINJA_PRELUDE + "print(env.from_string(source).render({'name': 'ann', 'loud': True}))", tmp_path
    )
    assert out.strip() == "from the cache"
    # an unreadable file is compiled again and replaced
    path.write_bytes(b"not marshal")
    out = _probe(
        JINJA_PRELUDE + "print(env.from_string(source).render({'name': 'ann', 'loud': True}))", tmp_path
    )
    assert out.strip() == "hello ANN!"
    assert path.read_bytes() != b"not marshal"


def test_environments_with_other_settings_get_their_own_code(tmp_path: Path) -> None:
    # trim_blocks changes the code of the same source: each environment renders its own, from the cache too
    code = (
        "import jinja2\n"
        "source = '{% if true %}\\nx{% endif %}'\n"
        "print([repr(jinja2.Environment(trim_blocks=t).from_string(source).render()) for t in (False, True)])\n"
    )
    first, second = _probe(code, tmp_path), _probe(code, tmp_path)
    assert first == second == "[\"'\\\\nx'\", \"'x'\"]\n"


def test_a_template_that_does_not_compile_raises_every_time_and_is_not_kept(tmp_path: Path) -> None:
    code = (
        "import jinja2\n"
        "for _ in range(2):\n"
        "    try:\n"
        "        jinja2.Environment().from_string('{% if %}')\n"
        "    except jinja2.TemplateSyntaxError as e:\n"
        "        print(type(e).__name__)\n"
        "print(len([p for p in jinja_cache_dir().glob('*')]) if jinja_cache_dir().exists() else 0)\n"
    )
    out = _probe("from assets.warehouse.dbt_launcher import jinja_cache_dir\n" + code, tmp_path)
    assert out.split() == ["TemplateSyntaxError", "TemplateSyntaxError", "0"]


def test_templates_not_written_for_a_month_are_removed(tmp_path: Path) -> None:
    directory = Path(_probe(JINJA_PRELUDE + "print(jinja_cache_dir())", tmp_path).strip())
    directory.mkdir(parents=True)
    old, recent = directory / "old", directory / "recent"
    for path, age_days in ((old, 31), (recent, 29)):
        path.write_bytes(b"")
        stamp = time.time() - age_days * 86400
        os.utime(path, (stamp, stamp))
    _probe("import jinja2\njinja2.Environment().from_string('new {{ x }}')", tmp_path)
    assert not old.exists() and recent.exists()
    assert len(list(directory.iterdir())) == 2  # recent, and the new template


def test_macro_debugging_bypasses_the_cache(tmp_path: Path) -> None:
    # dbt's --macro-debugging needs every template to go through its environment's own compile step
    out = _probe(
        JINJA_PRELUDE + "import dbt_common.clients.jinja as dbt_jinja\n"
        "dbt_jinja.MACRO_DEBUGGING = True\n"
        "print(env.from_string(source).render({'name': 'ann', 'loud': True}), path.exists())\n",
        tmp_path,
    )
    assert out.split() == ["hello", "ANN!", "False"]
