"""A pipeline in miniature around the quality checks: the operational tables as source assets, stand-ins
for the assets built from them (staging → marts → write-back, and a search index on the embeddings), and
the real checks — so a test can run one job and see what a failing check blocks and what it leaves alone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import dagster as dg
import psycopg
import pytest

from assets.quality.checks import (
    EMBEDDINGS_ASSET_KEY,
    INPUT_CHECKS,
    OPERATIONAL_KEY_PREFIX,
    daily_metric_anomalies,
    vector_health,
)
from orchestration.resources import PostgresResource
from orchestration.settings import Settings
from tests.assets.quality.seed import Seeded, seed_clean

TABLES = ("campaign_metrics", "leads", "lead_activities")


def _stand_in(name: str, deps: list[dg.AssetKey | str]) -> dg.AssetsDefinition:
    @dg.asset(name=name, deps=deps)
    def _asset() -> None:
        """Stands for what the warehouse builds from its inputs; it only has to run or not run."""

    return _asset


def _source(table: str) -> dg.AssetKey:
    return dg.AssetKey([OPERATIONAL_KEY_PREFIX, table])


STAND_INS = [
    _stand_in("stg_campaign_metrics", [_source("campaign_metrics")]),
    _stand_in("fct_campaign_performance_daily", ["stg_campaign_metrics"]),
    _stand_in("stg_leads", [_source("leads")]),
    _stand_in("stg_lead_activities", [_source("lead_activities")]),
    _stand_in("fct_lead_funnel", ["stg_leads", "stg_lead_activities"]),
    _stand_in("autopilot_weekly_reports", ["fct_campaign_performance_daily", "fct_lead_funnel"]),
    _stand_in("knowledge_search_index", [EMBEDDINGS_ASSET_KEY]),
]
STAND_IN_NAMES = {a.key.to_user_string() for a in STAND_INS}
CHECKS = [*INPUT_CHECKS, daily_metric_anomalies, vector_health]


@dataclass
class RunOutcome:
    result: dg.ExecuteInProcessResult
    run_id: str

    @property
    def materialized(self) -> set[str]:
        return {e.asset_key.to_user_string() for e in self.result.get_asset_materialization_events()}

    @property
    def evaluations(self) -> dict[str, dg.AssetCheckEvaluation]:
        return {e.check_name: e for e in self.result.get_asset_check_evaluations()}

    def metadata(self, check: str) -> dict[str, object]:
        return {k: v.value for k, v in self.evaluations[check].metadata.items()}


def pipeline_defs(db_url: str) -> dg.Definitions:
    sources = [dg.AssetSpec(_source(t)) for t in TABLES] + [dg.AssetSpec(EMBEDDINGS_ASSET_KEY)]
    job = dg.define_asset_job(
        "guarded_refresh",
        selection=dg.AssetSelection.assets(*STAND_INS) | dg.AssetSelection.checks(*CHECKS),
    )
    return dg.Definitions(
        assets=[*sources, *STAND_INS],
        asset_checks=CHECKS,
        jobs=[job],
        resources={"database": PostgresResource(url=db_url)},
    )


@pytest.fixture
def run_pipeline(db_url: str, settings: Settings) -> Callable[[], RunOutcome]:
    """Run the miniature pipeline once against the test database (a new Dagster run each call)."""

    def run() -> RunOutcome:
        job = pipeline_defs(db_url).resolve_job_def("guarded_refresh")
        result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
        return RunOutcome(result=result, run_id=result.run_id)

    return run


@pytest.fixture
def seeded(conn: psycopg.Connection) -> Iterator[Seeded]:
    yield seed_clean(conn)
