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


# Dagster skips whole steps, not parts of them: a blocking check that fails on an operational table skips
# every op reading it. So the dbt project runs as one op per guarded input (the checks are in
# assets/quality): the models reading a guarded table live in the op of that table, those reading none of
# them in `warehouse_reference`, which no check can block. A bad `leads` row then skips the lead models and
# what is built from them (fct_autopilot_weekly, the write-back) while the campaign marts still build.
# Selections are dbt selectors on the manifest; they must be disjoint and cover every model (tested).
WAREHOUSE_SLICES: dict[str, str] = {
    "warehouse_reference": "stg_public__campaigns stg_public__email_campaigns "
    "stg_public__marketing_autopilot_configs stg_public__social_engagements path:models/marts/content",
    "warehouse_campaigns": "stg_public__campaign_metrics path:models/intermediate/campaigns "
    "path:models/marts/campaigns",
    "warehouse_leads": "stg_public__leads stg_public__lead_activities path:models/intermediate/leads "
    "path:models/marts/leads",
    "warehouse_autopilot": "path:models/marts/autopilot",
}


def _warehouse_slice(name: str, select: str) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=MANIFEST_PATH,
        project=PROJECT,
        dagster_dbt_translator=TRANSLATOR,
        name=name,
        select=select,
        op_tags={"dagster/concurrency_key": "warehouse_dbt"},
    )
    def _models(context: dg.AssetExecutionContext, dbt: WarehouseDbtResource) -> Iterator[Any]:
        invocation = dbt.cli(["build", *(["--full-refresh"] if dbt.full_refresh else [])], context=context)
        yield from invocation.stream()
        # each invocation writes ~7 MB of artifacts into its own target/ folder: kept only when it failed
        shutil.rmtree(invocation.target_path, ignore_errors=True)

    _models.__doc__ = f"`dbt build` of {select} (models and their tests)."
    return _models


warehouse_models: list[dg.AssetsDefinition] = [
    _warehouse_slice(name, select) for name, select in WAREHOUSE_SLICES.items()
]


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
