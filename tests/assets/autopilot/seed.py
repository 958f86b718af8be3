"""A small hand-made autopilot dataset and the campaign mart built from it.

One autopilot user (A) with six active campaigns, each with constant daily figures in the 28-day history
and in the last 7 days before `as_of`, chosen so each rule fires on exactly one campaign:

  winner         auto   ROAS 8 against ~2.9 for the others      → increase_budget (shift budget in)
  loser          auto   CPA 80 against 18 for the others        → decrease_budget
  silent         auto   30/day spend, no conversion            → pause (no_conversions)
  overspent      auto   ROAS 10 but 1,400 spent of 1,000        → pause (over_budget), never more budget
  fading         manual CTR 0.05 → 0.02                         → refresh_creative (suggestion only)
  manual_silent  manual 20/day spend, no conversion            → pause suggested, not applied

plus a paused campaign (not scored), rows dated `as_of` itself (must be ignored: the day is not over), a
user with an inactive config (B) and one with an active config but no campaign (C). The mart table has
the columns of marts.fct_campaign_performance_daily that the autopilot reads, built here by plain SQL from
public.campaign_metrics; the tests' expected figures come from `CAMPAIGNS`, not from that SQL.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import psycopg

USER_A = "00000000-0000-4000-8000-00000000a001"
USER_B = "00000000-0000-4000-8000-00000000b001"
USER_C = "00000000-0000-4000-8000-00000000c001"
MONTHLY_BUDGET = 3000.0
FIGURES = ("impressions", "clicks", "conversions", "spend", "revenue")


@dataclass(frozen=True)
class SeedCampaign:
    key: str
    auto_managed: bool
    total_budget: float
    budget_allocated: float
    channel: str
    prior: tuple[
        float, float, float, float, float
    ]  # per day: impressions, clicks, conversions, spend, revenue
    recent: tuple[float, float, float, float, float]
    status: str = "active"

    @property
    def id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"aip-test-campaign:{self.key}"))

    def per_day(self, window: str) -> dict[str, float]:
        return dict(zip(FIGURES, self.prior if window == "prior" else self.recent, strict=True))


CAMPAIGNS = [
    SeedCampaign("winner", True, 10000, 600, "google_ads", (2000, 60, 5, 50, 400), (2000, 60, 5, 50, 400)),
    SeedCampaign("loser", True, 10000, 900, "facebook", (2000, 60, 1, 80, 40), (2000, 60, 1, 80, 40)),
    SeedCampaign("silent", True, 10000, 300, "linkedin", (1000, 20, 0, 30, 0), (1000, 20, 0, 30, 0)),
    SeedCampaign("overspent", True, 1000, 400, "google_ads", (1000, 30, 3, 40, 400), (1000, 30, 3, 40, 400)),
    SeedCampaign("fading", False, 10000, 500, "instagram", (2000, 100, 3, 40, 160), (2000, 40, 2, 40, 160)),
    SeedCampaign("manual_silent", False, 10000, 200, "email", (1000, 20, 0, 20, 0), (1000, 20, 0, 20, 0)),
    SeedCampaign(
        "dormant", True, 10000, 100, "email", (1000, 50, 5, 10, 50), (1000, 50, 5, 10, 50), "paused"
    ),
]
BY_KEY = {c.key: c for c in CAMPAIGNS}

# (key, user, first name, score, status): A's qualifying leads are `hot` (score) and `warm` (status)
LEADS = [
    ("hot", USER_A, "Hana", 85, "new"),
    ("warm", USER_A, "Wim", 10, "qualified"),
    ("lost", USER_A, "Lou", 95, "lost"),
    ("cold", USER_A, "Cai", 40, "contacted"),
    ("other_user", USER_B, "Ola", 99, "qualified"),
]


def lead_id(key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"aip-test-lead:{key}"))


MART_SQL = """
create schema if not exists marts;
drop table if exists marts.fct_campaign_performance_daily;
create table marts.fct_campaign_performance_daily as
with pivoted as (
    select
        campaign_id,
        metric_date,
        coalesce(sum(metric_value) filter (where metric_type = 'impressions'), 0) as impressions,
        coalesce(sum(metric_value) filter (where metric_type = 'clicks'), 0) as clicks,
        coalesce(sum(metric_value) filter (where metric_type = 'conversions'), 0) as conversions,
        coalesce(sum(metric_value) filter (where metric_type = 'spend'), 0) as spend,
        coalesce(sum(metric_value) filter (where metric_type = 'revenue'), 0) as revenue
    from public.campaign_metrics
    group by campaign_id, metric_date
)
select
    p.campaign_id,
    p.metric_date,
    c.created_by as user_id,
    coalesce(c.channel, c.type, 'unknown') as channel,
    c.type as campaign_type,
    date_trunc('week', p.metric_date)::date as week_start,
    p.impressions,
    p.clicks,
    p.conversions,
    p.spend,
    p.revenue,
    sum(p.spend) over (partition by p.campaign_id order by p.metric_date) as cumulative_spend,
    c.total_budget
from pivoted as p
join public.campaigns as c on c.id = p.campaign_id;
"""


def build_campaign_mart(conn: psycopg.Connection) -> None:
    conn.execute(MART_SQL)


def seed(conn: psycopg.Connection, as_of: date, history_days: int = 35) -> None:
    """Users, configs, campaigns, leads and `history_days` of daily metrics before `as_of` (+ `as_of` itself)."""
    for user in (USER_A, USER_B, USER_C):
        conn.execute(
            "insert into auth.users (id, email) values (%s, %s)", (user, f"{user[-4:]}@autopilot.test")
        )
    for user, active in ((USER_A, True), (USER_B, False), (USER_C, True)):
        conn.execute(
            "insert into public.marketing_autopilot_config (user_id, business_description, monthly_budget, "
            "is_active) values (%s, 'test business', %s, %s)",
            (user, MONTHLY_BUDGET, active),
        )
    rows = []
    for c in CAMPAIGNS:
        conn.execute(
            "insert into public.campaigns (id, created_by, name, type, channel, status, total_budget, "
            "budget_allocated, auto_managed) values (%s, %s, %s, 'lead_generation', %s, %s, %s, %s, %s)",
            (c.id, USER_A, c.key, c.channel, c.status, c.total_budget, c.budget_allocated, c.auto_managed),
        )
        for back in range(history_days, -1, -1):
            day = as_of - timedelta(days=back)
            if back == 0:  # the run day itself is incomplete: huge figures that must never be counted
                figures = dict.fromkeys(FIGURES, 100000.0)
            else:
                figures = c.per_day("recent" if back <= 7 else "prior")
            rows += [(c.id, name, value, day) for name, value in figures.items()]
    with conn.cursor() as cur:
        cur.executemany(
            "insert into public.campaign_metrics (campaign_id, metric_type, metric_value, metric_date) "
            "values (%s, %s, %s, %s)",
            rows,
        )
        cur.executemany(
            "insert into public.leads (id, created_by, first_name, last_name, email, source, lead_score, status) "
            "values (%s, %s, %s, 'Tester', %s, 'website', %s, %s)",
            [
                (lead_id(k), user, name, f"{k}@lead.test", score, status)
                for k, user, name, score, status in LEADS
            ],
        )
    build_campaign_mart(conn)
