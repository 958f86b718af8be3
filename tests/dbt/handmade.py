"""A small hand-made marketing dataset (its expected mart figures are computed in `expected`).

Two users: A (with an autopilot config) runs an e-mail campaign (budget 100, overspent by day 7), a search
campaign (a day without impressions, a day without spend) and a draft; B runs one social campaign. Metrics
cover the previous ISO week and the Monday of the current one (so the dashboard's "this week" has data),
including a metric type split over two rows, an unknown metric type and metrics of two e-mail sends. A's
leads walk the funnel in every way the lifecycle model handles (skipped stage, lost, unattributed
conversion, touch after conversion); B has one converted lead touched twice by the same campaign. Social
counters include a post recorded twice (the later count wins).

Nothing here uses the models' SQL: expected figures are plain Python over the same rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg
from psycopg.types.json import Jsonb

UTC = dt.UTC
TODAY = dt.datetime.now(UTC).date()
W1 = TODAY - dt.timedelta(days=TODAY.weekday())  # Monday of the current ISO week
W0 = W1 - dt.timedelta(days=7)  # Monday of the previous one
DAYS = [W0 + dt.timedelta(days=i) for i in range(8)]  # W0 Monday .. W1 Monday
HALF_LIFE_HOURS = 7 * 24
FUNNEL = ("new", "contacted", "qualified", "converted")


def uid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"aip-warehouse-test:{name}"))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), UTC)


USER_A, USER_B = uid("user-a"), uid("user-b")
CONFIG_A = uid("config-a")


@dataclass(frozen=True)
class Campaign:
    key: str
    user: str
    type: str
    channel: str
    status: str
    budget: Decimal

    @property
    def id(self) -> str:
        return uid(f"campaign-{self.key}")


CAMPAIGNS = [
    Campaign("a_email", USER_A, "email", "email", "active", Decimal("100")),
    Campaign("a_search", USER_A, "lead_generation", "search", "active", Decimal("1000")),
    Campaign("a_draft", USER_A, "brand_awareness", "social", "draft", Decimal("50")),
    Campaign("b_social", USER_B, "social_media", "social", "active", Decimal("300")),
]
C = {c.key: c for c in CAMPAIGNS}
METRICS = (
    "impressions",
    "clicks",
    "conversions",
    "spend",
    "revenue",
    "email_opens",
    "email_clicks",
    "unsubscribes",
)


def daily_values(key: str, d: int) -> dict[str, Decimal] | None:
    """The day's metrics of campaign `key` on DAYS[d] (None: no rows that day)."""
    D = Decimal
    if key == "a_email":
        return {"impressions": D(1000 + 10 * d), "clicks": D(d), "conversions": D(d // 2), "spend": D("15.50"),
                "revenue": D(20 * (d % 3)), "email_opens": D(200 + d), "email_clicks": D(20 + d),
                "unsubscribes": D(d % 2)}  # fmt: skip
    if key == "a_search":
        return {"impressions": D(0 if d == 3 else 5000 + 100 * d), "clicks": D(50 + d), "conversions": D(d % 4),
                "spend": D("0" if d == 5 else f"{40 + d}.25"), "revenue": D(90 * (d % 3))}  # fmt: skip
    if key == "b_social" and 2 <= d <= 4:
        return {"impressions": D(2000), "clicks": D(30 + d), "conversions": D(1), "spend": D("25"),
                "revenue": D("60.10")}  # fmt: skip
    return None


EMAIL_SENDS = {1: uid("send-1"), 3: uid("send-3")}  # day index → send id (a_email)
DRAFT_SEND = uid("send-draft")


def metric_rows() -> list[tuple]:
    """(campaign_id, metric_type, value, date, additional_data) — spend of a_search on day 2 is split in two
    rows (the pivot adds them up) and one row has a metric type no mart knows (ignored)."""
    rows = []
    for c in CAMPAIGNS:
        for d, day in enumerate(DAYS):
            values = daily_values(c.key, d)
            if values is None:
                continue
            extra = {"platform": f"{c.channel}_platform"}
            if c.key == "a_email" and d in EMAIL_SENDS:
                extra["email_campaign_id"] = EMAIL_SENDS[d]
            for metric, value in values.items():
                if c.key == "a_search" and d == 2 and metric == "spend":
                    rows.append((c.id, metric, value - Decimal("10"), day, extra))
                    rows.append((c.id, metric, Decimal("10"), day, extra))
                else:
                    rows.append((c.id, metric, value, day, extra))
    rows.append((C["a_search"].id, "video_views", Decimal(999), DAYS[1], {}))
    return rows


@dataclass
class Lead:
    key: str
    user: str
    source: str
    status: str
    score: int
    created: dt.datetime
    changes: list[tuple[str, str, dt.datetime]] = field(default_factory=list)  # (from, to, when)
    touches: list[tuple[str, dt.datetime]] = field(default_factory=list)  # (campaign key, when)
    updated: dt.datetime | None = None

    @property
    def id(self) -> str:
        return uid(f"lead-{self.key}")


def leads() -> list[Lead]:
    mon, tue, wed, thu, fri = DAYS[:5]
    return [
        Lead("l1", USER_A, "website", "converted", 90, at(mon, 10),
             changes=[("new", "contacted", at(tue, 10)), ("contacted", "qualified", at(wed, 12)),
                      ("qualified", "converted", at(fri, 15))],
             touches=[("a_search", at(mon, 9, 59)), ("a_email", at(thu, 9)), ("a_search", at(fri, 16))]),
        Lead("l2", USER_A, "email", "lost", 10, at(mon, 11),
             changes=[("new", "contacted", at(mon, 15)), ("contacted", "lost", at(thu, 10))],
             touches=[("a_email", at(mon, 10, 58))]),
        Lead("l3", USER_A, "event", "converted", 80, at(tue, 9),
             changes=[("new", "contacted", at(tue, 18)), ("contacted", "qualified", at(wed, 9)),
                      ("qualified", "converted", at(thu, 17))]),
        Lead("l4", USER_A, "website", "new", 5, at(wed, 9), touches=[("a_search", at(wed, 8, 58))]),
        # qualified without any status-change activity: entered at updated_at, contacted backfilled
        Lead("l5", USER_A, "website", "qualified", 60, at(wed, 13), updated=at(fri, 11)),
        Lead("l6", USER_A, "email", "new", 7, at(DAYS[7], 0, 30)),
        Lead("lb1", USER_B, "social", "converted", 75, at(thu, 8),
             changes=[("new", "contacted", at(thu, 12)), ("contacted", "qualified", at(thu, 16)),
                      ("qualified", "converted", at(fri, 9))],
             touches=[("b_social", at(thu, 7, 58)), ("b_social", at(thu, 20))]),
    ]  # fmt: skip


SOCIAL = [  # (post, platform, type, count, recorded at)
    ("p1", "linkedin", "like", 10, at(DAYS[2], 23)),
    ("p1", "linkedin", "like", 15, at(DAYS[3], 23)),  # supersedes the 10
    ("p1", "linkedin", "comment", 3, at(DAYS[2], 23)),
    ("p2", "linkedin", "like", 5, at(DAYS[3], 23)),
    ("p3", "instagram", "share", 2, at(DAYS[2], 23)),
]


def insert(conn: psycopg.Connection) -> None:
    """Write the dataset into a migrated database (autocommit connection)."""
    with conn.transaction():
        for user, email in ((USER_A, "a@warehouse.test"), (USER_B, "b@warehouse.test")):
            conn.execute(
                "insert into auth.users (id, email, created_at) values (%s, %s, %s)", (user, email, at(W0, 0))
            )
        conn.execute(
            "insert into public.marketing_autopilot_config (id, user_id, business_description, monthly_budget) "
            "values (%s, %s, 'test shop', 2000)",
            (CONFIG_A, USER_A),
        )
        for c in CAMPAIGNS:
            conn.execute(
                "insert into public.campaigns (id, created_by, name, type, channel, status, total_budget, "
                "start_date, end_date) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    c.id,
                    c.user,
                    c.key,
                    c.type,
                    c.channel,
                    c.status,
                    c.budget,
                    at(W0, 0),
                    at(W1 + dt.timedelta(30), 0),
                ),
            )
        with conn.cursor() as cur:
            cur.executemany(
                "insert into public.campaign_metrics (campaign_id, metric_type, metric_value, metric_date, "
                "additional_data) values (%s, %s, %s, %s, %s)",
                [(c, m, v, d, Jsonb(x)) for c, m, v, d, x in metric_rows()],
            )
        for day, send in EMAIL_SENDS.items():
            conn.execute(
                "insert into public.email_campaigns (id, name, status, sent_at, open_rate, click_rate) "
                "values (%s, %s, 'sent', %s, 21.5, 2.5)",
                (send, f"send {day}", at(DAYS[day], 10)),
            )
        conn.execute(
            "insert into public.email_campaigns (id, name, status) values (%s, 'draft', 'draft')",
            (DRAFT_SEND,),
        )
        for lead in leads():
            last_change = lead.changes[-1][2] if lead.changes else lead.created
            conn.execute(
                "insert into public.leads (id, email, source, status, lead_score, created_by, created_at, updated_at) "
                "values (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    lead.id,
                    f"{lead.key}@lead.test",
                    lead.source,
                    lead.status,
                    lead.score,
                    lead.user,
                    lead.created,
                    lead.updated or last_change,
                ),
            )
            for before, after, when in lead.changes:
                data = {"status_from": before, "status_to": after, "touch": False}
                conn.execute(
                    "insert into public.lead_activities (lead_id, activity_type, activity_data, occurred_at, created_by) "
                    "values (%s, 'call_scheduled', %s, %s, %s)",
                    (lead.id, Jsonb(data), when, lead.user),
                )
            for key, when in lead.touches:
                data = {"campaign_id": C[key].id, "channel": C[key].channel, "touch": True}
                conn.execute(
                    "insert into public.lead_activities (lead_id, activity_type, activity_data, occurred_at, created_by) "
                    "values (%s, 'form_filled', %s, %s, %s)",
                    (lead.id, Jsonb(data), when, lead.user),
                )
        for post, platform, kind, count, when in SOCIAL:
            conn.execute(
                "insert into public.social_engagement (post_id, platform, engagement_type, engagement_count, "
                "recorded_at) values (%s, %s, %s, %s, %s)",
                (post, platform, kind, count, when),
            )
