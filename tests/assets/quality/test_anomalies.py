"""The anomaly check flags a day far above what the campaign's own weekday history predicts, stays quiet on
ordinary noise and weekday seasonality, and only warns (never blocks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import psycopg

from assets.quality.anomalies import AnomalyParams, find_anomalies, find_in_series, judge_day
from tests.assets.quality.conftest import STAND_IN_NAMES, RunOutcome
from tests.assets.quality.seed import Seeded

MONDAY = dt.date(2025, 3, 3)


def weekly_series(weeks: int, weekday: tuple[float, ...], level: float, noise: float, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    days = [MONDAY + dt.timedelta(days=i) for i in range(7 * weeks)]
    return {
        day: level * weekday[day.weekday()] * float(np.exp(rng.normal(0, noise)))
        for day in days
        if weekday[day.weekday()] > 0
    }


def test_a_spike_is_flagged_and_ordinary_days_are_not() -> None:
    series = weekly_series(10, (1.1, 1.1, 1.05, 1.0, 0.95, 0.6, 0.6), 500.0, 0.15, seed=1)
    days = sorted(series)[-7:]
    judged, anomalies = find_in_series({("c1", "spend"): series}, days)
    assert judged == 7 and anomalies == []
    spiked = dict(series)
    spiked[days[3]] *= 6
    _, anomalies = find_in_series({("c1", "spend"): spiked}, days)
    assert [(a.metric_date, a.metric) for a in anomalies] == [(days[3], "spend")]
    assert anomalies[0].score > AnomalyParams().threshold


def test_drops_are_flagged_only_when_asked() -> None:
    series = weekly_series(10, (1, 1, 1, 1, 1, 1, 1), 500.0, 0.1, seed=6)
    last = max(series)
    series[last] = 0.0  # e.g. the campaign spent its budget yesterday
    assert find_in_series({("c1", "spend"): series}, [last])[1] == []
    _, anomalies = find_in_series({("c1", "spend"): series}, [last], AnomalyParams(flag_drops=True))
    assert [a.metric_date for a in anomalies] == [last] and anomalies[0].score < 0


def test_weekday_seasonality_is_not_an_anomaly() -> None:
    # an e-mail campaign sends on Tuesdays and Thursdays only; a Tuesday's volume is normal for a Tuesday
    # although it is far above the campaign's average day
    series = weekly_series(10, (0.0, 5.0, 0.0, 5.0, 0.0, 0.0, 0.0), 1000.0, 0.05, seed=2)
    tuesday = max(day for day in series if day.weekday() == 1)
    expected, score = judge_day(series, tuesday)
    assert abs(score) < 3 and abs(expected - 5000) < 500
    # weekend dips of a search campaign: Saturdays are judged against Saturdays
    search = weekly_series(10, (1.2, 1.2, 1.2, 1.2, 1.0, 0.3, 0.3), 800.0, 0.1, seed=3)
    saturday = max(day for day in search if day.weekday() == 5)
    assert abs(judge_day(search, saturday)[1]) < 3


def test_too_little_history_is_not_judged() -> None:
    series = weekly_series(3, (1, 1, 1, 1, 1, 1, 1), 100.0, 0.1, seed=4)
    last = max(series)
    series[last] *= 50
    assert judge_day(series, last) is None  # three weeks: fewer same-weekday points than min_history


def test_small_counts_need_a_real_jump() -> None:
    # conversions around 1 a day: a day with 4 is Poisson noise, a day with 80 is not
    rng = np.random.default_rng(5)
    series = {MONDAY + dt.timedelta(days=i): float(rng.poisson(1.0)) for i in range(70)}
    last = max(series)
    series[last] = 4.0
    assert abs(judge_day(series, last)[1]) < AnomalyParams().threshold
    series[last] = 80.0
    assert judge_day(series, last)[1] > AnomalyParams().threshold


def test_clean_seeded_metrics_have_no_anomaly(seeded: Seeded, conn: psycopg.Connection) -> None:
    report = find_anomalies(conn)
    assert report.newest_date == seeded.newest_day
    assert report.days_judged > 20 and report.anomalies == []


def test_injected_spike_warns_without_blocking(
    seeded: Seeded, conn: psycopg.Connection, run_pipeline: Callable[[], RunOutcome]
) -> None:
    campaign = seeded.campaign_ids[0]
    conn.execute(
        "update public.campaign_metrics set metric_value = metric_value * 8 "
        "where campaign_id = %s and metric_type = 'spend' and metric_date = %s",
        (campaign, seeded.newest_day),
    )
    outcome = run_pipeline()
    evaluation = outcome.evaluations["daily_metric_anomalies"]
    assert not evaluation.passed and evaluation.severity.value == "WARN"
    rows = outcome.metadata("daily_metric_anomalies")["failing_rows"]
    assert [(r["campaign_id"], r["metric"], r["metric_date"]) for r in rows] == [
        (str(campaign), "spend", seeded.newest_day.isoformat())
    ]
    assert rows[0]["value"] > 5 * rows[0]["expected"]
    # a warning: every asset was still built, and the run succeeded
    assert outcome.result.success and outcome.materialized == STAND_IN_NAMES
    stored = conn.execute(
        "select passed, severity, observed_value from quality.check_results "
        "where run_id = %s and check_name = 'daily_metric_anomalies'",
        (outcome.run_id,),
    ).fetchone()
    assert stored == (False, "WARN", 1.0)
