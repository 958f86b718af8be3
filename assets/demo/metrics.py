"""Daily delivery of every campaign, vectorised over campaign-days.

Spend is paced from the campaign's budget with weekday and yearly seasonality, a ramp-up while the
campaign learns, and log-normal noise; cumulative spend is capped at the total budget (in whole cents, so
the stored figures can never add up to more) and a campaign that has spent its budget stops delivering.
Impressions, clicks and conversions follow from spend through the channel's CPC, CTR and CVR, scaled by
the campaign's quality and a slow trend; e-mail campaigns deliver to their list on send days instead.
Every random number is keyed by (campaign, day), so the history up to day d never depends on how far
beyond d the simulation runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assets.demo import profiles as P
from assets.demo.copytext import Batch, Choice, dates, ints, lines, lookup, money, timestamps
from assets.demo.keyed_random import Keyed, uuid7_text, uuid_text
from assets.demo.tenants import Campaign, Tenant

_WEEKDAY = np.array([P.CHANNELS[c].weekday_factors for c in P.CHANNEL_NAMES])  # (channel, weekday)
_CPC = np.array([P.CHANNELS[c].cpc for c in P.CHANNEL_NAMES])
_CTR = np.array([P.CHANNELS[c].ctr for c in P.CHANNEL_NAMES])
_CVR = np.array([P.CHANNELS[c].cvr for c in P.CHANNEL_NAMES])
_FATIGUE = np.array([P.CHANNELS[c].fatigue for c in P.CHANNEL_NAMES])
_AOV = np.array([P.KINDS[t].order_value for t in P.CAMPAIGN_TYPES])
_EMAIL = P.CHANNELS["email"]
_EMAIL_ONLY = {"email_opens", "email_clicks", "unsubscribes"}
_MONEY = (P.METRIC_TYPES.index("spend"), P.METRIC_TYPES.index("revenue"))
METRIC_COLUMNS = (
    "id",
    "campaign_id",
    "metric_type",
    "metric_value",
    "metric_date",
    "additional_data",
    "created_at",
)
SEND_FAILURE_RATE = 0.02
DAY = 86400


@dataclass
class CampaignTable:
    """Campaigns of one chunk of users as arrays (row i = campaigns[i])."""

    campaigns: list[Campaign]
    gid: np.ndarray
    type_code: np.ndarray
    channel_code: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    budget_cents: np.ndarray
    daily_cents: np.ndarray
    list_size: np.ndarray
    quality: np.ndarray
    trend: np.ndarray
    ids: np.ndarray  # S36 text of campaign ids
    user_pos: np.ndarray  # position of the campaign's tenant in the chunk
    user_ids: np.ndarray  # S36 text of the tenant's user id

    @classmethod
    def of(cls, tenants: list[Tenant]) -> CampaignTable:
        campaigns = [c for t in tenants for c in t.campaigns]
        positions = {t.index: pos for pos, t in enumerate(tenants)}

        def arr(attr: str, dtype: type) -> np.ndarray:
            return np.array([getattr(c, attr) for c in campaigns], dtype=dtype)

        ids = np.array([c.id.int for c in campaigns], dtype=object)
        hi = np.array([int(i >> 64) for i in ids], dtype=np.uint64)
        lo = np.array([int(i & ((1 << 64) - 1)) for i in ids], dtype=np.uint64)
        return cls(
            campaigns=campaigns,
            gid=arr("gid", np.int64),
            type_code=np.array([P.CAMPAIGN_TYPES.index(c.type) for c in campaigns], dtype=np.int64),
            channel_code=np.array([P.CHANNEL_NAMES.index(c.channel) for c in campaigns], dtype=np.int64),
            start=arr("start_day", np.int64),
            stop=arr("stop_day", np.int64),
            budget_cents=arr("budget_cents", np.int64),
            daily_cents=arr("daily_cents", np.float64),
            list_size=arr("list_size", np.int64),
            quality=arr("quality", np.float64),
            trend=arr("trend", np.float64),
            ids=uuid_text(hi, lo) if campaigns else np.array([], dtype="S36"),
            user_pos=np.array([positions[c.user_index] for c in campaigns], dtype=np.int64),
            user_ids=np.array(
                [str(tenants[positions[c.user_index]].id).encode() for c in campaigns], dtype="S36"
            ),
        )


@dataclass
class CampaignDays:
    """One row per campaign and day of delivery (all days up to `through`)."""

    campaign: np.ndarray  # index into the CampaignTable
    day: np.ndarray
    spend_cents: np.ndarray
    impressions: np.ndarray
    clicks: np.ndarray
    conversions: np.ndarray
    revenue_cents: np.ndarray
    email_opens: np.ndarray
    email_clicks: np.ndarray
    unsubscribes: np.ndarray
    send_failed: np.ndarray  # e-mail send days whose send failed (nothing delivered)
    is_send_day: np.ndarray

    def spent_cents(self, n_campaigns: int) -> np.ndarray:
        return np.bincount(self.campaign, weights=self.spend_cents, minlength=n_campaigns).astype(np.int64)

    def last_day(self, n_campaigns: int) -> np.ndarray:
        last = np.full(n_campaigns, -1, dtype=np.int64)
        np.maximum.at(last, self.campaign, self.day)
        return last


def _round(values: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Stochastic rounding: unbiased integers from expected values."""
    return np.floor(np.maximum(values, 0.0) + u).astype(np.int64)


def _noise(keyed: Keyed, sigma: float, *keys: object) -> np.ndarray:
    return np.exp(sigma * keyed.normal(*keys) - sigma * sigma / 2)


def simulate(seed: int, table: CampaignTable, through: int) -> CampaignDays:
    last = np.minimum(table.stop, through)
    length = np.maximum(last - table.start + 1, 0)
    idx = np.repeat(np.arange(len(length)), length)
    first_row = np.cumsum(length) - length
    age = np.arange(len(idx)) - np.repeat(first_row, length)
    day = table.start[idx] + age
    gid = table.gid[idx]
    channel = table.channel_code[idx]
    email = channel == P.EMAIL
    k = Keyed(seed, "campaign_days")

    wd = _WEEKDAY[channel, P.weekday(day)]
    season = P.yearly_season(day)
    ramp = 1.0 - 0.45 * np.exp(-age / 4.0)
    spend = table.daily_cents[idx] * wd * season * ramp * _noise(k, 0.16, gid, day, 1)
    send = email & (wd > 0)
    failed = send & (k.uniform(gid, day, 2) < SEND_FAILURE_RATE)
    growth = (1 + 0.0006 * age) * (0.96 + 0.03 * k.uniform(gid, day, 3))  # list growth, bounces
    delivered = np.where(send & ~failed, table.list_size[idx] * growth, 0.0)
    delivered = np.floor(delivered)
    spend = np.where(
        email, delivered * _EMAIL.cpm / 10.0, spend
    )  # USD per 1,000 e-mails: cents = n * cpm / 10
    spend_cents = np.floor(spend).astype(np.int64)

    # cap cumulative spend at the budget; days after the budget is gone are not delivered at all
    running = np.cumsum(spend_cents)
    before = (
        running - spend_cents - np.repeat((running - spend_cents)[first_row[length > 0]], length[length > 0])
    )
    budget = table.budget_cents[idx]
    keep = before < budget
    capped = np.minimum(spend_cents, budget - before)
    share = np.where(spend_cents > 0, capped / np.maximum(spend_cents, 1), 1.0)

    # a slow drift (bounded: a long campaign does not double its CTR) and creative fatigue (refreshes keep
    # it from wearing out completely)
    drift = np.exp(np.clip(table.trend[idx] * age, -0.35, 0.35))
    efficiency = table.quality[idx] * drift * np.maximum((1 - _FATIGUE[channel]) ** age, 0.65)
    clicks_paid = capped / 100.0 / (np.where(email, 1.0, _CPC[channel]) * _noise(k, 0.10, gid, day, 4))
    ctr = np.minimum(_CTR[channel] * efficiency * _noise(k, 0.12, gid, day, 5), 0.5)
    impressions = _round(
        np.where(email, delivered * share, clicks_paid / np.maximum(ctr, 1e-9)), k.uniform(gid, day, 6)
    )
    opens = _round(
        impressions * _EMAIL.open_rate * table.quality[idx] ** 0.5 * _noise(k, 0.08, gid, day, 7),
        k.uniform(gid, day, 8),
    )
    opens = np.where(email, np.minimum(opens, impressions), 0)
    email_clicks = np.where(
        email, _round(opens * _EMAIL.click_to_open * _noise(k, 0.15, gid, day, 9), k.uniform(gid, day, 10)), 0
    )
    email_clicks = np.minimum(email_clicks, opens)
    clicks = np.where(
        email, email_clicks, np.minimum(_round(clicks_paid, k.uniform(gid, day, 11)), impressions)
    )
    cvr = _CVR[channel] * table.quality[idx] ** 0.5 * drift * season
    conversions = np.minimum(
        _round(clicks * cvr * _noise(k, 0.25, gid, day, 12), k.uniform(gid, day, 13)), clicks
    )
    revenue = conversions * _AOV[table.type_code[idx]] * 100 * _noise(k, 0.30, gid, day, 14)
    unsubscribes = np.where(
        email,
        _round(impressions * _EMAIL.unsubscribe_rate * _noise(k, 0.3, gid, day, 15), k.uniform(gid, day, 16)),
        0,
    )
    return CampaignDays(
        campaign=idx[keep],
        day=day[keep],
        spend_cents=capped[keep],
        impressions=impressions[keep],
        clicks=clicks[keep],
        conversions=conversions[keep],
        revenue_cents=np.floor(revenue[keep]).astype(np.int64),
        email_opens=opens[keep],
        email_clicks=email_clicks[keep],
        unsubscribes=unsubscribes[keep],
        send_failed=failed[keep],
        is_send_day=send[keep],
    )


def blast_ids(seed: int, gid: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Ids (S36) of the e-mail sends (`email_campaigns` rows) of e-mail campaigns on their send days."""
    return uuid7_text(
        (np.asarray(day, dtype=np.int64) * 86400 + 9 * 3600) * 1000, Keyed(seed, "email_blast").bits(gid, day)
    )


def metric_rows(seed: int, table: CampaignTable, days: CampaignDays, since: int) -> list[Batch]:
    sel = np.nonzero(days.day > since)[0]
    email = table.channel_code[days.campaign[sel]] == P.EMAIL
    values = np.stack(
        [
            days.impressions,
            days.clicks,
            days.conversions,
            days.spend_cents,
            days.revenue_cents,
            days.email_opens,
            days.email_clicks,
            days.unsubscribes,
        ]
    )[:, sel]
    applies = np.array([[m not in _EMAIL_ONLY] for m in P.METRIC_TYPES]) | email[None, :]
    metric, row = np.nonzero(applies)
    value = values[metric, row]
    cd = sel[row]
    day, campaign = days.day[cd], days.campaign[cd]
    order = np.lexsort((metric, campaign, day))
    metric, cd, day, campaign, value = metric[order], cd[order], day[order], campaign[order], value[order]
    n = len(order)
    gid = table.gid[campaign]
    h = Keyed(seed, "metric_id").bits(gid, day, metric)
    ids = uuid7_text(day * DAY * 1000 + (h % np.uint64(DAY * 1000)).astype(np.int64), h)
    is_money = np.isin(metric, _MONEY)
    send = days.is_send_day[cd]
    platforms = [c.platform for c in table.campaigns]
    whole, dot, cents = money(value)
    return lines(
        n,
        [
            ids,
            table.ids[campaign],
            lookup(P.METRIC_TYPES, metric),
            Choice((((ints(value),), ~is_money), ((whole, dot, cents), is_money))),
            dates(day),
            [
                b"{",
                (b'"email_campaign_id": "', send),
                (blast_ids(seed, gid, day), send),
                (b'", ', send),
                b'"platform": "',
                lookup(platforms, campaign),
                b'"}',
            ],
            timestamps(day * DAY + DAY - 60),
        ],
    )
