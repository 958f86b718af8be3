"""Quality domain: expectation suites on the operational inputs and the marts, anomalies in the daily
campaign metrics, vector health and retrieval recall of the knowledge base — all Dagster asset checks on
the asset they guard, with their history in the `quality` schema (see docs/quality.md)."""

import dagster as dg

from assets.quality.checks import ALL_CHECKS, input_checks_selection
from assets.quality.history import grant_quality_to, record_result, summarise
from assets.quality.jobs import data_quality

defs = dg.Definitions(asset_checks=list(ALL_CHECKS), jobs=[data_quality])

__all__ = ["defs", "grant_quality_to", "input_checks_selection", "record_result", "summarise"]
