"""The warehouse's Definitions: dbt models as assets, the operational tables they read, the write-back of
the weekly reports, their jobs and schedules, and the dbt resource (the `database` resource is shared)."""

import dagster as dg

from assets.warehouse.assets import autopilot_weekly_reports, operational_tables, warehouse_models
from assets.warehouse.jobs import daily_refresh, weekly_reports
from assets.warehouse.resources import WarehouseDbtResource
from assets.warehouse.schedules import daily_refresh_schedule, weekly_reports_schedule

defs = dg.Definitions(
    assets=[*operational_tables, *warehouse_models, autopilot_weekly_reports],
    jobs=[daily_refresh, weekly_reports],
    schedules=[daily_refresh_schedule, weekly_reports_schedule],
    resources={"dbt": WarehouseDbtResource()},
)
