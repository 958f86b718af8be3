"""Scoring of one user's active campaigns: window metrics, benchmarks, a 0–100 performance score and the
optimisation suggestions that follow from them.

Pure and deterministic: the same daily figures give the same JSON. Each campaign is compared with its own
history (the last `recent_days` before the run day against the `history_days` before those) and with the
user's other active campaigns over the same recent window (the benchmark: their pooled sums, so a big
campaign weighs more than a small one). Every suggestion carries its rule id, the thresholds it applied
and the figures it saw, so a user can check why the autopilot said what it said.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

SUMS = ("impressions", "clicks", "conversions", "spend", "revenue")


@dataclass(frozen=True)
class Thresholds:
    recent_days: int = 7  # the window scored
    history_days: int = 28  # the campaign's own history it is compared with
    pause_min_spend: float = 100.0  # spend in the recent window with no conversion at all → pause
    high_cpa_ratio: float = 1.5  # CPA at least this × the benchmark's → move budget away
    high_roas_ratio: float = 1.3  # ROAS at least this × the benchmark's → give it more budget
    ctr_drop_ratio: float = 0.75  # CTR at most this × its own history's → refresh the creative
    min_impressions: int = 1000  # fewer impressions in a window: its CTR is noise, the CTR rule is skipped
    budget_step: float = 0.2  # share of a campaign's allocation moved by one budget action

    def as_json(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class DailyFigures:
    """One campaign × day row of marts.fct_campaign_performance_daily."""

    metric_date: date
    impressions: float = 0.0
    clicks: float = 0.0
    conversions: float = 0.0
    spend: float = 0.0
    revenue: float = 0.0


@dataclass(frozen=True)
class CampaignState:
    """A campaign as the autopilot finds it: the live row of public.campaigns plus the mart's running spend."""

    campaign_id: str
    name: str
    channel: str
    auto_managed: bool
    total_budget: float
    budget_allocated: float
    cumulative_spend: float  # spend since the campaign started, through the day before the run

    @property
    def over_budget(self) -> bool:
        # a campaign that spent anything against a zero budget is over it too
        return self.cumulative_spend > 0 and self.cumulative_spend >= self.total_budget


@dataclass
class Assessment:
    """Everything the daily pass writes for one campaign (suggestions gain `auto_applied` when planned)."""

    campaign: CampaignState
    metrics: dict[str, Any]
    benchmark: dict[str, Any]
    score: float
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


def window(history: Iterable[DailyFigures], start: date, end: date) -> dict[str, Any]:
    """Sums and ratios of the days in [start, end] (days without a row count as zero)."""
    days = [d for d in history if start <= d.metric_date <= end]
    sums = {name: float(sum(getattr(d, name) for d in days)) for name in SUMS}
    return _with_ratios(sums) | {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "days": (end - start).days + 1,
        "days_with_data": len({d.metric_date for d in days}),
    }


def _with_ratios(sums: Mapping[str, float]) -> dict[str, Any]:
    out: dict[str, Any] = {name: _round(sums[name], 4) for name in SUMS}
    out["ctr"] = _round(_ratio(sums["clicks"], sums["impressions"]))
    out["cvr"] = _round(_ratio(sums["conversions"], sums["clicks"]))
    out["cpa"] = _round(_ratio(sums["spend"], sums["conversions"]))
    out["roas"] = _round(_ratio(sums["revenue"], sums["spend"]))
    return out


def windows(history: Sequence[DailyFigures], as_of: date, th: Thresholds) -> tuple[dict, dict]:
    """(recent, prior): the `recent_days` before `as_of` and the `history_days` before those."""
    recent_start = as_of - timedelta(days=th.recent_days)
    prior_start = recent_start - timedelta(days=th.history_days)
    recent = window(history, recent_start, as_of - timedelta(days=1))
    prior = window(history, prior_start, recent_start - timedelta(days=1))
    return recent, prior


def benchmark(recents: Mapping[str, dict], campaign_id: str) -> dict[str, Any]:
    """The user's other campaigns' recent windows, pooled (empty when the user has no other campaign)."""
    others = sorted(cid for cid in recents if cid != campaign_id)
    if not others:
        return {"campaigns": [], "basis": "no other active campaign of this user"}
    sums = {name: sum(recents[cid][name] for cid in others) for name in SUMS}
    return _with_ratios(sums) | {
        "campaigns": others,
        "basis": "pooled recent window of the user's other campaigns",
    }


# performance score: each component is 50 at parity with its reference and 100 at twice as good (capped)
SCORE_WEIGHTS = {
    "ctr_vs_benchmark": 0.2,
    "cvr_vs_benchmark": 0.2,
    "roas_vs_benchmark": 0.3,
    "conversion_trend": 0.3,
}


def _relative(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return round(50.0 * min(value / reference, 2.0), 4)


def performance_score(recent: dict, prior: dict, bench: dict, th: Thresholds) -> tuple[float, dict]:
    """0–100 score and its explanation: the weighted mean of the components that can be computed."""
    recent_rate = recent["conversions"] / th.recent_days
    prior_rate = prior["conversions"] / th.history_days if prior["days_with_data"] else None
    components = {
        "ctr_vs_benchmark": _relative(recent["ctr"], bench.get("ctr")),
        "cvr_vs_benchmark": _relative(recent["cvr"], bench.get("cvr")),
        "roas_vs_benchmark": _relative(recent["roas"], bench.get("roas")),
        "conversion_trend": _relative(recent_rate, prior_rate),
    }
    present = {name: value for name, value in components.items() if value is not None}
    if not present:
        return 50.0, {
            "components": components,
            "weights": SCORE_WEIGHTS,
            "basis": "no comparable data: neutral",
        }
    weight = sum(SCORE_WEIGHTS[name] for name in present)
    score = round(sum(SCORE_WEIGHTS[name] * value for name, value in present.items()) / weight, 1)
    return score, {"components": components, "weights": SCORE_WEIGHTS, "basis": "weighted mean of components"}


def _versus(value: float | None, reference: float | None) -> float | None:
    """value / reference, or None when either is missing or the reference is 0."""
    return None if value is None or not reference else value / reference


def _suggestion(rule_id: str, action: str, message: str, thresholds: dict, figures: dict) -> dict[str, Any]:
    return {
        "rule_id": rule_id,
        "action": action,
        "message": message,
        "thresholds": thresholds,
        "figures": figures,
    }


def suggestions(
    campaign: CampaignState, recent: dict, prior: dict, bench: dict, th: Thresholds
) -> list[dict]:
    """The rules, in order. A pause makes budget moves moot, so they are only looked at when nothing pauses."""
    out: list[dict] = []
    if campaign.over_budget:
        out.append(
            _suggestion(
                "over_budget",
                "pause",
                f"Spent {campaign.cumulative_spend:.2f} of a total budget of {campaign.total_budget:.2f}: pause it.",
                {"cumulative_spend_max": campaign.total_budget},
                {"cumulative_spend": campaign.cumulative_spend, "total_budget": campaign.total_budget},
            )
        )
    elif recent["spend"] >= th.pause_min_spend and recent["conversions"] == 0:
        out.append(
            _suggestion(
                "no_conversions",
                "pause",
                f"Spent {recent['spend']:.2f} in {th.recent_days} days without a conversion: pause it.",
                {"spend_min": th.pause_min_spend, "conversions_max": 0},
                {
                    "spend_7d": recent["spend"],
                    "conversions_7d": recent["conversions"],
                    "clicks_7d": recent["clicks"],
                },
            )
        )
    else:
        cpa_ratio = _versus(recent["cpa"], bench.get("cpa"))
        roas_ratio = _versus(recent["roas"], bench.get("roas"))
        if cpa_ratio is not None and cpa_ratio >= th.high_cpa_ratio:
            out.append(
                _suggestion(
                    "high_cpa",
                    "decrease_budget",
                    f"Cost per conversion {recent['cpa']:.2f} is {cpa_ratio:.2f}× the user's other campaigns' "
                    f"{bench['cpa']:.2f}: shift budget away from it.",
                    {"cpa_ratio_min": th.high_cpa_ratio, "budget_step": th.budget_step},
                    {
                        "cpa_7d": recent["cpa"],
                        "benchmark_cpa_7d": bench["cpa"],
                        "cpa_ratio": _round(cpa_ratio, 4),
                        "conversions_7d": recent["conversions"],
                    },
                )
            )
        elif roas_ratio is not None and roas_ratio >= th.high_roas_ratio:
            out.append(
                _suggestion(
                    "high_roas",
                    "increase_budget",
                    f"Return on ad spend {recent['roas']:.2f} is {roas_ratio:.2f}× the user's other campaigns' "
                    f"{bench['roas']:.2f}: shift budget to it.",
                    {"roas_ratio_min": th.high_roas_ratio, "budget_step": th.budget_step},
                    {
                        "roas_7d": recent["roas"],
                        "benchmark_roas_7d": bench["roas"],
                        "roas_ratio": _round(roas_ratio, 4),
                        "spend_7d": recent["spend"],
                    },
                )
            )
    if (
        recent["impressions"] >= th.min_impressions
        and prior["impressions"] >= th.min_impressions
        and prior["ctr"]
        and recent["ctr"] is not None
        and recent["ctr"] <= th.ctr_drop_ratio * prior["ctr"]
    ):
        out.append(
            _suggestion(
                "ctr_drop",
                "refresh_creative",
                f"Click-through rate fell from {prior['ctr']:.4f} to {recent['ctr']:.4f} "
                f"({recent['ctr'] / prior['ctr']:.2f}× its previous {th.history_days} days): refresh the creative.",
                {"ctr_ratio_max": th.ctr_drop_ratio, "impressions_min": th.min_impressions},
                {
                    "ctr_7d": recent["ctr"],
                    "ctr_prior_28d": prior["ctr"],
                    "impressions_7d": recent["impressions"],
                    "impressions_prior_28d": prior["impressions"],
                },
            )
        )
    return out


def assess_user(
    campaigns: Sequence[CampaignState],
    history: Mapping[str, Sequence[DailyFigures]],
    as_of: date,
    th: Thresholds = DEFAULT_THRESHOLDS,
) -> list[Assessment]:
    """Score every active campaign of one user against its history and the user's other campaigns."""
    spans = {c.campaign_id: windows(history.get(c.campaign_id, ()), as_of, th) for c in campaigns}
    recents = {cid: recent for cid, (recent, _) in spans.items()}
    out = []
    for campaign in sorted(campaigns, key=lambda c: c.campaign_id):
        recent, prior = spans[campaign.campaign_id]
        bench = benchmark(recents, campaign.campaign_id)
        score, explanation = performance_score(recent, prior, bench, th)
        metrics = {
            "as_of": as_of.isoformat(),
            "recent": recent,
            "prior": prior,
            "budget": {
                "total_budget": campaign.total_budget,
                "budget_allocated": campaign.budget_allocated,
                "cumulative_spend": campaign.cumulative_spend,
                "over_budget": campaign.over_budget,
            },
            "score": explanation,
            "thresholds": th.as_json(),
            "source": "marts.fct_campaign_performance_daily",
        }
        out.append(
            Assessment(
                campaign=campaign,
                metrics=metrics,
                benchmark=bench,
                score=score,
                suggestions=suggestions(campaign, recent, prior, bench, th),
            )
        )
    return out
