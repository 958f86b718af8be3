"""A job that runs every data-quality check on demand (`aip` / the UI), without building anything.

The blocking input checks stop downstream assets only when they run in the same run as those assets:
the warehouse's daily_refresh selects them too (`input_checks_selection()`)."""

import dagster as dg

from assets.quality.checks import ALL_CHECKS

data_quality = dg.define_asset_job(
    "data_quality",
    selection=dg.AssetSelection.checks(*ALL_CHECKS),
    description="Run every data-quality check (expectation suites, anomalies, mart distributions, vector "
    "health, retrieval recall) against the current data and append the results to quality.check_results.",
)
