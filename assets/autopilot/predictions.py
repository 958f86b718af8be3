"""Next-7-day forecasts of a campaign's conversions and spend, and how accurate past forecasts were.

The forecast is a blend of daily rates: 70% the recent window's, 30% the previous history's (recent
behaviour matters most, history damps one odd week); a campaign the autopilot pauses is forecast at zero.
Confidence grows with how many of the days looked at have data and shrinks with how much daily
conversions vary (coefficient of variation). Pure functions; figures go into the prediction's JSON.
"""

import statistics
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from assets.autopilot.scoring import DailyFigures, Thresholds

MODEL = "blended_daily_rate_v1"
HORIZON_DAYS = 7
RECENT_WEIGHT = 0.7
PREDICTION_TYPE = "kpi_forecast"
FORECAST_METRICS = ("conversions", "spend")


def forecast(
    history: Sequence[DailyFigures],
    as_of: date,
    th: Thresholds,
    paused: bool = False,
) -> tuple[dict[str, Any], float]:
    """(prediction_data, confidence) for the `HORIZON_DAYS` days starting on `as_of`."""
    recent_start = as_of - timedelta(days=th.recent_days)
    prior_start = recent_start - timedelta(days=th.history_days)
    recent = [d for d in history if recent_start <= d.metric_date < as_of]
    prior = [d for d in history if prior_start <= d.metric_date < recent_start]
    rates: dict[str, dict[str, float | None]] = {}
    predicted: dict[str, float] = {}
    for name in FORECAST_METRICS:
        recent_rate = sum(getattr(d, name) for d in recent) / th.recent_days
        prior_rate = sum(getattr(d, name) for d in prior) / th.history_days if prior else None
        blended = (
            recent_rate
            if prior_rate is None
            else RECENT_WEIGHT * recent_rate + (1 - RECENT_WEIGHT) * prior_rate
        )
        rates[name] = {
            "recent_daily": round(recent_rate, 6),
            "prior_daily": _opt(prior_rate),
            "blended_daily": round(blended, 6),
        }
        predicted[name] = 0.0 if paused else round(blended * HORIZON_DAYS, 2)

    observed_days = len({d.metric_date for d in recent + prior})
    coverage = observed_days / (th.recent_days + th.history_days)
    daily_conversions = [d.conversions for d in recent + prior]
    mean = statistics.fmean(daily_conversions) if daily_conversions else 0.0
    cv = statistics.pstdev(daily_conversions) / mean if mean > 0 and len(daily_conversions) > 1 else 1.0
    confidence = 0.9 if paused else round(min(0.95, max(0.05, coverage / (1.0 + cv))), 3)
    data = {
        "model": MODEL,
        "period_start": as_of.isoformat(),
        "period_end": (as_of + timedelta(days=HORIZON_DAYS - 1)).isoformat(),
        "horizon_days": HORIZON_DAYS,
        "predicted": predicted,
        "inputs": {
            "daily_rates": rates,
            "recent_weight": RECENT_WEIGHT,
            "observed_days": observed_days,
            "coverage": round(coverage, 4),
            "conversions_cv": round(cv, 4),
        },
        "assumes": "paused by the autopilot: no spend, no conversions" if paused else "current settings",
        "source": "marts.fct_campaign_performance_daily",
    }
    return data, confidence


def _opt(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def period_of(prediction_data: Mapping[str, Any]) -> tuple[date, date] | None:
    """The forecast's period, or None for a prediction this module did not write."""
    try:
        return date.fromisoformat(prediction_data["period_start"]), date.fromisoformat(
            prediction_data["period_end"]
        )
    except (KeyError, TypeError, ValueError):
        return None


def actual_outcome(history: Sequence[DailyFigures], start: date, end: date) -> dict[str, Any]:
    days = [d for d in history if start <= d.metric_date <= end]
    outcome: dict[str, Any] = {
        name: round(sum(getattr(d, name) for d in days), 2) for name in FORECAST_METRICS
    }
    outcome["days_with_data"] = len({d.metric_date for d in days})
    outcome["period_start"], outcome["period_end"] = start.isoformat(), end.isoformat()
    return outcome


def accuracy(predicted: Mapping[str, float], actual: Mapping[str, float]) -> float:
    """Mean over the forecast metrics of 1 - |predicted - actual| / max(|predicted|, |actual|): 1 is exact,
    0 is off by the whole amount or more (both zero counts as exact)."""
    scores = []
    for name in FORECAST_METRICS:
        p, a = float(predicted.get(name, 0.0)), float(actual.get(name, 0.0))
        scale = max(abs(p), abs(a))
        scores.append(1.0 if scale == 0 else max(0.0, 1.0 - abs(p - a) / scale))
    return round(sum(scores) / len(scores), 4)
