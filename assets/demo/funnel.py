"""Leads and their journeys new → contacted → qualified → converted / lost, vectorised.

Leads are captured by campaigns: a campaign-day with conversions captures a share of them as leads (a
`form_filled` touch of that campaign). Each lead's whole future is drawn once from keys of the lead
(whether and when it is contacted, qualified, converted or lost, and its nurture touches); what a load
shows is that journey cut at the end of its last day. Each status change is explained by an activity a
little earlier on the same day, so a day-based cut never separates a change from its explanation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assets.demo import profiles as P
from assets.demo.keyed_random import Keyed
from assets.demo.metrics import CampaignDays, CampaignTable

DAY = 86400
NEVER = np.int64(2**62)
MAX_LEADS_PER_CAMPAIGN_DAY = 40
_LEAD_SHARE = np.array([P.KINDS[t].lead_share for t in P.CAMPAIGN_TYPES])
_P_QUALIFIED = np.array([P.P_QUALIFIED[c] for c in P.CHANNEL_NAMES])
# stage codes used in the arrays below (index into LEAD_STATUSES)
NEW, CONTACTED, QUALIFIED, CONVERTED, LOST = range(5)
# activity kinds: what an activity is in the journey (decides its type and activity_data)
CAPTURE, TOUCH, TO_CONTACTED, TO_QUALIFIED, TO_CONVERTED, LOST_AFTER_QUALIFIED, LOST_AFTER_CONTACTED = range(
    7
)


@dataclass
class Leads:
    campaign: np.ndarray  # index into the CampaignTable of the capturing campaign
    day: np.ndarray  # capture day
    ordinal: np.ndarray  # position among the leads of that campaign-day
    key: np.ndarray  # uint64 key of the lead: every random choice about it derives from this
    form_s: np.ndarray  # time the capture form was filled
    created_s: np.ndarray
    stage_s: np.ndarray  # (n, 5) time each stage is reached; NEVER if it never is; column NEW = created_s

    def __len__(self) -> int:
        return len(self.day)

    def status_at(self, end_s: int) -> tuple[np.ndarray, np.ndarray]:
        """Status code and time of the last status change at `end_s` (exclusive)."""
        reached = self.stage_s < end_s
        # stages are reached in order and converted/lost exclude each other: the highest reached wins
        status = np.where(
            reached[:, LOST],
            LOST,
            np.where(
                reached[:, CONVERTED],
                CONVERTED,
                np.where(reached[:, QUALIFIED], QUALIFIED, np.where(reached[:, CONTACTED], CONTACTED, NEW)),
            ),
        )
        changed = np.take_along_axis(self.stage_s, status[:, None], axis=1)[:, 0]
        return status, changed

    def uniform(self, seed: int, purpose: int) -> np.ndarray:
        return Keyed(seed, "lead_attributes").uniform(self.key, purpose)


@dataclass
class Activities:
    lead: np.ndarray  # index into Leads
    kind: np.ndarray
    occurred_s: np.ndarray
    campaign: np.ndarray  # index into the CampaignTable, -1 when not a campaign touch
    ordinal: np.ndarray  # distinguishes the touches of one lead

    def __len__(self) -> int:
        return len(self.lead)


def _business_hours(t: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Move a time into 09:00-19:00 (sales work hours): later the same day, or the next morning."""
    day, tod = np.divmod(t, DAY)
    late = tod > 19 * 3600
    day = day + late
    tod = np.where(late | (tod < 9 * 3600), 9 * 3600 + (u * 10 * 3600).astype(np.int64), tod)
    return day * DAY + tod


def capture(seed: int, table: CampaignTable, days: CampaignDays) -> Leads:
    k = Keyed(seed, "leads")
    gid = table.gid[days.campaign]
    expected = days.conversions * _LEAD_SHARE[table.type_code[days.campaign]]
    count = np.minimum(
        np.floor(expected + k.uniform(gid, days.day)).astype(np.int64), MAX_LEADS_PER_CAMPAIGN_DAY
    )
    row = np.repeat(np.arange(len(count)), count)
    ordinal = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    campaign, day = days.campaign[row], days.day[row]
    key = k.bits(table.gid[campaign], day, ordinal)
    j = Keyed(seed, "journey")
    form_s = day * DAY + 7 * 3600 + (j.uniform(key, 0) * 14.5 * 3600).astype(np.int64)
    created_s = form_s + 20 + (j.uniform(key, 1) * 280).astype(np.int64)

    n = len(key)
    stage = np.full((n, 5), NEVER, dtype=np.int64)
    stage[:, NEW] = created_s
    fate = j.uniform(key, 2)
    contacted = j.uniform(key, 3) < P.P_CONTACTED
    channel = table.channel_code[campaign]
    qualified = contacted & (j.uniform(key, 4) < _P_QUALIFIED[channel])

    def after(t: np.ndarray, delay: tuple[float, float], purpose: int) -> np.ndarray:
        wait = (delay[0] + j.exponential(delay[1], key, purpose)) * DAY
        return _business_hours(t + wait.astype(np.int64), j.uniform(key, purpose + 100))

    t_contacted = after(created_s, P.DELAY_CONTACTED, 5)
    t_qualified = after(t_contacted, P.DELAY_QUALIFIED, 6)
    t_final = after(t_qualified, P.DELAY_FINAL, 7)
    t_lost_early = after(t_contacted, P.DELAY_LOST_UNQUALIFIED, 8)
    stage[:, CONTACTED] = np.where(contacted, t_contacted, NEVER)
    stage[:, QUALIFIED] = np.where(qualified, t_qualified, NEVER)
    converted = qualified & (fate < P.P_CONVERTED)
    lost_late = qualified & ~converted & (fate < P.P_CONVERTED + P.P_LOST_AFTER_QUALIFIED)
    lost_early = contacted & ~qualified & (fate < P.P_LOST_AFTER_CONTACTED)
    stage[:, CONVERTED] = np.where(converted, t_final, NEVER)
    stage[:, LOST] = np.where(lost_late, t_final, np.where(lost_early, t_lost_early, NEVER))
    return Leads(campaign, day, ordinal, key, form_s, created_s, stage)


def _explained(
    leads: Leads, seed: int, stage: int, previous: np.ndarray, kind: object, purpose: int
) -> tuple:
    """Activities explaining the change into `stage`: same day, shortly before it, after the previous one."""
    t = leads.stage_s[:, stage]
    rows = np.nonzero(t < NEVER)[0]
    gap = np.minimum(leads.uniform(seed, purpose)[rows] * 4 * 3600 + 120, (t[rows] - previous[rows]) // 2)
    kinds = kind[rows] if isinstance(kind, np.ndarray) else np.full(len(rows), kind)
    return rows, kinds, t[rows] - gap.astype(np.int64)


def journey_activities(
    seed: int, leads: Leads, table: CampaignTable, last_day: np.ndarray, user: np.ndarray
) -> Activities:
    """Every activity of every lead (uncut). `user` gives each campaign's tenant position in the chunk."""
    parts = [
        (
            np.arange(len(leads)),
            np.full(len(leads), CAPTURE),
            leads.form_s,
            leads.campaign,
            np.zeros(len(leads), dtype=np.int64),
        )
    ]
    s = leads.stage_s
    for stage, previous, kind, purpose in (
        (CONTACTED, s[:, NEW], TO_CONTACTED, 20),
        (QUALIFIED, s[:, CONTACTED], TO_QUALIFIED, 21),
        (CONVERTED, s[:, QUALIFIED], TO_CONVERTED, 22),
        (
            LOST,
            np.where(s[:, QUALIFIED] < NEVER, s[:, QUALIFIED], s[:, CONTACTED]),
            np.where(s[:, QUALIFIED] < NEVER, LOST_AFTER_QUALIFIED, LOST_AFTER_CONTACTED),
            23,
        ),
    ):
        rows, kinds, t = _explained(leads, seed, stage, previous, kind, purpose)
        parts.append((rows, kinds, t, np.full(len(rows), -1), np.zeros(len(rows), dtype=np.int64)))
    parts.append(_touches(seed, leads, table, last_day, user))
    lead, kind, t, campaign, ordinal = (np.concatenate(col) for col in zip(*parts, strict=True))
    order = np.lexsort((kind, lead, t))
    return Activities(lead[order], kind[order], t[order], campaign[order], ordinal[order])


def _touches(seed: int, leads: Leads, table: CampaignTable, last_day: np.ndarray, user: np.ndarray) -> tuple:
    """Nurture touches: campaigns of the lead's tenant that are delivering on the day of the touch."""
    u = leads.uniform(seed, 30)
    cumulative = np.cumsum(P.TOUCHES_PER_LEAD)
    count = np.searchsorted(cumulative, u * cumulative[-1], side="right")
    lead = np.repeat(np.arange(len(leads)), count)
    ordinal = np.arange(len(lead)) - np.repeat(np.cumsum(count) - count, count) + 1
    j = Keyed(seed, "touches")
    key = leads.key[lead]
    gaps = (0.5 + j.exponential(P.TOUCH_GAP_DAYS, key, ordinal)) * DAY
    # touch k comes after touch k-1: add up the gaps of one lead's touches
    total = np.cumsum(gaps)
    has = count > 0
    starts = (np.cumsum(count) - count)[has]
    offset = total - np.repeat((total - gaps)[starts], count[has])
    t = leads.form_s[lead] + offset.astype(np.int64)
    final = np.minimum(leads.stage_s[lead, CONVERTED], leads.stage_s[lead, LOST])
    day = t // DAY

    # candidate campaigns: the tenant's campaigns (padded matrix), delivering that day
    tenant_of_campaign = user
    n_tenants = int(tenant_of_campaign.max()) + 1 if len(tenant_of_campaign) else 0
    per_tenant = np.bincount(tenant_of_campaign, minlength=n_tenants)
    width = int(per_tenant.max()) if n_tenants else 0
    order = np.argsort(tenant_of_campaign, kind="stable")
    slot = np.arange(len(order)) - np.repeat(np.cumsum(per_tenant) - per_tenant, per_tenant)
    matrix = np.full((n_tenants, width), -1, dtype=np.int64)
    matrix[tenant_of_campaign[order], slot] = order
    candidates = matrix[tenant_of_campaign[leads.campaign[lead]]]
    valid = candidates >= 0
    safe = np.where(valid, candidates, 0)
    live = valid & (table.start[safe] <= day[:, None]) & (last_day[safe] >= day[:, None])
    available = live.sum(axis=1)
    pick = np.floor(j.uniform(key, ordinal, 1) * available).astype(np.int64)
    chosen_slot = np.argmax(np.cumsum(live, axis=1) > pick[:, None], axis=1)
    campaign = candidates[np.arange(len(lead)), chosen_slot]
    keep = (available > 0) & (t < final)
    return lead[keep], np.full(int(keep.sum()), TOUCH), t[keep], campaign[keep], ordinal[keep]
