"""Warehouse jobs: the nightly refresh of every model and the Monday write-back of the weekly reports."""

import dagster as dg

from assets.warehouse.assets import (
    WEEKLY_MART_KEY,
    autopilot_weekly_reports,
    operational_tables,
    warehouse_models,
)

# Checks on the operational tables (whichever domain defines them, e.g. the data-quality suites) run in the
# same run as the models, so a blocking failure stops the models built from the bad table in that run (and
# only those: the models run as one op per guarded input, see WAREHOUSE_SLICES).
daily_refresh = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.assets(*warehouse_models)
    | dg.AssetSelection.checks_for_assets(*(spec.key for spec in operational_tables)),
    description="dbt build of the whole warehouse (operational tables → staging → intermediate → marts), "
    "incremental models processing only new days plus their look-back window, with the checks on the "
    "operational tables.",
)

weekly_reports = dg.define_asset_job(
    "weekly_reports",
    selection=dg.AssetSelection.assets(WEEKLY_MART_KEY) | dg.AssetSelection.assets(autopilot_weekly_reports),
    description="Rebuild marts.fct_autopilot_weekly from the marts refreshed at 02:00, then upsert it into "
    "public.autopilot_weekly_reports.",
)
