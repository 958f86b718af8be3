"""The one Definitions loads, validates with Dagster's own CLI, and holds the expected jobs."""

import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import REPO_ROOT


def test_definitions_load_without_environment_or_database() -> None:
    # importing must not read settings or connect: run it in a process with no DATABASE_URL/AIP_HOME at all
    code = "from orchestration.definitions import defs; print(len(list(defs.resolve_all_job_defs())))"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIP_", "DATABASE_URL"))}
    env["AIP_HOME"] = "/nonexistent/should-not-be-touched"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO_ROOT)
    assert out.returncode == 0, out.stderr
    assert not Path("/nonexistent/should-not-be-touched").exists()


def test_dagster_definitions_validate(tmp_path: Path) -> None:
    env = dict(os.environ, DAGSTER_HOME=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", "workspace.yaml"],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "All code locations passed validation" in out.stdout + out.stderr
