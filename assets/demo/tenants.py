"""The tenants of the demo business: users (one company each) and their campaigns.

Each user's structural choices come from a PCG64 generator seeded with (seed, user index), so user #7 is
the same business whether 5 or 1,000 users are generated. Campaign dates are anchored on `as_of`, never on
the wall clock.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import numpy as np

from assets.demo import profiles as P
from assets.demo import vocabulary as V
from assets.demo.keyed_random import Keyed, user_rng, uuid7_ints

DAY = 86400
EPOCH = dt.date(1970, 1, 1)


def day_number(value: dt.date) -> int:
    return (value - EPOCH).days


def day_date(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def utc(seconds: int | float) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(seconds), tz=dt.UTC)


@dataclass(frozen=True)
class DemoSpec:
    """What to generate: `days` days of activity ending on `as_of` (inclusive) for `users` users."""

    seed: int
    users: int
    days: int
    as_of: dt.date
    scale: str = "small"

    def __post_init__(self) -> None:
        if self.users < 1:
            raise ValueError("--users must be at least 1")
        if self.days < P.MIN_DAYS:
            raise ValueError(f"--days must be at least {P.MIN_DAYS} (campaigns need room to start and end)")
        if self.scale not in P.SCALES:
            raise ValueError(f"--scale must be one of {', '.join(P.SCALES)}, got {self.scale!r}")
        if not 0 <= self.seed < 2**63:
            raise ValueError("--seed must be between 0 and 2**63-1")

    @property
    def as_of_day(self) -> int:
        return day_number(self.as_of)

    @property
    def start_day(self) -> int:
        return self.as_of_day - self.days + 1

    @property
    def preset(self) -> P.Scale:
        return P.SCALES[self.scale]


def make_id(seed: int, stream: str, key: int, seconds: int) -> uuid.UUID:
    """Deterministic time-ordered id of one entity."""
    hi, lo = uuid7_ints(np.int64(seconds) * 1000, Keyed(seed, stream).bits(key))
    return uuid.UUID(int=(int(hi[0]) << 64) | int(lo[0]))


@dataclass
class Campaign:
    gid: int  # global key: user index * 64 + position
    user_index: int
    id: uuid.UUID
    name: str
    type: str
    status: str
    channel: str
    platform: str
    start_day: int
    end_day: int
    stop_day: int  # last day the campaign may deliver (paused: the pause day; draft: -1, never)
    budget_cents: int
    daily_cents: float  # planned spend per day before seasonality and noise
    list_size: int  # e-mail campaigns: contacts per send
    quality: float  # multiplies CTR and CVR (creative and targeting quality)
    trend: float  # daily relative drift of efficiency
    auto_managed: bool
    created_s: int
    audience: str


@dataclass
class Tenant:
    index: int
    id: uuid.UUID
    first_name: str
    last_name: str
    email: str
    company: str
    slug: str
    industry: str
    product: str
    created_s: int
    autopilot: bool
    monthly_budget: int
    campaigns: list[Campaign] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _company(seed: int, index: int) -> tuple[str, str, str]:
    combos = len(V.COMPANY_HEADS) * len(V.COMPANY_TAILS)
    order = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0xC0]))).permutation(combos)
    pick = int(order[index % combos])
    head, tail = V.COMPANY_HEADS[pick // len(V.COMPANY_TAILS)], V.COMPANY_TAILS[pick % len(V.COMPANY_TAILS)]
    lap = index // combos
    slug = f"{head}{tail}".lower() + (str(lap + 1) if lap else "")
    kind, industry = V.BUSINESS_KINDS[pick % len(V.BUSINESS_KINDS)]
    return f"{head}{tail} {kind}" + (f" {lap + 1}" if lap else ""), slug, industry


def _dates(rng: np.random.Generator, status: str, kind: P.CampaignKind, first: int, as_of: int) -> tuple:
    lo, hi = kind.duration
    if status == "completed":
        dur = min(int(rng.integers(lo, hi + 1)), as_of - first)
        start = int(rng.integers(first, as_of - dur + 1))
        return start, start + dur - 1, start + dur - 1
    if status == "active":
        start = int(rng.integers(first, as_of - 2))
        end = as_of + int(rng.integers(14, 121))
        return start, end, end
    if status == "paused":
        start = int(rng.integers(first, as_of - 9))
        pause = int(rng.integers(start + 3, as_of - 1))
        return start, as_of + int(rng.integers(7, 91)), pause
    start = as_of + int(rng.integers(5, 46))
    return start, start + int(rng.integers(30, 61)) - 1, -1


def _statuses(rng: np.random.Generator, count: int) -> list[str]:
    names = list(P.STATUS_WEIGHTS)
    weights = np.array(list(P.STATUS_WEIGHTS.values()))
    extra = rng.choice(names, size=count - len(P.CAMPAIGN_STATUSES), p=weights / weights.sum())
    statuses = list(P.CAMPAIGN_STATUSES) + [str(s) for s in extra]
    rng.shuffle(statuses)
    return statuses


def _types(rng: np.random.Generator, count: int) -> list[str]:
    types = list(P.CAMPAIGN_TYPES) + [str(t) for t in rng.choice(P.CAMPAIGN_TYPES, size=count - 6)]
    rng.shuffle(types)
    return types


def build_tenant(spec: DemoSpec, index: int) -> Tenant:
    rng = user_rng(spec.seed, index)
    first, last = str(rng.choice(V.FIRST_NAMES)), str(rng.choice(V.LAST_NAMES))
    company, slug, industry = _company(spec.seed, index)
    created_s = (spec.start_day - int(rng.integers(20, 400))) * DAY + int(rng.integers(8 * 3600, 20 * 3600))
    size = float(rng.lognormal(0.0, 0.45))  # business size: scales budgets
    tenant = Tenant(
        index=index,
        id=make_id(spec.seed, "user", index, created_s),
        first_name=first,
        last_name=last,
        email=f"{first.lower()}.{last.lower()}@demo.{slug}.test",
        company=company,
        slug=slug,
        industry=industry,
        product=str(rng.choice(V.PRODUCTS)),
        created_s=created_s,
        autopilot=bool(rng.random() < 0.6) or index == 0,  # the first account always shows autopilot
        monthly_budget=int(round(float(rng.lognormal(np.log(4000), 0.5)) * size / 100) * 100) + 500,
    )
    lo, hi = spec.preset.campaigns
    count = max(int(rng.integers(lo, hi + 1)), len(P.CAMPAIGN_TYPES))
    names: set[str] = set()
    auto_left = int(rng.integers(1, 4)) if tenant.autopilot else 0
    for pos, (ctype, status) in enumerate(zip(_types(rng, count), _statuses(rng, count), strict=True)):
        tenant.campaigns.append(_campaign(spec, tenant, rng, pos, ctype, status, size, names))
    for campaign in tenant.campaigns:
        if auto_left and campaign.status in ("active", "paused"):
            campaign.auto_managed = True
            auto_left -= 1
    return tenant


def _campaign(
    spec: DemoSpec,
    tenant: Tenant,
    rng: np.random.Generator,
    pos: int,
    ctype: str,
    status: str,
    size: float,
    names: set[str],
) -> Campaign:
    kind = P.KINDS[ctype]
    channels = list(kind.channel_mix)
    channel = str(rng.choice(channels, p=np.array(list(kind.channel_mix.values()))))
    start, end, stop = _dates(rng, status, kind, spec.start_day, spec.as_of_day)
    planned = end - start + 1
    if channel == "email":
        list_size = int(rng.lognormal(np.log(6000), 0.6) * size) + 200
        per_day = list_size * P.CHANNELS["email"].cpm / 1000 * 2 / 7
        budget = int(np.ceil(per_day * planned * rng.uniform(0.95, 1.3) / 50) * 50)
    else:
        list_size = 0
        per_day = kind.budget_median / 60 * float(rng.lognormal(0.0, 0.45)) * size
        budget = int(np.ceil(per_day * planned / 100) * 100)
    base = rng.choice(V.CAMPAIGN_NAMES[ctype]).replace("{product}", tenant.product)
    start_date = day_date(start)
    name = f"{base} Q{(start_date.month - 1) // 3 + 1} {start_date.year}"
    suffix = 2
    while name in names:
        name = f"{base} Q{(start_date.month - 1) // 3 + 1} {start_date.year} #{suffix}"
        suffix += 1
    names.add(name)
    gid = tenant.index * 64 + pos
    if status == "draft":
        created_s = (spec.as_of_day - int(rng.integers(0, 10))) * DAY
    else:
        created_s = (start - int(rng.integers(3, 21))) * DAY
    created_s = max(created_s, tenant.created_s + DAY) + int(rng.integers(8 * 3600, 19 * 3600))
    platforms = P.CHANNELS[channel].platforms
    return Campaign(
        gid=gid,
        user_index=tenant.index,
        id=make_id(spec.seed, "campaign", gid, created_s),
        name=name,
        type=ctype,
        status=status,
        channel=channel,
        platform=str(platforms[int(rng.integers(0, len(platforms)))]),
        start_day=start,
        end_day=end,
        stop_day=stop,
        budget_cents=budget * 100,
        daily_cents=per_day * 100 * float(rng.uniform(0.8, 1.35)),  # some run out of budget early
        list_size=list_size,
        quality=float(rng.lognormal(0.0, 0.25)),
        trend=float(rng.normal(0.0008, 0.0025)),
        auto_managed=False,
        created_s=created_s,
        audience=str(rng.choice(V.AUDIENCES)),
    )


def build_tenants(spec: DemoSpec) -> list[Tenant]:
    return [build_tenant(spec, i) for i in range(spec.users)]
