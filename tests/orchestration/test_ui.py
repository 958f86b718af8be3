"""The real Dagster webserver: its GraphQL API shows the platform's asset graph and schedules, and the asset
lineage page renders in headless Chromium."""

import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator

import pytest

from orchestration.instance import dagster_env
from orchestration.settings import REPO_ROOT, Settings
from tests.conftest import free_port


@pytest.fixture(scope="module")
def webserver(admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from orchestration.database import create_database, drop_database, with_database
    from orchestration.settings import get_settings

    name = "aip_ui_test"
    create_database(admin_url, name, template=template_db)
    home = tmp_path_factory.mktemp("ui-home")
    settings: Settings = get_settings({"DATABASE_URL": with_database(admin_url, name), "AIP_HOME": str(home)})
    env = dagster_env(settings)
    env["DATABASE_URL"] = settings.database_url or ""
    env["AIP_HOME"] = str(home)
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "dagster_webserver",
        "-w",
        "workspace.yaml",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    log = open(home / "webserver.log", "w")  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError((home / "webserver.log").read_text())
            try:
                urllib.request.urlopen(f"{base}/server_info", timeout=2)
                if _graphql(base, "{ assetNodes { id } }")["assetNodes"]:
                    break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(1)
        else:
            raise RuntimeError("webserver did not come up:\n" + (home / "webserver.log").read_text())
        yield base
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
        drop_database(admin_url, name)


def _graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        payload = json.load(response)
    assert "errors" not in payload, payload
    return payload["data"]


def test_asset_graph_holds_sources_models_and_writebacks(webserver: str) -> None:
    nodes = _graphql(webserver, "{ assetNodes { assetKey { path } groupName dependencyKeys { path } } }")
    keys = {"/".join(n["assetKey"]["path"]): n for n in nodes["assetNodes"]}
    assert "aip/operational_schema" in keys
    # operational tables (dbt sources) → dbt models → write-back, with the lineage between them
    assert {"public/campaign_metrics", "public/leads", "public/lead_activities"} <= keys.keys()
    assert keys["public/leads"]["groupName"] == "operational"
    assert "marts/fct_campaign_performance_daily" in keys
    assert "marts/fct_autopilot_weekly" in keys
    writeback = [k for k, n in keys.items() if n["groupName"] == "warehouse_writeback"]
    assert writeback, "the weekly-report write-back asset is in the graph"
    upstream = {"/".join(d["path"]) for d in keys[writeback[0]]["dependencyKeys"]}
    assert "marts/fct_autopilot_weekly" in upstream
    staging = [k for k in keys if k.startswith("staging/")]
    assert staging and all(keys[k]["dependencyKeys"] for k in staging), "staging models read the sources"
    assert {"knowledge/chunk_embeddings", "knowledge/parsed_documents"} <= keys.keys()


def test_schedules_exist_with_cron_and_utc(webserver: str) -> None:
    data = _graphql(
        webserver,
        """{ workspaceOrError { ... on Workspace { locationEntries { locationOrLoadError {
             ... on RepositoryLocation { repositories { schedules { name cronSchedule executionTimezone } } } } } } } }""",
    )
    schedules = {
        s["name"]: s
        for entry in data["workspaceOrError"]["locationEntries"]
        for repo in entry["locationOrLoadError"]["repositories"]
        for s in repo["schedules"]
    }
    assert schedules["daily_refresh_schedule"]["cronSchedule"] == "0 2 * * *"
    assert schedules["weekly_reports_schedule"]["cronSchedule"] == "0 9 * * 1"
    for schedule in schedules.values():
        assert schedule["executionTimezone"] == "UTC", schedule


def test_lineage_page_renders_in_headless_chromium(webserver: str) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is installed by `make test` (Debian package chromium)"
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=20000",
                "--window-size=1400,900",
                "--dump-dom",
                f"{webserver}/asset-groups",
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
    dom = out.stdout
    assert "Global asset lineage" in dom, dom[-2000:]
    # with several groups the graph starts collapsed to its groups: every domain group is drawn
    for group in ("platform", "operational", "knowledge", "marts_campaigns", "warehouse_writeback"):
        assert group in dom, (group, dom[-3000:])
