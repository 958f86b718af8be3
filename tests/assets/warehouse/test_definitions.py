"""The warehouse in Dagster: every dbt model an asset keyed and grouped by its folder, the operational tables
upstream, the write-back downstream, jobs and schedules in UTC, and the jobs actually running dbt."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import dagster as dg
import psycopg
import pytest

from assets.warehouse import defs as warehouse_defs
from assets.warehouse.assets import MANIFEST_PATH
from assets.warehouse.profile import DBT_PROJECT_DIR
from orchestration.resources import shared_resources

WRITEBACK = dg.AssetKey(["public", "autopilot_weekly_reports"])


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return dg.Definitions.merge(warehouse_defs, dg.Definitions(resources=shared_resources()))


@pytest.fixture(scope="module")
def graph(defs: dg.Definitions):  # noqa: ANN201 - dagster's internal graph type
    return defs.resolve_asset_graph()


def _manifest() -> dict:
    return json.loads(MANIFEST_PATH.read_text())


def test_definitions_validate(defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(defs)


def test_every_model_is_an_asset_keyed_and_grouped_by_its_folder(graph) -> None:  # noqa: ANN001
    models = [n for n in _manifest()["nodes"].values() if n["resource_type"] == "model"]
    assert len(models) >= 20
    for node in models:
        # models/<layer>/<area>/<name>.sql: derived from the path here, from the fqn in the translator
        layer, area = PurePosixPath(node["original_file_path"]).parts[1:3]
        key = dg.AssetKey([layer, node["name"]])
        assert graph.has(key), key
        assert graph.get(key).group_name == f"{layer}_{area}"
        assert layer == node["config"]["schema"]  # the key is also the table's schema.name


def test_models_run_as_one_op_per_guarded_input_covering_every_model_once() -> None:
    from assets.quality.suites import INPUT_SUITES
    from assets.warehouse.assets import warehouse_models

    manifest = _manifest()
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    per_op = {d.node_def.name: {k.path[-1] for k in d.keys} for d in warehouse_models}
    assert sum(len(keys) for keys in per_op.values()) == len(models)  # disjoint ...
    assert set().union(*per_op.values()) == models  # ... and complete
    # every model reading a guarded table directly is in that table's op, and no other op reads it
    guarded = {s.table for s in INPUT_SUITES}
    reading = {
        n["name"]: {
            manifest["sources"][d]["name"] for d in n["depends_on"]["nodes"] if d in manifest["sources"]
        }
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model"
    }
    for op, keys in per_op.items():
        tables = set().union(*(reading[m] for m in keys)) & guarded
        assert len(tables) <= 1 or tables == {"leads", "lead_activities"}, (op, tables)
    assert not set().union(*(reading[m] for m in per_op["warehouse_reference"])) & guarded


def test_operational_tables_are_upstream_assets(graph) -> None:  # noqa: ANN001
    sources = {dg.AssetKey(["public", s["name"]]) for s in _manifest()["sources"].values()}
    assert {"campaigns", "campaign_metrics", "leads", "lead_activities"} <= {k.path[1] for k in sources}
    for key in sources:
        assert graph.get(key).group_name == "operational"
        assert not graph.get(key).is_materializable
        assert not graph.get(key).parent_keys


def test_lineage_runs_from_operational_tables_through_the_marts_to_the_write_back(graph) -> None:  # noqa: ANN001
    assert graph.get(WRITEBACK).parent_keys == {dg.AssetKey(["marts", "fct_autopilot_weekly"])}
    upstream = graph.upstream_key_closure(WRITEBACK) if hasattr(graph, "upstream_key_closure") else None
    if upstream is None:
        upstream, frontier = set(), {WRITEBACK}
        while frontier:
            parents = set().union(*(graph.get(k).parent_keys for k in frontier)) - upstream
            upstream |= parents
            frontier = parents
    for key in (["public", "campaign_metrics"], ["public", "leads"], ["public", "lead_activities"],
                ["intermediate", "int_campaign_metrics_pivoted_daily"], ["marts", "dim_leads"]):  # fmt: skip
        assert dg.AssetKey(key) in upstream, key


def test_dbt_tests_are_asset_checks(graph) -> None:  # noqa: ANN001
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("marts/dim_leads", "unique_dim_leads_lead_id") in checks
    assert any(a == "marts/fct_attribution" and "assert_attribution" in n for a, n in checks)
    assert len(checks) >= 100


def test_jobs_and_schedules(defs: dg.Definitions) -> None:
    daily, weekly = (
        defs.resolve_schedule_def("daily_refresh_schedule"),
        defs.resolve_schedule_def("weekly_reports_schedule"),
    )
    assert (daily.job_name, daily.cron_schedule, daily.execution_timezone) == (
        "daily_refresh",
        "0 2 * * *",
        "UTC",
    )
    assert (weekly.job_name, weekly.cron_schedule, weekly.execution_timezone) == (
        "weekly_reports",
        "0 9 * * 1",
        "UTC",
    )
    weekly_job = defs.resolve_job_def("weekly_reports")
    assert weekly_job.asset_layer.executable_asset_keys == {
        dg.AssetKey(["marts", "fct_autopilot_weekly"]),
        WRITEBACK,
    }
    daily_keys = defs.resolve_job_def("daily_refresh").asset_layer.executable_asset_keys
    assert dg.AssetKey(["marts", "fct_lead_funnel"]) in daily_keys and WRITEBACK not in daily_keys


def test_jobs_build_the_warehouse_and_write_the_reports(
    defs: dg.Definitions, warehouse_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # noqa: ANN001
    # the resources resolve the platform database from the settings at run time, as in production
    monkeypatch.setenv("DATABASE_URL", warehouse_url)
    monkeypatch.setenv("AIP_HOME", str(tmp_path))
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("drop table marts.fct_attribution")  # a model the daily run must (re)build
    with dg.instance_for_test() as instance:
        daily = defs.resolve_job_def("daily_refresh").execute_in_process(instance=instance)
        assert daily.success
        materialized = {e.asset_key for e in daily.get_asset_materialization_events()}
        assert dg.AssetKey(["marts", "fct_attribution"]) in materialized and len(materialized) >= 20
        checks = daily.get_asset_check_evaluations()  # the dbt tests, run by `dbt build`
        assert len(checks) >= 100
        failed = {c.check_name for c in checks if not c.passed}
        # the dataset's one metric of an unknown type trips exactly the warn-level accepted-values test
        assert len(failed) == 1 and next(iter(failed)).startswith(
            "accepted_values_stg_public__campaign_metrics"
        )
        assert all(c.severity == dg.AssetCheckSeverity.WARN for c in checks if not c.passed)

        weekly = defs.resolve_job_def("weekly_reports").execute_in_process(instance=instance)
        assert weekly.success
    for run in (daily, weekly):  # a successful build leaves no artifacts behind
        assert not list((DBT_PROJECT_DIR / "target").glob(f"warehouse_*-{run.run_id[:7]}-*"))
    with psycopg.connect(warehouse_url) as conn:
        mart = conn.execute("select count(*) from marts.fct_autopilot_weekly").fetchone()[0]
        assert conn.execute("select count(*) from public.autopilot_weekly_reports").fetchone()[0] == mart == 4
        assert conn.execute("select count(*) from marts.fct_attribution").fetchone()[0] > 0


def test_daily_refresh_runs_every_check_on_the_operational_tables() -> None:
    # in the platform's Definitions other domains (data quality) guard the operational tables; their
    # checks must run in the same run as the models, or a blocking failure could not stop them
    from orchestration.definitions import defs as platform_defs

    sources = {dg.AssetKey(["public", s["name"]]) for s in _manifest()["sources"].values()}
    on_sources = {k for k in platform_defs.resolve_asset_graph().asset_check_keys if k.asset_key in sources}
    in_job = platform_defs.resolve_job_def("daily_refresh").asset_layer.asset_graph.asset_check_keys
    assert on_sources and on_sources <= in_job


def test_a_full_refresh_is_one_switch_in_the_run_config(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("daily_refresh")
    config = dg.validate_run_config(job, {"resources": {"dbt": {"config": {"full_refresh": True}}}})
    dbt = config["resources"]["dbt"]["config"]
    assert dbt["full_refresh"] is True and dbt["project_dir"] == str(DBT_PROJECT_DIR)
    assert dg.validate_run_config(job, {})["resources"]["dbt"]["config"]["full_refresh"] is False


def test_aip_run_full_refresh_rebuilds_what_incremental_runs_leave(
    warehouse_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from orchestration.cli import app

    monkeypatch.setenv("DATABASE_URL", warehouse_url)
    monkeypatch.setenv("AIP_HOME", str(tmp_path))
    count = "select count(*) from marts.fct_autopilot_weekly where week_start = %s"
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        # a week goes missing from an incremental mart
        week = conn.execute("select min(week_start) from marts.fct_autopilot_weekly").fetchone()[0]
        removed = conn.execute(
            "delete from marts.fct_autopilot_weekly where week_start = %s", (week,)
        ).rowcount
    assert removed > 0
    runner = CliRunner()
    incremental = runner.invoke(app, ["run", "weekly_reports"])
    assert incremental.exit_code == 0, incremental.output
    assert "Running dbt command" in incremental.output and "--full-refresh" not in incremental.output
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("delete from marts.fct_autopilot_weekly where week_start = %s", (week,))
    full = runner.invoke(app, ["run", "weekly_reports", "--full-refresh"])
    assert full.exit_code == 0, full.output
    assert "dbt build --full-refresh" in full.output
    with psycopg.connect(warehouse_url) as conn:
        assert conn.execute(count, (week,)).fetchone()[0] == removed
    wrong = runner.invoke(app, ["run", "data_quality", "--full-refresh"])
    assert wrong.exit_code != 0 and "runs no dbt models" in wrong.output
