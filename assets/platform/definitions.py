import dagster as dg

from assets.platform.assets import operational_schema

migrate_job = dg.define_asset_job(
    "migrate",
    selection=dg.AssetSelection.assets(operational_schema),
    description="Apply pending migrations of the operational schema.",
)

defs = dg.Definitions(assets=[operational_schema], jobs=[migrate_job])
