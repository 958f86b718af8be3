"""`aip-dbt`, the platform's way of starting dbt: dbt's command line, its import frozen out of the GC."""

from __future__ import annotations

import subprocess
import sys

from assets.warehouse.project import DBT_EXECUTABLE, PLAIN_DBT_EXECUTABLE


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


def test_dbts_import_is_frozen_and_the_collector_back_on() -> None:
    probe = (
        "import gc\n"
        "from assets.warehouse.dbt_launcher import load_cli\n"
        "cli = load_cli()\n"
        "print(gc.isenabled(), gc.get_freeze_count(), cli.callback.__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    enabled, frozen, module = out.stdout.split()
    assert enabled == "True"
    assert module == "dbt.cli.main"
    # what importing dbt built (some 200,000 objects) is out of the collector's reach
    assert int(frozen) > 100_000
