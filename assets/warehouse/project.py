"""The dbt project on disk: its manifest (what dagster-dbt builds the asset graph from) and a plain way to
run dbt against the platform database (tests, benchmarks, `make`)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from assets.warehouse.profile import DBT_PROJECT_DIR, PARSE_ONLY_ENV, dbt_env, project_files
from orchestration.settings import Settings

# dbt started without the garbage collector scanning its import (assets/warehouse/dbt_launcher.py); the
# plain entry point is what `cd dbt_project && dbt …` runs, and what the benchmark compares with
DBT_EXECUTABLE = str(Path(sys.executable).parent / "aip-dbt")
PLAIN_DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"


class DbtRunError(RuntimeError):
    """A dbt command failed; the message holds the end of its output."""


def _base_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env.setdefault("DBT_PROFILES_DIR", str(DBT_PROJECT_DIR))
    return env


def manifest_is_stale(manifest: Path = MANIFEST_PATH, project_dir: Path = DBT_PROJECT_DIR) -> bool:
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(path.stat().st_mtime > built for path in project_files(project_dir))


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Parse the project into target/manifest.json when it is missing or older than a project file.

    Parsing renders profiles.yml but never connects, so loading the Definitions needs no database: the
    DBT_* variables get placeholders unless they are set. A file lock keeps concurrent loaders (webserver,
    daemon, tests) from writing the manifest at the same time."""
    manifest = project_dir / "target" / "manifest.json"
    if not manifest_is_stale(manifest, project_dir):
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest.parent / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not manifest_is_stale(manifest, project_dir):
            return manifest
        env = _base_env({})
        for name, value in PARSE_ONLY_ENV.items():
            env.setdefault(name, value)
        result = subprocess.run(
            [
                DBT_EXECUTABLE,
                "parse",
                "--quiet",
                "--project-dir",
                str(project_dir),
                "--profiles-dir",
                str(project_dir),
            ],
            env=env,
            cwd=project_dir,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 or not manifest.exists():
            raise DbtRunError(
                "`dbt parse` failed, so the warehouse assets cannot be loaded. Run "
                f"`cd {project_dir} && dbt parse` to see the error.\n{_tail(result.stdout + result.stderr)}"
            )
    return manifest


def run_dbt(
    args: Sequence[str],
    settings: Settings | None = None,
    *,
    env: Mapping[str, str] | None = None,
    target_path: Path | None = None,
    check: bool = True,
    timeout: float | None = None,
    executable: str = DBT_EXECUTABLE,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt ARGS` in the project against the platform database of `settings` (or the DBT_* of `env`).

    A separate `target_path` lets several runs (tests, benchmarks) share the project directory."""
    extra = dict(env) if env is not None else dbt_env(settings) if settings is not None else {}
    cmd = [executable, *args]
    if target_path is not None:
        cmd += ["--target-path", str(target_path)]
    run_env = _base_env(extra)
    if target_path is not None:
        run_env["DBT_LOG_PATH"] = str(target_path)
    result = subprocess.run(
        cmd, env=run_env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        raise DbtRunError(
            f"`dbt {' '.join(args)}` failed (exit {result.returncode}):\n"
            f"{_tail(result.stdout + result.stderr, 60)}"
        )
    return result


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
