"""End to end on the demo business (3 users): the demo's own pending requests go through the sensor and the
jobs; the warehouse is built before and after, and the erased user never comes back."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from assets.privacy import defs as privacy_defs
from assets.privacy import requests as rq
from assets.privacy.ownership import spec_tables
from assets.privacy.sensors import request_runs
from orchestration.resources import PostgresResource
from orchestration.settings import Settings
from tests.assets.privacy.conftest import rows_naming_user, spec_owned_count

loader = pytest.importorskip("assets.demo.loader", reason="the demo loader is not in this tree")
tenants = pytest.importorskip("assets.demo.tenants")
warehouse = pytest.importorskip("assets.warehouse.project")
profile = pytest.importorskip("assets.warehouse.profile")

SPEC = tenants.DemoSpec(seed=11, users=3, days=21, as_of=dt.date(2025, 3, 31))


def _run(db_url: str, run_request: dg.RunRequest) -> bool:
    defs = dg.Definitions.merge(
        privacy_defs, dg.Definitions(resources={"database": PostgresResource(url=db_url)})
    )
    job = defs.resolve_job_def(run_request.job_name)
    return job.execute_in_process(
        run_config=run_request.run_config, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    ).success


def test_demo_requests_are_fulfilled_and_the_warehouse_stays_clean(
    conn: psycopg.Connection, db_url: str, settings: Settings, tmp_path: Path
) -> None:
    loader.load(db_url, SPEC, manifest=None)
    dbt_env = profile.dbt_env_from_url(db_url)
    warehouse.run_dbt(["run"], env=dbt_env, target_path=tmp_path / "target", timeout=300)
    exports = rq.pending_requests(conn, rq.EXPORT)
    unconfirmed = conn.execute(
        "select id, user_id from public.data_deletion_requests where status = 'pending'"
    ).fetchall()
    assert exports and unconfirmed, "the demo data files pending export and deletion requests"
    assert rq.pending_requests(conn, rq.DELETION) == []  # the demo's deletions await confirmation
    request_id, leaver = unconfirmed[0]
    export = next(r for r in exports if r.user_id != leaver)  # the leaver's own archive goes with them
    exporter = export.user_id
    users = [r[0] for r in conn.execute("select id from auth.users order by id")]
    stayers = [u for u in users if u != leaver]
    owned = [
        t
        for t, b in spec_tables().items()
        if t != "auth.users" and (b.get("owner_column") or b.get("owner_via"))
    ]
    expected = {t: spec_owned_count(conn, t, exporter) for t in owned}
    rq.confirm_deletion(conn, request_id)
    stayers_before = {u: rows_naming_user(conn, u) for u in stayers}
    assert any(t.startswith("marts.") for t in rows_naming_user(conn, leaver))

    runs = request_runs(conn)
    assert {r.job_name for r in runs} == {"privacy_export", "privacy_deletion"}
    assert all(_run(db_url, run) for run in runs)

    # the export: exactly the spec's count in every table
    url = conn.execute("select download_url from public.data_export_requests where id = %s", (export.id,))
    archive = Path(url.fetchone()[0].removeprefix("file://"))
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert {t: manifest["tables"][t] for t in owned} == expected
    # the erasure: nothing names the leaver, in any table or mart, before or after the next warehouse run
    assert rows_naming_user(conn, leaver) == {}
    warehouse.run_dbt(["run"], env=dbt_env, target_path=tmp_path / "target", timeout=300)
    assert rows_naming_user(conn, leaver) == {}
    stayers_after = {u: rows_naming_user(conn, u) for u in stayers}
    audit = "public.privacy_audit_log"  # the exporter gained the export's audit entry, nothing else changed
    for u in stayers:
        assert {t: n for t, n in stayers_after[u].items() if t != audit} == {
            t: n for t, n in stayers_before[u].items() if t != audit
        }
