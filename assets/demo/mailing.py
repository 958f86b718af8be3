"""E-mail sends (`email_campaigns`, one row per send of an e-mail campaign) and e-mail contacts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal

import numpy as np

from assets.demo import vocabulary as V
from assets.demo.copytext import Json
from assets.demo.keyed_random import Keyed, user_rng, uuid7_many
from assets.demo.metrics import blast_ids
from assets.demo.tenants import DAY, DemoSpec, Tenant, day_date, make_id, utc

EMAIL_CAMPAIGN_COLUMNS = (
    "id",
    "name",
    "subject_line",
    "from_address",
    "template_id",
    "recipient_list",
    "status",
    "scheduled_for",
    "sent_at",
    "open_rate",
    "click_rate",
    "metadata",
    "created_at",
    "updated_at",
)
CONTACT_COLUMNS = (
    "id",
    "email",
    "name",
    "company",
    "tags",
    "subscription_status",
    "metadata",
    "created_at",
    "updated_at",
)
_SUBJECTS = (
    "Your {month} marketing playbook is here",
    "3 ideas to grow pipeline this week",
    "What is new in {product}",
    "Last chance: save your seat",
    "Customers like you are doing this",
    "A quick question about your goals",
    "Behind the numbers: our {month} benchmarks",
    "Your guide to smarter campaigns",
)
_CONTACT_TAGS = ("customer", "prospect", "newsletter", "webinar_attendee", "partner", "trial")


def _rate(count: int, delivered: int, failed: bool) -> Decimal | None:
    """A percentage of the delivered e-mails, two decimals; none for a failed send."""
    return None if failed else round(Decimal(count * 100) / max(delivered, 1), 2)


def email_campaigns(spec: DemoSpec, sims: Iterable, window: object) -> Iterator[tuple]:
    initial = window.is_initial(spec)
    for sim in sims:
        by_index = {t.index: t for t in sim.tenants}
        d = sim.days
        sel = np.nonzero(d.is_send_day & (d.day > window.since) & (d.day <= window.through))[0]
        ids = blast_ids(spec.seed, sim.table.gid[d.campaign[sel]], d.day[sel])
        for row, blast in zip(sel, ids, strict=True):
            c = sim.table.campaigns[d.campaign[row]]
            tenant = by_index[c.user_index]
            day = int(d.day[row])
            date = day_date(day)
            delivered, opens, clicks = (
                int(d.impressions[row]),
                int(d.email_opens[row]),
                int(d.email_clicks[row]),
            )
            failed = bool(d.send_failed[row])
            subject = _SUBJECTS[(c.gid + day) % len(_SUBJECTS)].format(
                month=date.strftime("%B"), product=tenant.product
            )
            scheduled = day * DAY + 9 * 3600
            sent = None if failed else utc(scheduled + 3600)
            meta = {
                "demo": True,
                "user_id": tenant.id,
                "campaign_id": c.id,
                "delivered": delivered,
                "opens": opens,
                "clicks": clicks,
                "unsubscribes": int(d.unsubscribes[row]),
            }
            if failed:
                meta["error"] = "sending provider rejected the batch (rate limit)"
            yield (
                uuid.UUID(blast.decode()),
                f"{c.name} - {date:%b %d}",
                subject,
                f"marketing@demo.{tenant.slug}.test",
                None,
                Json(["all_subscribers"] if c.type == "email" else ["engaged_90_days"]),
                "failed" if failed else "sent",
                utc(scheduled),
                sent,
                _rate(opens, delivered, failed),
                _rate(clicks, delivered, failed),
                meta,
                utc(scheduled - 2 * 3600),  # prepared the same morning: a send belongs to its day
                sent or utc(scheduled),
            )
        if initial:
            yield from _draft_sends(spec, sim, by_index)


def _draft_sends(spec: DemoSpec, sim: object, by_index: dict[int, Tenant]) -> Iterator[tuple]:
    for c in sim.table.campaigns:
        if c.status != "draft" or c.channel != "email":
            continue
        tenant = by_index[c.user_index]
        yield (
            make_id(spec.seed, "email_draft", c.gid, c.created_s),
            f"{c.name} - first send",
            f"Introducing {tenant.product}",
            f"marketing@demo.{tenant.slug}.test",
            None,
            Json(["all_subscribers"]),
            "draft",
            utc(c.start_day * DAY + 9 * 3600),
            None,
            None,
            None,
            {"demo": True, "user_id": tenant.id, "campaign_id": c.id},
            utc(c.created_s),
            utc(c.created_s),
        )


def contacts(spec: DemoSpec, tenants: list[Tenant]) -> Iterator[tuple]:
    lo, hi = spec.preset.contacts
    companies = [f"{w} {s}" for w in V.LEAD_COMPANY_WORDS for s in V.LEAD_COMPANY_SUFFIXES]
    statuses = ("subscribed", "unsubscribed", "bounced")
    sources = ("import", "form", "event")
    k = Keyed(spec.seed, "contact")
    for t in tenants:
        rng = user_rng(spec.seed, t.index, 4)
        n = int(rng.integers(lo, hi + 1))
        first, last = rng.integers(0, len(V.FIRST_NAMES), n), rng.integers(0, len(V.LAST_NAMES), n)
        company, source = rng.integers(0, len(companies), n), rng.integers(0, len(sources), n)
        status = rng.choice(len(statuses), size=n, p=[0.88, 0.09, 0.03])
        tag_a, tag_b, two = (
            rng.integers(0, len(_CONTACT_TAGS), n),
            rng.integers(0, len(_CONTACT_TAGS), n),
            rng.random(n),
        )
        created = (spec.start_day - rng.integers(0, 200, n)) * DAY + rng.integers(0, DAY, n)
        created = np.maximum(created, t.created_s + DAY)
        ids = uuid7_many(created * 1000, k.bits(t.index, np.arange(n)))
        for i in range(n):
            f, la, co = V.FIRST_NAMES[first[i]], V.LAST_NAMES[last[i]], companies[company[i]]
            domain = co.lower().replace(" ", "") + ".example"
            tags = sorted(
                {
                    _CONTACT_TAGS[tag_a[i]],
                    _CONTACT_TAGS[tag_b[i]] if two[i] < 0.5 else _CONTACT_TAGS[tag_a[i]],
                }
            )
            yield (
                ids[i],
                f"{f.lower()}.{la.lower()}.{i}@{domain}",
                f"{f} {la}",
                co,
                tags,
                statuses[status[i]],
                {"demo": True, "user_id": t.id, "source": sources[source[i]]},
                utc(created[i]),
                utc(created[i]),
            )
