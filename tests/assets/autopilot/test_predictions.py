"""Forecasts and their accuracy, without a database."""

from datetime import date, timedelta

import pytest

from assets.autopilot.predictions import (
    HORIZON_DAYS,
    RECENT_WEIGHT,
    accuracy,
    actual_outcome,
    forecast,
    period_of,
)
from assets.autopilot.scoring import DEFAULT_THRESHOLDS, DailyFigures

AS_OF = date(2025, 6, 16)


def _days(prior: tuple[float, float], recent: tuple[float, float]) -> list[DailyFigures]:
    out = []
    for back in range(35, 0, -1):
        conversions, spend = recent if back <= 7 else prior
        out.append(DailyFigures(AS_OF - timedelta(days=back), conversions=conversions, spend=spend))
    return out


def test_forecast_blends_recent_and_prior_daily_rates() -> None:
    data, confidence = forecast(_days((2, 40), (4, 60)), AS_OF, DEFAULT_THRESHOLDS)
    blended_conversions = RECENT_WEIGHT * 4 + (1 - RECENT_WEIGHT) * 2
    assert data["predicted"]["conversions"] == pytest.approx(7 * blended_conversions)
    assert data["predicted"]["spend"] == pytest.approx(7 * (RECENT_WEIGHT * 60 + (1 - RECENT_WEIGHT) * 40))
    assert (data["period_start"], data["period_end"]) == ("2025-06-16", "2025-06-22")
    assert period_of(data) == (AS_OF, AS_OF + timedelta(days=HORIZON_DAYS - 1))
    assert 0.05 <= confidence <= 0.95


def test_confidence_is_higher_for_steady_complete_history() -> None:
    _, steady = forecast(_days((3, 40), (3, 40)), AS_OF, DEFAULT_THRESHOLDS)
    _, erratic = forecast(
        [d for d in _days((0, 40), (9, 40)) if d.metric_date.day % 3], AS_OF, DEFAULT_THRESHOLDS
    )
    assert steady > erratic


def test_paused_campaign_is_forecast_at_zero() -> None:
    data, _ = forecast(_days((3, 40), (3, 40)), AS_OF, DEFAULT_THRESHOLDS, paused=True)
    assert data["predicted"] == {"conversions": 0.0, "spend": 0.0}


def test_accuracy_is_one_minus_relative_error_averaged() -> None:
    assert accuracy({"conversions": 10, "spend": 100}, {"conversions": 10, "spend": 100}) == 1.0
    assert accuracy({"conversions": 8, "spend": 100}, {"conversions": 10, "spend": 50}) == pytest.approx(
        ((1 - 2 / 10) + (1 - 50 / 100)) / 2
    )
    assert accuracy({"conversions": 0, "spend": 0}, {"conversions": 0, "spend": 0}) == 1.0
    assert accuracy({"conversions": 0, "spend": 10}, {"conversions": 5, "spend": 0}) == 0.0


def test_actual_outcome_sums_the_period_only() -> None:
    days = _days((2, 40), (4, 60))
    outcome = actual_outcome(days, AS_OF - timedelta(days=7), AS_OF - timedelta(days=1))
    assert (outcome["conversions"], outcome["spend"], outcome["days_with_data"]) == (28, 420, 7)
