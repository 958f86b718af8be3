"""Expectation suites on the marts, stored as code: volume and distribution compared with the previous run.

A mart's row count and the means of its key measures must stay within ±tolerance of what the previous run
observed (kept in quality.metric_observations); the first run only observes. Failures are WARN: a mart
moving a lot is news to look at, not a reason to stop the pipeline.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assets.quality.suites import WARN

if TYPE_CHECKING:
    import great_expectations as gx


@dataclass(frozen=True)
class MartProfile:
    """A mart's volume and distribution, compared with the previous run."""

    model: str
    measures: tuple[str, ...]  # columns whose mean must stay within bounds


# relative change allowed between two runs; daily refreshes add ~1–2 % rows, a halved or doubled mart is news
DEFAULT_TOLERANCE = 0.5

MART_PROFILES: tuple[MartProfile, ...] = (
    MartProfile("fct_campaign_performance_daily", ("spend", "clicks", "conversions", "revenue")),
    MartProfile("fct_channel_performance_weekly", ("spend", "clicks", "conversions")),
    MartProfile("dim_campaigns", ("spend",)),
    MartProfile("fct_email_performance", ("delivered", "opens")),
    MartProfile("fct_content_engagement", ("engagements",)),
    MartProfile("dim_leads", ("lead_score",)),
    MartProfile("fct_lead_funnel", ("leads_reached",)),
    MartProfile("fct_attribution", ("linear_credit",)),
    MartProfile("fct_autopilot_weekly", ("leads_generated", "spend")),
)


def mart_observation_names(profile: MartProfile) -> tuple[str, ...]:
    return ("row_count", *(f"mean:{column}" for column in profile.measures))


def _bounds(previous: float | None, tolerance: float) -> tuple[float | None, float | None]:
    if previous is None or not math.isfinite(previous):
        return None, None
    spread = abs(previous) * tolerance
    return previous - spread, previous + spread


def mart_suite(
    profile: MartProfile, previous: Mapping[str, float | None], tolerance: float = DEFAULT_TOLERANCE
) -> gx.ExpectationSuite:
    """Row count and measure means within ±tolerance of the previous run's. Without a previous run the
    bounds are open: the run only observes (and a mart must not be empty)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    low, high = _bounds(previous.get("row_count"), tolerance)
    # a mart must not be empty, even if it was last time (then the upper bound gives way to that floor)
    min_rows = max(1, math.floor(low)) if low is not None else 1
    expectations: list = [
        gxe.ExpectTableRowCountToBeBetween(
            min_value=min_rows,
            max_value=max(min_rows, math.ceil(high)) if high is not None else None,
            severity=WARN,
            description=f"row count within ±{tolerance:.0%} of the previous run",
        )
    ]
    for column in profile.measures:
        low, high = _bounds(previous.get(f"mean:{column}"), tolerance)
        expectations.append(
            gxe.ExpectColumnMeanToBeBetween(
                column=column,
                min_value=low,
                max_value=high,
                severity=WARN,
                description=f"mean {column} within ±{tolerance:.0%} of the previous run",
            )
        )
    return gx.ExpectationSuite(name=f"{profile.model}_distribution", expectations=expectations)
