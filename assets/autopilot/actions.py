"""Turning suggestions into the actions the autopilot takes on auto-managed campaigns, within the budget.

Budget model: `campaigns.budget_allocated` is a campaign's share of the user's `monthly_budget`; the
allocations of the user's active campaigns are what is committed. The plan runs in a fixed order so the
same inputs give the same plan: pauses, then decreases (both free budget), then increases, best score
first, each limited by three caps —
- the headroom: `monthly_budget` minus what active campaigns keep allocated, so the plan never commits
  more than the monthly budget (an already over-committed user gets no increase at all);
- the campaign's own remaining budget: `total_budget - cumulative_spend`, which its allocation never
  exceeds after an increase;
- a campaign at or over its total budget never gets more, whatever its figures.
Campaigns that are not auto-managed keep their suggestions, marked as not applied.
"""

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from assets.autopilot.scoring import Assessment, Thresholds

CENT = Decimal("0.01")


def _money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _cap(value: Decimal) -> Decimal:
    """A limit in whole cents, rounded down so that staying within it never overshoots by a fraction."""
    return value.quantize(CENT, rounding=ROUND_DOWN)


def _not_applied(suggestion: dict[str, Any], reason: str) -> None:
    suggestion["auto_applied"] = False
    suggestion["not_applied_reason"] = reason


def _action(assessment: Assessment, suggestion: dict, field: str, old: Any, new: Any, extra: dict) -> dict:
    action = {
        "rule_id": suggestion["rule_id"],
        "action": suggestion["action"],
        "campaign_id": assessment.campaign.campaign_id,
        "field": field,
        "from": old,
        "to": new,
    } | extra
    suggestion["auto_applied"] = True
    assessment.actions.append(action)
    return action


def plan_actions(
    assessments: Sequence[Assessment],
    monthly_budget: float,
    committed_elsewhere: float,
    th: Thresholds,
) -> list[dict[str, Any]]:
    """Fill each assessment's `actions` and mark each suggestion applied or not; return all actions.

    `committed_elsewhere`: allocations of the user's active campaigns that are not in `assessments`
    (e.g. already handled earlier today), counted against the monthly budget all the same."""
    allocation = {a.campaign.campaign_id: Decimal(str(a.campaign.budget_allocated)) for a in assessments}
    active = {a.campaign.campaign_id for a in assessments}
    planned: list[dict[str, Any]] = []

    def by_action(name: str) -> list[tuple[Assessment, dict]]:
        return [(a, s) for a in assessments for s in a.suggestions if s["action"] == name]

    for assessment, suggestion in by_action("pause"):
        if not assessment.campaign.auto_managed:
            _not_applied(suggestion, "campaign is not auto-managed")
            continue
        active.discard(assessment.campaign.campaign_id)
        planned.append(_action(assessment, suggestion, "status", "active", "paused", {}))

    for assessment, suggestion in by_action("decrease_budget"):
        cid = assessment.campaign.campaign_id
        if not assessment.campaign.auto_managed:
            _not_applied(suggestion, "campaign is not auto-managed")
            continue
        cut = _money(allocation[cid] * Decimal(str(th.budget_step)))
        if cut <= 0:
            _not_applied(suggestion, "nothing allocated to take away")
            continue
        new = allocation[cid] - cut
        planned.append(
            _action(
                assessment,
                suggestion,
                "budget_allocated",
                float(allocation[cid]),
                float(new),
                {"amount": float(-cut)},
            )
        )
        allocation[cid] = new

    monthly = Decimal(str(monthly_budget))
    ranked = sorted(
        by_action("increase_budget"), key=lambda pair: (-pair[0].score, pair[0].campaign.campaign_id)
    )
    for assessment, suggestion in ranked:
        campaign = assessment.campaign
        cid = campaign.campaign_id
        if not campaign.auto_managed:
            _not_applied(suggestion, "campaign is not auto-managed")
            continue
        if campaign.over_budget:  # the rules already skip it; the budget guard does not rely on them
            _not_applied(suggestion, "campaign is at or over its total budget")
            continue
        committed = Decimal(str(committed_elsewhere)) + sum((allocation[c] for c in active), Decimal(0))
        headroom = _cap(monthly - committed)
        left = Decimal(str(campaign.total_budget)) - Decimal(str(campaign.cumulative_spend)) - allocation[cid]
        remaining = _cap(left)
        monthly_pace = _money(assessment.metrics["recent"]["spend"] * 30 / th.recent_days)
        wanted = _money(max(allocation[cid], monthly_pace) * Decimal(str(th.budget_step)))
        amount = min(wanted, headroom, remaining)
        caps = {
            "wanted": float(wanted),
            "monthly_headroom": float(headroom),
            "campaign_budget_left": float(remaining),
            "monthly_budget": float(monthly),
            "committed": float(committed),
        }
        suggestion["figures"] = suggestion["figures"] | {"budget_caps": caps}
        if amount <= 0:
            reason = "no headroom left in the monthly budget" if headroom <= 0 else "campaign budget used up"
            _not_applied(suggestion, reason)
            continue
        new = allocation[cid] + amount
        planned.append(
            _action(
                assessment,
                suggestion,
                "budget_allocated",
                float(allocation[cid]),
                float(new),
                {"amount": float(amount), "caps": caps},
            )
        )
        allocation[cid] = new

    for assessment in assessments:
        for suggestion in assessment.suggestions:
            if "auto_applied" not in suggestion:  # refresh_creative: new creatives are the user's to make
                _not_applied(
                    suggestion, f"advice for the user: the autopilot does not {suggestion['action']}"
                )
    return planned
