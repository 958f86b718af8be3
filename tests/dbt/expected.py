"""The figures the marts must show for the hand-made dataset, computed here in plain Python over the same
rows (`handmade`), never with the models' SQL."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from tests.dbt.handmade import (
    CAMPAIGNS,
    CONFIG_A,
    DAYS,
    FUNNEL,
    HALF_LIFE_HOURS,
    METRICS,
    USER_A,
    USER_B,
    W0,
    W1,
    C,
    Lead,
    daily_values,
    leads,
)


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else Decimal(numerator) / Decimal(denominator)


def expected_daily() -> dict[tuple[str, dt.date], dict]:
    out = {}
    for c in CAMPAIGNS:
        cumulative = Decimal(0)
        to_date: dict[str, Decimal] = defaultdict(Decimal)
        for d, day in enumerate(DAYS):
            v = daily_values(c.key, d)
            if v is None:
                continue
            v = {m: v.get(m, Decimal(0)) for m in METRICS}
            cumulative += v["spend"]
            for m in ("impressions", "clicks", "conversions", "revenue"):
                to_date[m] += v[m]
            to_date["days"] += 1
            out[(c.id, day)] = {
                **v,
                "user_id": c.user,
                "channel": c.channel,
                "ctr": ratio(v["clicks"], v["impressions"]),
                "cvr": ratio(v["conversions"], v["clicks"]),
                "cpc": ratio(v["spend"], v["clicks"]),
                "cpa": ratio(v["spend"], v["conversions"]),
                "roas": ratio(v["revenue"], v["spend"]),
                "cumulative_spend": cumulative,
                **{f"{m}_to_date": value for m, value in to_date.items()},
                "total_budget": c.budget,
                "is_over_budget": cumulative > c.budget,
            }
    return out


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def expected_channel_weekly() -> dict[tuple[str, str, dt.date], dict]:
    out: dict = defaultdict(lambda: defaultdict(Decimal))
    for (_campaign, day), row in expected_daily().items():
        acc = out[(row["user_id"], row["channel"], week_of(day))]
        for m in METRICS:
            acc[m] += row[m]
    return {k: dict(v) for k, v in out.items()}


def _entries(lead: Lead) -> dict[str, dt.datetime]:
    """Stage entry times as the lifecycle model defines them (independently re-implemented)."""
    recorded: dict[str, dt.datetime] = {"new": lead.created}
    for _, after, when in lead.changes:
        recorded.setdefault(after, when)
    if lead.status not in recorded:
        recorded[lead.status] = lead.updated or lead.created
    furthest = max((FUNNEL.index(s) for s in recorded if s in FUNNEL), default=0)
    entries = {}
    for i, stage in enumerate(FUNNEL[: furthest + 1]):
        entries[stage] = min(recorded[s] for s in FUNNEL[i : furthest + 1] if s in recorded)
    if lead.status == "lost":
        entries["lost"] = recorded["lost"]
    return entries


def expected_funnel() -> dict[tuple[str, dt.date, str], dict]:
    """(user, cohort week, stage) → leads_reached, rates, median/p90 hours."""
    cohorts: dict = defaultdict(list)
    for lead in leads():
        cohorts[(lead.user, week_of(lead.created.date()))].append(lead)
    out = {}
    for (user, week), members in cohorts.items():
        previous = None
        for stage in FUNNEL:
            hours = sorted(
                (e[stage] - lead.created).total_seconds() / 3600
                for lead in members
                if stage in (e := _entries(lead))
            )
            reached = len(hours)
            out[(user, week, stage)] = {
                "leads_in_cohort": len(members),
                "leads_reached": reached,
                "conversion_from_previous": None if not previous else reached / previous,
                "conversion_from_top": reached / len(members),
                "median": percentile(hours, 0.5),
                "p90": percentile(hours, 0.9),
            }
            previous = reached
    return out


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not values:
        return None
    pos = q * (len(values) - 1)
    low, high = math.floor(pos), math.ceil(pos)
    return values[low] + (values[high] - values[low]) * (pos - low)


def expected_attribution() -> dict[tuple[str, str | None], dict[str, float]]:
    """(lead, campaign) → credit per model, for every converted lead."""
    out: dict = {}
    for lead in leads():
        entries = _entries(lead)
        if "converted" not in entries:
            continue
        converted = entries["converted"]
        touches = sorted((when, key) for key, when in lead.touches if when <= converted)
        if not touches:
            out[(lead.id, None)] = {"first": 1.0, "last": 1.0, "linear": 1.0, "decay": 1.0}
            continue
        weights = [
            0.5 ** ((converted - when).total_seconds() / 3600 / HALF_LIFE_HOURS) for when, _ in touches
        ]
        for i, (_, key) in enumerate(touches):
            credit = out.setdefault(
                (lead.id, C[key].id), {"first": 0.0, "last": 0.0, "linear": 0.0, "decay": 0.0}
            )
            credit["first"] += 1.0 if i == 0 else 0.0
            credit["last"] += 1.0 if i == len(touches) - 1 else 0.0
            credit["linear"] += 1 / len(touches)
            credit["decay"] += weights[i] / sum(weights)
    return out


def expected_autopilot_weekly() -> dict[tuple[str, dt.date], dict]:
    weekly = expected_channel_weekly()
    out = {}
    for user in (USER_A, USER_B):
        for week in (W0, W1):
            rows = {ch: v for (u, ch, w), v in weekly.items() if u == user and w == week}
            spend = sum((v["spend"] for v in rows.values()), Decimal(0))
            revenue = sum((v["revenue"] for v in rows.values()), Decimal(0))
            active = [(v["revenue"], v["conversions"], ch) for ch, v in rows.items()
                      if v["spend"] > 0 or v["revenue"] > 0 or v["conversions"] > 0]  # fmt: skip
            top = min(active, key=lambda t: (-t[0], -t[1], t[2]))[2] if active else None
            user_leads = [lead for lead in leads() if lead.user == user]
            out[(user, week)] = {
                "leads_generated": sum(1 for lead in user_leads if week_of(lead.created.date()) == week),
                "leads_converted": sum(
                    1
                    for lead in user_leads
                    if "converted" in (e := _entries(lead)) and week_of(e["converted"].date()) == week
                ),  # fmt: skip
                "spend": spend,
                "revenue": revenue,
                "roi": None
                if spend == 0
                else ((revenue - spend) / spend).quantize(Decimal("0.0001"), ROUND_HALF_UP),
                "top_channel": top,
                "autopilot_config_id": CONFIG_A if user == USER_A else None,
            }
    return out
