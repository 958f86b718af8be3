"""On the platform's own demo data (a fixed window, so the figures never move) every check passes, and a
spike injected into it is the one thing the anomaly check reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import psycopg
import pytest

from tests.assets.quality.conftest import STAND_IN_NAMES, RunOutcome

# a past window: dates can't be in the future whatever day the tests run, and the data is always the same
DEMO_AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def demo(db_url: str) -> None:
    from assets.demo.loader import load
    from assets.demo.tenants import DemoSpec

    load(db_url, DemoSpec(seed=42, users=5, days=120, as_of=DEMO_AS_OF))


def test_every_check_passes_on_clean_demo_data(
    demo: None, conn: psycopg.Connection, run_pipeline: Callable[[], RunOutcome]
) -> None:
    counts = conn.execute(
        "select (select count(*) from public.campaign_metrics), (select count(*) from public.leads), "
        "(select count(*) from public.lead_activities)"
    ).fetchone()
    assert all(n > 100 for n in counts)  # a real dataset, not an empty one passing vacuously
    outcome = run_pipeline()
    failed = {
        name: outcome.metadata(name)["summary"] for name, e in outcome.evaluations.items() if not e.passed
    }
    assert failed == {}
    assert outcome.result.success and outcome.materialized == STAND_IN_NAMES
    judged = outcome.metadata("daily_metric_anomalies")["details"]["days_judged"]
    assert judged > 100  # quiet because the data is clean, not because nothing was judged


def test_a_spike_in_demo_data_is_the_only_anomaly(
    demo: None, conn: psycopg.Connection, run_pipeline: Callable[[], RunOutcome]
) -> None:
    # the newest day's biggest spender spends five times its usual
    campaign_id, day = conn.execute(
        "select campaign_id, metric_date from public.campaign_metrics where metric_type = 'spend' "
        "and metric_date = (select max(metric_date) from public.campaign_metrics) "
        "group by campaign_id, metric_date order by sum(metric_value) desc limit 1"
    ).fetchone()
    conn.execute(
        "update public.campaign_metrics set metric_value = metric_value * 5 "
        "where campaign_id = %s and metric_date = %s and metric_type = 'spend'",
        (campaign_id, day),
    )
    outcome = run_pipeline()
    rows = outcome.metadata("daily_metric_anomalies")["failing_rows"]
    assert [(r["campaign_id"], r["metric"], r["metric_date"]) for r in rows] == [
        (str(campaign_id), "spend", day.isoformat())
    ]
    assert outcome.evaluations["campaign_metrics_valid"].passed  # valid data, just unusual
    assert outcome.materialized == STAND_IN_NAMES
