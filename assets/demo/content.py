"""Social posts and their engagement, generated content and the content calendar."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from assets.demo import profiles as P
from assets.demo.copytext import dates, format_rows, ints, lines, lookup, timestamps
from assets.demo.keyed_random import Keyed, user_rng, uuid7_many, uuid7_text
from assets.demo.tenants import DAY, DemoSpec, Tenant, day_date, make_id, utc

SOCIAL_COLUMNS = ("id", "post_id", "platform", "engagement_type", "engagement_count", "recorded_at")
GENERATED_COLUMNS = ("id", "content", "platform", "status", "metadata", "created_at")
CALENDAR_COLUMNS = (
    "id",
    "created_by",
    "title",
    "description",
    "content_type",
    "platform",
    "scheduled_date",
    "status",
    "content_data",
    "metadata",
    "created_at",
    "updated_at",
)
POST_WEEKDAYS = (0, 2, 4)  # social campaigns post on Monday, Wednesday and Friday
_NETWORKS = {"meta_ads": ("instagram", "facebook"), "linkedin_ads": ("linkedin",), "tiktok_ads": ("tiktok",)}
# engagements per impression of the posting day
_ENGAGEMENT = (("like", 0.012), ("comment", 0.0015), ("share", 0.0009))
_POSTS = (
    "{product} helps teams like yours save hours every week. See how {company} customers do it. #marketing",
    "New guide: five ways to make every campaign dollar count with {product}. Link in bio.",
    "Behind the scenes at {company}: how we plan a launch in two weeks. #growth",
    "Customer story: from 20 to 200 qualified leads a month with {product}.",
    "Quick tip: test one variable at a time. Your future self will thank you. #abtesting",
    "Join our live session this Thursday and ask the {company} team anything.",
)
_CALENDAR = {
    "blog": (
        "website",
        (
            "How to plan a {quarter} campaign",
            "Five metrics that matter for {product}",
            "Case study: a year with {company}",
        ),
    ),
    "video": ("youtube", ("{product} in 60 seconds", "Customer interview series", "Product walkthrough")),
    "infographic": ("pinterest", ("The state of {industry} marketing", "Funnel benchmarks at a glance")),
    "social": ("linkedin", ("Weekly tip thread", "Team spotlight", "Launch teaser")),
    "email": ("email", ("Monthly newsletter", "Product update digest", "Event invitation")),
}


_NETWORK_NAMES = ("instagram", "facebook", "linkedin", "tiktok")
_ENGAGEMENT_TYPES = tuple(kind for kind, _ in _ENGAGEMENT)


@dataclass
class Posts:
    """The social posts of one chunk: a posting weekday on which a social campaign delivered."""

    rows: np.ndarray  # rows of the chunk's CampaignDays
    campaign: np.ndarray
    day: np.ndarray
    network: np.ndarray  # index into _NETWORK_NAMES
    post_ids: list  # S-array parts of the post id


def posts(sim: object, window: object) -> Posts:
    d = sim.days
    social = P.CHANNEL_NAMES.index("social")
    posting = np.isin(P.weekday(d.day), POST_WEEKDAYS) & (sim.table.channel_code[d.campaign] == social)
    rows = np.nonzero(posting & (d.day > window.since) & (d.day <= window.through))[0]
    campaign, day = d.campaign[rows], d.day[rows]
    choices = [
        [_NETWORK_NAMES.index(n) for n in _NETWORKS.get(c.platform, ("linkedin",))]
        for c in sim.table.campaigns
    ]
    width = max((len(c) for c in choices), default=1)
    table = np.array([(c * width)[:width] for c in choices], dtype=np.int64).reshape(-1, width)
    network = table[campaign, (sim.table.gid[campaign] + day) % np.array([len(c) for c in choices])[campaign]]
    ymd = _as_ymd(dates(day))
    short = sim.table.ids[campaign].astype("S8")
    return Posts(
        rows, campaign, day, network, [b"demo-", lookup(_NETWORK_NAMES, network), b"-", short, b"-", ymd]
    )


def _as_ymd(iso: np.ndarray) -> np.ndarray:
    raw = iso.view(np.uint8).reshape(len(iso), 10)
    return np.ascontiguousarray(raw[:, [0, 1, 2, 3, 5, 6, 8, 9]]).view("S8").ravel()


def social_engagement(spec: DemoSpec, sims: Iterable, window: object) -> Iterator[tuple[bytes, int]]:
    k = Keyed(spec.seed, "social")
    for sim in sims:
        p = posts(sim, window)
        n = len(p.rows)
        kind = np.repeat(np.arange(len(_ENGAGEMENT))[None, :], n, axis=0).ravel()
        post = np.repeat(np.arange(n), len(_ENGAGEMENT))
        gid, day = sim.table.gid[p.campaign][post], p.day[post]
        rate = np.array([r for _, r in _ENGAGEMENT])[kind]
        count = (sim.days.impressions[p.rows][post] * rate * np.exp(0.3 * k.normal(gid, day, kind))).astype(
            np.int64
        )
        recorded = day * DAY + 23 * 3600
        ids = uuid7_text(recorded * 1000 + kind, k.bits(gid, day, kind + 10))
        post_id = [part[post] if isinstance(part, np.ndarray) else part for part in p.post_ids]
        columns = [ids, post_id, lookup(_NETWORK_NAMES, p.network[post]), lookup(_ENGAGEMENT_TYPES, kind)]
        yield from lines(len(post), [*columns, ints(count), timestamps(recorded)])


def generated_content(spec: DemoSpec, sims: Iterable, window: object) -> Iterator[tuple[bytes, int]]:
    k = Keyed(spec.seed, "generated_content")
    sims = list(sims)
    for sim in sims:
        p = posts(sim, window)
        by_index = {t.index: t for t in sim.tenants}
        texts = [
            template.format(product=by_index[c.user_index].product, company=by_index[c.user_index].company)
            for c in sim.table.campaigns
            for template in _POSTS
        ]
        gid = sim.table.gid[p.campaign]
        text_code = p.campaign * len(_POSTS) + (gid * 7 + p.day) % len(_POSTS)
        created = p.day * DAY + 8 * 3600
        metadata = [
            b'{"campaign_id": "',
            sim.table.ids[p.campaign],
            b'", "demo": true, "post_id": "',
            *p.post_ids,
            b'", "user_id": "',
            sim.table.user_ids[p.campaign],
            b'"}',
        ]
        ids = uuid7_text(created * 1000, k.bits(gid, p.day))
        texts_column = lookup(texts, text_code)
        yield from lines(len(p.rows), [ids, texts_column, lookup(_NETWORK_NAMES, p.network), b"posted", metadata,
                                       timestamps(created)])  # fmt: skip
    if window.is_initial(spec):
        drafts = []
        for sim in sims:
            for c in sim.table.campaigns:
                if c.status == "draft" and c.channel == "social":
                    tenant = next(t for t in sim.tenants if t.index == c.user_index)
                    text = f"Coming soon: {c.name}. Stay tuned, {tenant.company} fans."
                    drafts.append(
                        (
                            make_id(spec.seed, "generated_draft", c.gid, c.created_s),
                            text,
                            "linkedin",
                            "draft",
                            {"campaign_id": c.id, "demo": True, "user_id": tenant.id},
                            utc(c.created_s),
                        )
                    )
        if drafts:
            yield format_rows(drafts), len(drafts)


def calendar(spec: DemoSpec, tenants: list[Tenant]) -> Iterator[tuple]:
    """A post every two to five days from the start of the window to a month after `as_of`."""
    types = list(_CALENDAR)
    k = Keyed(spec.seed, "calendar")
    for t in tenants:
        rng = user_rng(spec.seed, t.index, 5)
        gaps = rng.integers(2, 6, size=(spec.days + 31) // 2 + 1)
        days = spec.start_day + int(rng.integers(0, 4)) + np.concatenate([[0], np.cumsum(gaps)[:-1]])
        days = days[days <= spec.as_of_day + 30]
        n = len(days)
        ctype, pick, u = rng.integers(0, len(types), n), rng.random(n), rng.random(n)
        lead, words, assets = rng.integers(5, 21, n), rng.integers(400, 2200, n), rng.integers(1, 5, n)
        scheduled = days * DAY + 10 * 3600
        created = np.maximum(
            np.minimum(scheduled - lead * DAY, (spec.as_of_day - 1) * DAY + 9 * 3600), t.created_s + DAY
        )
        ids = uuid7_many(created * 1000, k.bits(t.index, np.arange(n)))
        for i in range(n):
            day, kind = int(days[i]), types[ctype[i]]
            platform, titles = _CALENDAR[kind]
            date = day_date(day)
            title = titles[int(pick[i] * len(titles))].format(
                quarter=f"Q{(date.month - 1) // 3 + 1}",
                product=t.product,
                company=t.company,
                industry=t.industry,
            )
            if day <= spec.as_of_day:
                status = "archived" if u[i] < 0.1 else "published"
            else:
                status = "scheduled" if u[i] < 0.7 else "draft"
            data = {"word_count": int(words[i])} if kind == "blog" else {"assets": int(assets[i])}
            yield (
                ids[i],
                t.id,
                f"{title} ({date:%b %d})",
                f"{kind.capitalize()} for {t.company}: {title}.",
                kind,
                platform,
                utc(scheduled[i]),
                status,
                data,
                {"demo": True},
                utc(created[i]),
                utc(scheduled[i] if day <= spec.as_of_day else created[i]),
            )
