"""Conversations between each user and the assistant, text only: the knowledge pipeline embeds the
messages later, which is what gives conversation memory something to remember."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from assets.demo.keyed_random import user_rng
from assets.demo.tenants import DAY, DemoSpec, Tenant, make_id, utc

CONVERSATION_COLUMNS = ("id", "user_id", "created_at")
MESSAGE_COLUMNS = ("id", "conversation_id", "role", "content", "timestamp")

# (question, answer) pairs; {campaign}, {product}, {company}, {channel} come from the user's business
_TURNS = (
    (
        "Why did the cost per lead of {campaign} go up last week?",
        "Spend on {campaign} stayed on pace while conversions dipped on the weekend, so each lead cost more. "
        "Weekday performance is steady; consider lowering weekend bids or shifting that budget to Tuesday to "
        "Thursday.",
    ),
    (
        "Which channel brings us the best qualified leads?",
        "Over the last 30 days leads from {channel} were qualified most often and moved from contacted to "
        "qualified fastest. Search and events usually convert better than display, which mainly builds reach.",
    ),
    (
        "Write three subject lines for the next newsletter about {product}.",
        "1. What {product} changed for teams like yours. 2. Five minutes to a smarter campaign. 3. The {company} "
        "playbook, now with {product}.",
    ),
    (
        "How much budget is left on {campaign}?",
        "{campaign} has spent most of its budget; at the current pace it will run out a few days before its end "
        "date. The autopilot can slow the pace or you can raise the budget.",
    ),
    (
        "Summarise our lead funnel for this month.",
        "Most new leads were contacted within two days; about a third of them qualified after a discovery call, and "
        "close to half of the qualified leads converted. Lost leads mostly cited budget or timing.",
    ),
    (
        "What should we test next on {channel}?",
        "Test one variable at a time: a new headline against the current one, with the budget split evenly for two "
        "weeks. Judge by cost per qualified lead, not by clicks.",
    ),
    (
        "Draft a LinkedIn post announcing {product}.",
        "Meet {product}: the fastest way for busy teams to plan, launch and measure campaigns. Built by {company} "
        "with feedback from hundreds of marketers. Try it today.",
    ),
    (
        "Remind me what our brand voice guidelines say about tone.",
        "Be clear, confident and warm: short sentences, concrete numbers, no jargon, and always one clear next "
        "step for the reader.",
    ),
)


def _threads(spec: DemoSpec, tenant: Tenant) -> Iterator[tuple[int, int, list[tuple[str, str]]]]:
    rng = user_rng(spec.seed, tenant.index, 8)
    lo, hi = spec.preset.conversations
    launched = [c for c in tenant.campaigns if c.status != "draft"] or tenant.campaigns
    for k in range(int(rng.integers(lo, hi + 1))):
        start = (spec.as_of_day - int(rng.integers(0, min(60, spec.days)))) * DAY + int(
            rng.integers(8, 18)
        ) * 3600
        start = max(start, tenant.created_s + DAY)
        turns = []
        for _ in range(int(rng.integers(2, 6))):
            campaign = launched[int(rng.integers(0, len(launched)))]
            question, answer = _TURNS[int(rng.integers(0, len(_TURNS)))]
            values = {
                "campaign": campaign.name,
                "product": tenant.product,
                "company": tenant.company,
                "channel": campaign.channel,
            }
            turns.append((question.format(**values), answer.format(**values)))
        yield k, start, turns


def conversation_id(spec: DemoSpec, tenant: Tenant, k: int, start: int) -> uuid.UUID:
    return make_id(spec.seed, "conversation", tenant.index * 64 + k, start)


def conversations(spec: DemoSpec, tenants: list[Tenant]) -> Iterator[tuple]:
    for t in tenants:
        for k, start, _ in _threads(spec, t):
            yield (conversation_id(spec, t, k, start), t.id, utc(start))


def messages(spec: DemoSpec, tenants: list[Tenant]) -> Iterator[tuple]:
    for t in tenants:
        for k, start, turns in _threads(spec, t):
            cid = conversation_id(spec, t, k, start)
            at = start
            for n, (question, answer) in enumerate(turns):
                for m, (role, text) in enumerate((("user", question), ("assistant", answer))):
                    at += 20 + (n * 37 + m * 11) % 90
                    yield (
                        make_id(spec.seed, "message", (t.index * 64 + k) * 64 + 2 * n + m, at),
                        cid,
                        role,
                        text,
                        utc(at),
                    )
