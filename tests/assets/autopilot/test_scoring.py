"""Scoring and action planning without a database: windows, benchmarks, rules, budget guards."""

import random
from datetime import date, timedelta

import pytest

from assets.autopilot.actions import plan_actions
from assets.autopilot.scoring import (
    DEFAULT_THRESHOLDS,
    Assessment,
    CampaignState,
    DailyFigures,
    assess_user,
    window,
)
from tests.assets.autopilot.seed import CAMPAIGNS, MONTHLY_BUDGET

AS_OF = date(2025, 6, 16)


def _history(as_of: date = AS_OF) -> dict[str, list[DailyFigures]]:
    out = {}
    for c in CAMPAIGNS:
        days = []
        for back in range(35, -1, -1):
            figures = c.per_day("recent" if back <= 7 else "prior")
            if back == 0:
                figures = dict.fromkeys(figures, 1e6)
            days.append(DailyFigures(as_of - timedelta(days=back), **figures))
        out[c.id] = days
    return out


def _states() -> list[CampaignState]:
    return [
        CampaignState(
            c.id, c.key, c.channel, c.auto_managed, c.total_budget, c.budget_allocated, 35 * c.prior[3]
        )  # fmt: skip
        for c in CAMPAIGNS
        if c.status == "active"
    ]


def _by_key(assessments: list[Assessment]) -> dict[str, Assessment]:
    return {a.campaign.name: a for a in assessments}


def test_window_counts_only_its_days_and_leaves_ratios_null_without_denominator() -> None:
    days = [
        DailyFigures(date(2025, 6, d), impressions=100, clicks=10, conversions=0, spend=5) for d in (1, 2, 9)
    ]
    w = window(days, date(2025, 6, 1), date(2025, 6, 7))
    assert (w["impressions"], w["clicks"], w["spend"], w["days"], w["days_with_data"]) == (200, 20, 10, 7, 2)
    assert w["ctr"] == 0.1 and w["cpa"] is None and w["roas"] == 0.0


def test_each_rule_fires_on_its_campaign_with_its_figures() -> None:
    assessed = _by_key(assess_user(_states(), _history(), AS_OF))
    rules = {key: [s["rule_id"] for s in a.suggestions] for key, a in assessed.items()}
    assert rules == {
        "winner": ["high_roas"],
        "loser": ["high_cpa"],
        "silent": ["no_conversions"],
        "overspent": ["over_budget"],
        "fading": ["ctr_drop"],
        "manual_silent": ["no_conversions"],
    }
    # the run day's (incomplete) figures are never counted: 7 days × the recent daily figures
    winner = assessed["winner"]
    assert winner.metrics["recent"]["spend"] == 7 * 50 and winner.metrics["prior"]["spend"] == 28 * 50
    # the loser's benchmark is the pooled recent week of the other five active campaigns
    others = [c for c in CAMPAIGNS if c.key not in ("loser", "dormant")]
    bench_cpa = sum(7 * c.recent[3] for c in others) / sum(7 * c.recent[2] for c in others)
    high_cpa = assessed["loser"].suggestions[0]
    assert high_cpa["figures"]["benchmark_cpa_7d"] == pytest.approx(bench_cpa)
    assert high_cpa["figures"]["cpa_ratio"] == pytest.approx(80 / bench_cpa, abs=1e-4)
    assert high_cpa["thresholds"]["cpa_ratio_min"] == DEFAULT_THRESHOLDS.high_cpa_ratio
    assert sorted(assessed["loser"].benchmark["campaigns"]) == sorted(c.id for c in others)


def test_score_is_the_weighted_mean_of_its_components() -> None:
    winner = _by_key(assess_user(_states(), _history(), AS_OF))["winner"]
    others = [c for c in CAMPAIGNS if c.key not in ("winner", "dormant")]
    pooled = {i: sum(c.recent[i] for c in others) for i in range(5)}
    ctr = 50 * min((60 / 2000) / (pooled[1] / pooled[0]), 2)
    cvr = 50 * min((5 / 60) / (pooled[2] / pooled[1]), 2)
    roas = 50 * min(8 / (pooled[4] / pooled[3]), 2)
    trend = 50.0  # same conversions per day in both windows
    expected = (0.2 * ctr + 0.2 * cvr + 0.3 * roas + 0.3 * trend) / 1.0
    assert winner.score == pytest.approx(round(expected, 1))
    assert 0 <= winner.score <= 100


def test_plan_pauses_and_shifts_budget_only_on_auto_managed_campaigns_within_the_monthly_budget() -> None:
    assessed = assess_user(_states(), _history(), AS_OF)
    actions = plan_actions(assessed, MONTHLY_BUDGET, 0.0, DEFAULT_THRESHOLDS)
    by = {(a["campaign_id"], a["field"]): a for a in actions}
    ids = {c.key: c.id for c in CAMPAIGNS}
    assert by[(ids["silent"], "status")]["to"] == "paused"
    assert by[(ids["overspent"], "status")]["to"] == "paused"
    assert by[(ids["loser"], "budget_allocated")]["to"] == 720.0  # 900 - 20%
    # headroom after pauses and the cut: 3000 - (720 + 600 + 500 + 200) = 980; the winner wants 20% of its
    # monthly pace (50/day × 30 = 1500) = 300
    assert by[(ids["winner"], "budget_allocated")]["to"] == 900.0
    assert not any(a["campaign_id"] in (ids["fading"], ids["manual_silent"]) for a in actions)
    manual = _by_key(assessed)["manual_silent"].suggestions[0]
    assert manual["auto_applied"] is False and "not auto-managed" in manual["not_applied_reason"]


def test_over_budget_campaign_never_gets_more_even_if_a_rule_asked() -> None:
    over = CampaignState("c-over", "over", "x", True, 1000, 100, 1200)
    a = Assessment(over, {"recent": {"spend": 700}}, {}, 90.0,
                   [{"rule_id": "high_roas", "action": "increase_budget", "figures": {}}])  # fmt: skip
    assert plan_actions([a], 100000, 0, DEFAULT_THRESHOLDS) == []
    assert a.suggestions[0]["auto_applied"] is False


def test_random_plans_respect_budget_guards() -> None:
    rng = random.Random(7)
    for _ in range(300):
        assessments = []
        for i in range(rng.randint(1, 6)):
            total = rng.choice([0, 500, 2000, 10000])
            state = CampaignState(f"c{i}", f"c{i}", "x", rng.random() < 0.8, total, rng.choice([0, 100, 400]),
                                  rng.uniform(0, 2 * max(total, 1)))  # fmt: skip
            action = rng.choice(["increase_budget", "decrease_budget", "pause", "refresh_creative"])
            assessments.append(Assessment(state, {"recent": {"spend": rng.uniform(0, 900)}}, {}, rng.uniform(0, 100),
                                          [{"rule_id": "r", "action": action, "figures": {}}]))  # fmt: skip
        monthly = rng.choice([0, 500, 1500, 5000])
        elsewhere = rng.choice([0, 300])
        before = sum(a.campaign.budget_allocated for a in assessments) + elsewhere
        actions = plan_actions(assessments, monthly, elsewhere, DEFAULT_THRESHOLDS)
        paused = {a["campaign_id"] for a in actions if a["field"] == "status"}
        after = {a.campaign.campaign_id: a.campaign.budget_allocated for a in assessments}
        for action in actions:
            if action["field"] == "budget_allocated":
                after[action["campaign_id"]] = action["to"]
        for a in assessments:
            gained = after[a.campaign.campaign_id] - a.campaign.budget_allocated
            if gained > 0:
                assert not a.campaign.over_budget and a.campaign.auto_managed
                assert (
                    after[a.campaign.campaign_id]
                    <= a.campaign.total_budget - a.campaign.cumulative_spend + 1e-9
                )
            if not a.campaign.auto_managed:
                assert gained == 0 and a.campaign.campaign_id not in paused
        committed = sum(v for cid, v in after.items() if cid not in paused) + elsewhere
        if any(a["field"] == "budget_allocated" and a["to"] > a["from"] for a in actions):
            assert committed <= monthly + 1e-9  # an increase never takes the user past the monthly budget
        else:
            assert committed <= before + 1e-9
