"""How the demo business behaves: channel rates, campaign-type mixes, seasonality and scale presets.

The figures are typical public benchmarks for B2B/B2C digital marketing (CTR, CPC, conversion rates by
channel, e-mail open and click-to-open rates); they make the marts look plausible, they are not a claim
about any real account.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CAMPAIGN_TYPES = ("lead_generation", "brand_awareness", "product_launch", "email", "social_media", "custom")
CAMPAIGN_STATUSES = ("draft", "active", "paused", "completed")
LEAD_STATUSES = ("new", "contacted", "qualified", "converted", "lost")
METRIC_TYPES = (
    "impressions",
    "clicks",
    "conversions",
    "spend",
    "revenue",
    "email_opens",
    "email_clicks",
    "unsubscribes",
)
ACTIVITY_TYPES = ("form_filled", "email_opened", "email_clicked", "call_scheduled")


@dataclass(frozen=True)
class Channel:
    name: str
    platforms: tuple[str, ...]  # recorded per metric row in additional_data.platform
    cpc: float  # cost per click (e-mail: cost per 1,000 deliveries is `cpm`)
    ctr: float  # clicks per impression
    cvr: float  # conversions per click
    weekday: tuple[float, ...]  # Monday..Sunday delivery factors (normalised to mean 1)
    lead_source: str  # leads.source of leads captured on this channel
    fatigue: float  # daily relative decay of CTR (creative fatigue)
    open_rate: float = 0.0  # e-mail only: opens per delivered e-mail
    click_to_open: float = 0.0  # e-mail only: clicks per open
    unsubscribe_rate: float = 0.0  # e-mail only: unsubscribes per delivered e-mail
    cpm: float = 0.0  # e-mail only: cost per 1,000 deliveries

    @property
    def weekday_factors(self) -> np.ndarray:
        w = np.array(self.weekday, dtype=np.float64)
        return w / w.mean()


CHANNELS: dict[str, Channel] = {
    c.name: c
    for c in (
        Channel("search", ("google_ads", "microsoft_ads"), 2.60, 0.035, 0.045,
                (1.10, 1.12, 1.10, 1.06, 0.96, 0.66, 0.62), "website", 0.0005),
        Channel("social", ("meta_ads", "linkedin_ads", "tiktok_ads"), 1.15, 0.011, 0.022,
                (0.96, 0.98, 1.00, 1.00, 1.02, 1.06, 1.04), "social", 0.0025),
        Channel("display", ("google_display", "programmatic"), 0.75, 0.0045, 0.009,
                (1.04, 1.05, 1.04, 1.02, 0.98, 0.82, 0.80), "website", 0.0015),
        Channel("email", ("hubspot_email", "mailchimp"), 0.0, 0.0, 0.06,
                (0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0), "email", 0.0,
                open_rate=0.24, click_to_open=0.13, unsubscribe_rate=0.0018, cpm=6.0),
        Channel("content", ("wordpress", "medium"), 0.55, 0.021, 0.030,
                (1.06, 1.08, 1.07, 1.04, 0.95, 0.80, 0.78), "website", 0.0003),
        Channel("events", ("eventbrite", "zoom_webinars"), 3.40, 0.016, 0.080,
                (1.08, 1.10, 1.10, 1.08, 0.94, 0.60, 0.58), "event", 0.0008),
    )
}  # fmt: skip
CHANNEL_NAMES = tuple(CHANNELS)
EMAIL = CHANNEL_NAMES.index("email")


@dataclass(frozen=True)
class CampaignKind:
    channel_mix: dict[str, float]  # probability of each main channel
    budget_median: float  # total budget, USD (log-normal around it)
    order_value: float  # revenue per conversion, USD
    lead_share: float  # leads captured per conversion
    duration: tuple[int, int]  # planned duration in days
    objective: str


KINDS: dict[str, CampaignKind] = {
    "lead_generation": CampaignKind({"search": 0.45, "social": 0.35, "content": 0.20}, 12000, 180, 0.20,
                                    (30, 120), "Generate qualified pipeline"),
    "brand_awareness": CampaignKind({"display": 0.50, "social": 0.40, "content": 0.10}, 9000, 60, 0.06,
                                    (30, 150), "Grow brand reach and recall"),
    "product_launch": CampaignKind({"search": 0.35, "social": 0.35, "display": 0.15, "events": 0.15}, 18000,
                                   240, 0.12, (21, 75), "Drive adoption of the new release"),
    "email": CampaignKind({"email": 1.0}, 2500, 95, 0.12, (30, 150), "Nurture and re-engage contacts"),
    "social_media": CampaignKind({"social": 1.0}, 6000, 70, 0.11, (30, 120), "Build an engaged community"),
    "custom": CampaignKind({"events": 0.50, "content": 0.30, "search": 0.20}, 8000, 150, 0.15, (14, 90),
                           "Partner and event pipeline"),
}  # fmt: skip

# status mix of the campaigns beyond the one-of-each every user gets
STATUS_WEIGHTS = {"active": 0.42, "completed": 0.36, "paused": 0.12, "draft": 0.10}

# lead journey: probabilities and delays (days) of each transition
P_CONTACTED = 0.82
P_QUALIFIED = {
    "search": 0.46,
    "social": 0.34,
    "display": 0.30,
    "email": 0.40,
    "content": 0.38,
    "events": 0.55,
}
P_CONVERTED = 0.46  # of qualified
P_LOST_AFTER_QUALIFIED = 0.40  # of qualified (the rest stay qualified)
P_LOST_AFTER_CONTACTED = 0.45  # of contacted but never qualified (the rest stay contacted)
DELAY_CONTACTED = (0.1, 1.5)  # minimum, mean of the exponential part
DELAY_QUALIFIED = (1.0, 4.0)
DELAY_FINAL = (2.0, 9.0)
DELAY_LOST_UNQUALIFIED = (3.0, 12.0)
TOUCHES_PER_LEAD = (0.30, 0.35, 0.25, 0.10)  # probability of 0, 1, 2, 3 nurture touches
TOUCH_GAP_DAYS = 3.0


def yearly_season(days: np.ndarray) -> np.ndarray:
    """Demand over the year: peak in mid-November (year-end buying), trough in mid-May."""
    doy = (np.asarray(days, dtype=np.float64) - 10957.0) % 365.2425  # 10957 = 2000-01-01
    return 1.0 + 0.10 * np.cos(2.0 * np.pi * (doy - 320.0) / 365.2425)


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday=0 … Sunday=6 for days since 1970-01-01 (a Thursday)."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


@dataclass(frozen=True)
class Scale:
    users: int
    days: int
    campaigns: tuple[int, int]  # campaigns per user, inclusive range
    contacts: tuple[int, int]  # e-mail contacts per user
    conversations: tuple[int, int]
    chunk_users: int  # users generated together (bounds memory of the long tables)


SCALES: dict[str, Scale] = {
    "small": Scale(users=5, days=90, campaigns=(10, 13), contacts=(40, 80), conversations=(2, 4), chunk_users=8),
    "large": Scale(users=1000, days=365, campaigns=(9, 12), contacts=(30, 60), conversations=(1, 3),
                   chunk_users=40),
}  # fmt: skip
MIN_DAYS = 21  # completed, paused and active campaigns all need room inside the window
