"""Autopilot: per-user configuration and the log of its daily passes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal

import numpy as np

from assets.demo.copytext import Json
from assets.demo.keyed_random import Keyed, stream_key, user_rng, uuid7_many
from assets.demo.tenants import DAY, DemoSpec, Tenant, make_id, utc

CONFIG_COLUMNS = (
    "id",
    "user_id",
    "business_description",
    "target_audience",
    "monthly_budget",
    "goals",
    "ai_strategy",
    "is_active",
    "last_optimized_at",
    "created_at",
    "updated_at",
)
LOG_COLUMNS = (
    "id",
    "user_id",
    "autopilot_config_id",
    "activity_type",
    "activity_description",
    "entity_type",
    "entity_id",
    "metadata",
    "impact_metrics",
    "created_at",
)


def config_created_s(spec: DemoSpec, tenant: Tenant) -> int:
    return max(tenant.created_s + 2 * DAY, (spec.start_day - 10) * DAY + 10 * 3600)


def config_active(spec: DemoSpec, tenant: Tenant) -> bool:
    return bool(Keyed(spec.seed, "autopilot_active").uniform(tenant.index)[0] < 0.9)


def config_id(spec: DemoSpec, tenant: Tenant) -> uuid.UUID:
    return make_id(spec.seed, "autopilot_config", tenant.index, config_created_s(spec, tenant))


def configs(spec: DemoSpec, tenants: list[Tenant]) -> Iterator[tuple]:
    for t in tenants:
        if not t.autopilot:
            continue
        rng = user_rng(spec.seed, t.index, 6)
        created = config_created_s(spec, t)
        active = config_active(spec, t)
        weights = rng.dirichlet(np.ones(4))
        yield (
            config_id(spec, t),
            t.id,
            f"{t.company} sells {t.product} to {t.industry.lower()} customers and wants predictable pipeline.",
            {
                "segments": [c.audience for c in t.campaigns[:2]],
                "company_sizes": ["small", "medium"],
                "regions": ["US", "GB", "DE"][: int(rng.integers(1, 4))],
            },
            Decimal(t.monthly_budget),
            Json(["generate_leads", "improve_roi", "grow_awareness"][: int(rng.integers(1, 4))]),
            {
                "risk": str(rng.choice(["conservative", "balanced", "aggressive"])),
                "optimization_frequency": "daily",
                "channel_weights": {
                    ch: round(float(w), 3)
                    for ch, w in zip(("search", "social", "email", "display"), weights, strict=True)
                },
            },
            active,
            utc(spec.as_of_day * DAY + 2 * 3600) if active else None,
            utc(created),
            utc(spec.as_of_day * DAY + 2 * 3600 if active else created),
        )


def activity_log(spec: DemoSpec, sims: Iterable, window: object) -> Iterator[tuple]:
    """One entry per daily pass (02:00 UTC) of each active autopilot, plus the actions it took that day on the
    auto-managed campaigns that delivered, and the leads those campaigns routed to the inbox."""
    k = Keyed(spec.seed, "autopilot_log")
    for sim in sims:
        # campaign-days are grouped by campaign: slice each campaign's delivery days
        bounds = np.searchsorted(sim.days.campaign, np.arange(len(sim.table.campaigns) + 1))
        lead_key = sim.leads.campaign.astype(np.int64) * 100000 + sim.leads.day
        lead_pairs, lead_counts = np.unique(lead_key, return_counts=True)
        for t in sim.tenants:
            if not t.autopilot or not config_active(spec, t):
                continue
            first = max(window.since + 1, config_created_s(spec, t) // DAY + 1)
            days = np.arange(first, window.through + 1)
            auto = [
                (i, c)
                for i, c in enumerate(sim.table.campaigns)
                if c.auto_managed and c.user_index == t.index
            ]
            rows: list[tuple] = []
            reviewed = np.zeros(len(days), dtype=np.int64)
            for i, c in auto:
                delivered = sim.days.day[bounds[i] : bounds[i + 1]]
                delivered = delivered[(delivered >= first) & (delivered <= window.through)]
                reviewed[delivered - first] += 1
                u = k.uniform(c.gid, delivered)
                for day, x in zip(delivered[u < 0.25].tolist(), u[u < 0.25].tolist(), strict=True):
                    change = round((x - 0.125) * 80, 1)
                    rows.append(
                        (
                            day * DAY + 2 * 3600 + 60,
                            "budget_reallocated",
                            f"Adjusted the daily budget of {c.name} by {change:+.1f}%",
                            "campaign",
                            c.id,
                            {"reason": "cpa_vs_target"},
                            {"daily_budget_change_pct": change},
                        )
                    )
                found = np.searchsorted(lead_pairs, i * 100000 + delivered)
                found = np.minimum(found, max(len(lead_pairs) - 1, 0))
                hit = (lead_pairs[found] == i * 100000 + delivered) if len(lead_pairs) else np.zeros(0, bool)
                for day, n in zip(delivered[hit].tolist(), lead_counts[found[hit]].tolist(), strict=True):
                    rows.append(
                        (
                            day * DAY + 23 * 3600,
                            "leads_routed",
                            f"Routed {n} new lead{'s' if n != 1 else ''} from {c.name} to the inbox",
                            "lead_form",
                            c.id,
                            {"leads": n},
                            {},
                        )
                    )
                if window.since < c.created_s // DAY <= window.through:
                    rows.append(
                        (
                            c.created_s,
                            "campaign_created",
                            f"Created campaign {c.name}",
                            "campaign",
                            c.id,
                            {"channel": c.channel},
                            {"budget_usd": c.budget_cents // 100},
                        )
                    )
            rows += [
                (
                    day * DAY + 2 * 3600,
                    "optimization_run",
                    f"Daily optimisation pass reviewed {n} auto-managed campaign{'s' if n != 1 else ''}",
                    None,
                    None,
                    {"pass": "daily"},
                    {},
                )
                for day, n in zip(days.tolist(), reviewed.tolist(), strict=True)
            ]
            if not rows:
                continue
            rows.sort(key=lambda r: (r[0], r[1]))
            # ids keyed by what the entry is (time, type, campaign), so a day's entries get the same ids
            # whether that day came with the first load or with an append
            ts = np.array([r[0] for r in rows], dtype=np.int64)
            kinds = np.array([stream_key(r[1]) for r in rows], dtype=np.int64)
            entity = np.array([r[4].int % (1 << 62) if r[4] else 0 for r in rows], dtype=np.int64)
            ids = uuid7_many(ts * 1000 + kinds % 1000, k.bits(t.index, ts, kinds, entity))
            cfg = config_id(spec, t)
            for rid, (at, kind, text, etype, eid, meta, impact) in zip(ids, rows, strict=True):
                yield (rid, t.id, cfg, kind, text, etype, eid, meta, impact, utc(at))
