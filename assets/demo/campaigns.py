"""Campaign rows, with the spend the simulation produced, and the changes an append makes to them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

import numpy as np

from assets.demo import profiles as P
from assets.demo import vocabulary as V
from assets.demo.copytext import Json
from assets.demo.keyed_random import user_rng
from assets.demo.tenants import DAY, Campaign, DemoSpec, day_date, utc

CAMPAIGN_COLUMNS = (
    "id",
    "created_by",
    "name",
    "description",
    "type",
    "channel",
    "status",
    "total_budget",
    "budget_allocated",
    "budget_spent",
    "start_date",
    "end_date",
    "primary_objective",
    "target_audience",
    "channels",
    "demographics",
    "kpi_targets",
    "content",
    "settings",
    "metrics",
    "auto_managed",
    "metadata",
    "created_at",
    "updated_at",
)


def cents(value: int) -> Decimal:
    return Decimal(int(value)).scaleb(-2)


def campaign_state(c: Campaign, last_day: int, through: int) -> tuple[str, int]:
    """Status and last-change time of a campaign as of the end of day `through`.

    An active campaign whose end date has passed is completed the morning after it ends.
    """
    status = "completed" if c.status == "active" and c.end_day < through else c.status
    times = [c.created_s]
    if last_day >= 0:
        times.append(last_day * DAY + DAY - 60)
    if status == "completed":
        times.append((c.end_day + 1) * DAY + 9 * 3600)
    if status == "paused":
        times.append((c.stop_day + 1) * DAY + 10 * 3600)
    return status, max(times)


def campaigns(spec: DemoSpec, sims: Iterable) -> Iterator[tuple]:
    for sim in sims:
        n = len(sim.table.campaigns)
        spent = sim.days.spent_cents(n)
        last = sim.last_day
        by_index = {t.index: t for t in sim.tenants}
        for i, c in enumerate(sim.table.campaigns):
            tenant = by_index[c.user_index]
            rng = user_rng(spec.seed, c.gid, 9)
            status, updated = campaign_state(c, int(last[i]), spec.as_of_day)
            kind = P.KINDS[c.type]
            channel = P.CHANNELS[c.channel]
            daily = round(c.daily_cents / 100, 2)
            targets = {
                "conversions": int(c.budget_cents / 100 / max(kind.order_value / 4, 1)),
                "cpa_usd": round(channel.cpc / max(channel.cvr, 0.01), 2),
                "roas": round(1.5 + rng.random() * 2, 2),
            }
            if c.channel != "email":
                targets["ctr"] = round(channel.ctr * 100, 2)
            metadata: dict = {"demo": True, "platform": c.platform}
            if c.status == "paused":
                metadata["paused_on"] = day_date(c.stop_day).isoformat()
            yield (
                c.id,
                tenant.id,
                c.name,
                f"{kind.objective} for {tenant.company} on {c.channel}.",
                c.type,
                c.channel,
                status,
                cents(c.budget_cents),
                cents(0 if c.status == "draft" else c.budget_cents),
                cents(spent[i]),
                utc(c.start_day * DAY),
                utc(c.end_day * DAY + DAY - 1),
                kind.objective,
                c.audience,
                Json([c.channel]),
                {
                    "age_range": str(rng.choice(["18-34", "25-44", "25-54", "35-64"])),
                    "regions": [str(r) for r in rng.choice(V.COUNTRIES, size=2, replace=False)],
                },
                targets,
                {
                    "headline": f"{tenant.product} by {tenant.company}",
                    "call_to_action": str(
                        rng.choice(
                            [
                                "Book a demo",
                                "Start free trial",
                                "Download the guide",
                                "Register now",
                                "Shop now",
                            ]
                        )
                    ),
                },
                {
                    "platform": c.platform,
                    "bid_strategy": str(rng.choice(["maximize_conversions", "target_cpa", "manual_cpc"])),
                    "daily_budget_usd": daily,
                    "send_days": ["tue", "thu"] if c.channel == "email" else None,
                },
                {},
                c.auto_managed,
                metadata,
                utc(c.created_s),
                utc(updated),
            )


def campaign_changes(spec: DemoSpec, sims: Iterable, window: object) -> Iterator[tuple]:
    """(id, status, budget_spent, updated_at) of campaigns an append changes."""
    for sim in sims:
        n = len(sim.table.campaigns)
        spent = sim.days.spent_cents(n)
        earlier = sim.days.day <= window.since
        spent_before = np.bincount(
            sim.days.campaign[earlier], weights=sim.days.spend_cents[earlier], minlength=n
        ).astype(np.int64)
        last_before = np.full(n, -1, dtype=np.int64)
        np.maximum.at(last_before, sim.days.campaign[earlier], sim.days.day[earlier])
        for i, c in enumerate(sim.table.campaigns):
            before = campaign_state(c, int(last_before[i]), window.since)
            after = campaign_state(c, int(sim.last_day[i]), window.through)
            if before != after or spent[i] != spent_before[i]:
                yield (c.id, after[0], cents(spent[i]), utc(after[1]))
