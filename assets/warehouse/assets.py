"""The warehouse as Dagster assets: every dbt model (with its tests as asset checks), the operational tables
they read as upstream assets, and the write-back of the weekly autopilot reports downstream of the marts."""

import json
import shutil
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtProject, dbt_assets

from assets.warehouse.profile import DBT_PROJECT_DIR
from assets.warehouse.project import ensure_manifest
from assets.warehouse.resources import WarehouseDbtResource
from assets.warehouse.translator import WarehouseTranslator, source_specs
from assets.warehouse.writeback import MART, write_weekly_reports
from orchestration.resources import PostgresResource

# Parsing needs no database; it runs only when the manifest is missing or older than a project file.
MANIFEST_PATH = ensure_manifest()
PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
TRANSLATOR = WarehouseTranslator()
WEEKLY_MART_KEY = dg.AssetKey(["marts", "fct_autopilot_weekly"])
WRITEBACK_GROUP = "warehouse_writeback"


class WarehouseBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild incremental models from scratch (`dbt build --full-refresh`)


@dbt_assets(
    manifest=MANIFEST_PATH,
    project=PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    name="warehouse_models",
    op_tags={"dagster/concurrency_key": "warehouse_dbt"},
)
def warehouse_models(
    context: dg.AssetExecutionContext, config: WarehouseBuildConfig, dbt: WarehouseDbtResource
) -> Iterator[Any]:
    """`dbt build` of the selected models: staging views, intermediate and mart tables, and their tests."""
    args = ["build", *(["--full-refresh"] if config.full_refresh else [])]
    invocation = dbt.cli(args, context=context)
    yield from invocation.stream()
    # each invocation writes ~7 MB of artifacts into its own target/ folder: kept only when the build failed
    shutil.rmtree(invocation.target_path, ignore_errors=True)


def _manifest() -> dict[str, Any]:
    return json.loads(MANIFEST_PATH.read_text())


operational_tables = source_specs(_manifest(), TRANSLATOR)


@dg.asset(
    key=["public", "autopilot_weekly_reports"],
    deps=[WEEKLY_MART_KEY],
    group_name=WRITEBACK_GROUP,
    kinds={"postgres"},
    description=f"Weekly autopilot reports of the product (one row per user × week), upserted from {MART}; "
    "get_autopilot_dashboard_stats() reads them.",
    op_tags={"dagster/concurrency_key": "autopilot_weekly_reports"},
)
def autopilot_weekly_reports(
    context: dg.AssetExecutionContext, database: PostgresResource
) -> dg.MaterializeResult:
    with database.connect() as conn:
        result = write_weekly_reports(conn)
    context.log.info(
        f"{result.source_rows} user-weeks: {result.inserted} inserted, {result.updated} updated, "
        f"{result.unchanged} unchanged"
    )
    return dg.MaterializeResult(
        metadata={
            "source_rows": dg.MetadataValue.int(result.source_rows),
            "inserted": dg.MetadataValue.int(result.inserted),
            "updated": dg.MetadataValue.int(result.updated),
            "unchanged": dg.MetadataValue.int(result.unchanged),
            "dagster/table_name": "public.autopilot_weekly_reports",
        }
    )
