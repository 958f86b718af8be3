"""Jobs of the privacy domain: one per kind of request, and the erasure guard."""

import dagster as dg

from assets.privacy.assets import data_erasures, data_exports, erasure_guard

privacy_export_job = dg.define_asset_job(
    "privacy_export",
    selection=dg.AssetSelection.assets(data_exports),
    description="Fulfil data export requests (the sensor runs it once per pending request).",
    tags={"domain": "privacy"},
)

privacy_deletion_job = dg.define_asset_job(
    "privacy_deletion",
    selection=dg.AssetSelection.assets(data_erasures),
    description="Fulfil confirmed data deletion requests (the sensor runs it once per request).",
    tags={"domain": "privacy"},
)

privacy_erasure_guard_job = dg.define_asset_job(
    "privacy_erasure_guard",
    selection=dg.AssetSelection.assets(erasure_guard),
    description="Remove rows of erased users that a later run wrote back.",
    tags={"domain": "privacy"},
)
