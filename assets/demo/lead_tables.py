"""COPY text of leads, lead_activities and autopilot_lead_inbox (and the lead updates of an append), rendered
column-wise from the simulation arrays of one chunk of users."""

from __future__ import annotations

import json

import numpy as np

from assets.demo import profiles as P
from assets.demo import vocabulary as V
from assets.demo.copytext import Batch, Choice, ints, lines, lookup, timestamps, two_digits
from assets.demo.funnel import (
    CAPTURE,
    CONVERTED,
    LOST,
    LOST_AFTER_CONTACTED,
    LOST_AFTER_QUALIFIED,
    QUALIFIED,
    TO_CONTACTED,
    TO_CONVERTED,
    TO_QUALIFIED,
    Activities,
    Leads,
)
from assets.demo.keyed_random import Keyed, uuid7_text
from assets.demo.metrics import CampaignTable

DAY = 86400
LEAD_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "company",
    "job_title",
    "phone",
    "industry",
    "company_size",
    "source",
    "status",
    "lead_score",
    "tags",
    "enriched_data",
    "created_by",
    "created_at",
    "updated_at",
)
ACTIVITY_COLUMNS = (
    "id",
    "lead_id",
    "activity_type",
    "activity_data",
    "occurred_at",
    "created_by",
    "created_at",
)
INBOX_COLUMNS = (
    "id",
    "user_id",
    "lead_id",
    "full_name",
    "company_name",
    "email",
    "phone",
    "source",
    "score",
    "status",
    "notes",
    "received_at",
    "created_at",
)
_COMPANIES = [f"{w} {s}" for w in V.LEAD_COMPANY_WORDS for s in V.LEAD_COMPANY_SUFFIXES]
_DOMAINS = [c.lower().replace(" ", "") + ".example" for c in _COMPANIES]
_SCORE_BASE = np.array([5, 20, 50, 70, 0])  # by status: new, contacted, qualified, converted, lost
_SCORE_SPAN = np.array([35, 40, 35, 30, 30])
# an inbox has no "lost": a lost lead shows the last stage it reached before
_INBOX_STATUS = ("new", "contacted", "qualified", "converted")


def lead_rows(seed: int, leads: Leads, table: CampaignTable, sel: np.ndarray, end_s: int) -> list[Batch]:
    """Leads `sel` with their status as of `end_s`."""
    n = len(sel)
    u = [leads.uniform(seed, p)[sel] for p in range(10)]
    first = (u[0] * len(V.FIRST_NAMES)).astype(np.int64)
    last = (u[1] * len(V.LAST_NAMES)).astype(np.int64)
    company = (u[2] * len(_COMPANIES)).astype(np.int64)
    sizes = np.searchsorted(
        np.cumsum(V.COMPANY_SIZE_WEIGHTS), u[3] * sum(V.COMPANY_SIZE_WEIGHTS), side="right"
    )
    sizes = np.minimum(sizes, len(V.COMPANY_SIZES) - 1)
    status, changed = leads.status_at(end_s)
    status, changed = status[sel], changed[sel]
    campaign = leads.campaign[sel]
    channel = table.channel_code[campaign]
    day = leads.day[sel]
    pos = table.gid[campaign] % 64
    number = [ints(day - 10957), two_digits(pos), two_digits(leads.ordinal[sel])]
    employees = (np.array([8, 40, 400, 4000])[sizes] * (0.5 + 2 * u[4])).astype(np.int64) + 1
    lower_first = [s.lower() for s in V.FIRST_NAMES]
    lower_last = [s.lower() for s in V.LAST_NAMES]
    sources = [P.CHANNELS[c].lead_source for c in P.CHANNEL_NAMES]
    return lines(
        n,
        [
            lead_ids(leads, sel),
            lookup(V.FIRST_NAMES, first),
            lookup(V.LAST_NAMES, last),
            [
                lookup(lower_first, first),
                b".",
                lookup(lower_last, last),
                b".",
                *number,
                b"@",
                lookup(_DOMAINS, company),
            ],
            lookup(_COMPANIES, company),
            lookup(V.JOB_TITLES, (u[5] * len(V.JOB_TITLES)).astype(np.int64)),
            [b"+1-555-0", ints(100 + (u[6] * 900).astype(np.int64))],
            lookup(V.INDUSTRIES, (u[7] * len(V.INDUSTRIES)).astype(np.int64)),
            lookup(V.COMPANY_SIZES, sizes),
            lookup(sources, channel),
            lookup(P.LEAD_STATUSES, status),
            ints(lead_scores(leads, seed, sel, status)),
            [b"{", lookup(P.CHANNEL_NAMES, channel), b",", lookup(V.COMPANY_SIZES, sizes), b"}"],
            [
                b'{"country": "',
                lookup(V.COUNTRIES, (u[8] * len(V.COUNTRIES)).astype(np.int64)),
                b'", "employees": ',
                ints(employees),
                b', "website": "https://',
                lookup(_DOMAINS, company),
                b'"}',
            ],
            table.user_ids[campaign],
            timestamps(leads.created_s[sel]),
            timestamps(changed),
        ],
    )


def lead_ids(leads: Leads, sel: np.ndarray) -> np.ndarray:
    key = leads.key[sel]
    return uuid7_text(leads.created_s[sel] * 1000 + (key % np.uint64(1000)).astype(np.int64), key)


def lead_scores(leads: Leads, seed: int, sel: np.ndarray, status: np.ndarray) -> np.ndarray:
    u = leads.uniform(seed, 11)[sel]
    return _SCORE_BASE[status] + np.floor(u * _SCORE_SPAN[status]).astype(np.int64)


def _change_texts() -> tuple[list[str], dict[tuple[int, int], int]]:
    """activity_data of every kind of status change (and lost reason): a small vocabulary."""
    texts, codes = [], {}
    moves = {
        TO_CONTACTED: ("new", "contacted", {"sequence": "sales_outreach"}),
        TO_QUALIFIED: ("contacted", "qualified", {"meeting": "discovery_call"}),
        TO_CONVERTED: ("qualified", "converted", {"form": "order_form"}),
        LOST_AFTER_QUALIFIED: ("qualified", "lost", {}),
        LOST_AFTER_CONTACTED: ("contacted", "lost", {}),
    }
    for kind, (before, after, extra) in moves.items():
        reasons = V.LOST_REASONS if after == "lost" else (None,)
        for r, reason in enumerate(reasons):
            data = {**extra, "status_from": before, "status_to": after, "touch": False}
            if reason:
                data["reason"] = reason
            codes[(kind, r)] = len(texts)
            texts.append(json.dumps(data, sort_keys=True))
    return texts, codes


_CHANGE_TEXTS, _CHANGE_CODES = _change_texts()
_FORM_TEXTS = [f'"form": "{f}", ' for f in V.FORMS] + [""]


def activity_rows(
    seed: int, acts: Activities, leads: Leads, table: CampaignTable, sel: np.ndarray
) -> list[Batch]:
    n = len(sel)
    lead, kind, t, camp = acts.lead[sel], acts.kind[sel], acts.occurred_s[sel], acts.campaign[sel]
    key = Keyed(seed, "activity_id").bits(leads.key[lead], kind, acts.ordinal[sel])
    touch = camp >= 0
    safe = np.where(touch, camp, 0)
    is_email = touch & (table.channel_code[safe] == P.EMAIL)
    u = Keyed(seed, "activity_detail").uniform(key)
    clicked = is_email & (u < 0.35)
    # type: capture and non-e-mail touches are forms; e-mail touches opens or clicks; changes by kind
    type_code = np.select(
        [clicked, is_email, touch, kind == TO_CONTACTED, kind == LOST_AFTER_CONTACTED, kind == TO_CONVERTED],
        [2, 1, 0, 1, 1, 0],
        default=3,
    )
    form_code = np.where(kind == CAPTURE, (u * 3).astype(np.int64) + 1, (u * len(V.FORMS)).astype(np.int64))
    form_code = np.where(is_email, len(V.FORMS), form_code)
    reason = np.where(
        (kind == LOST_AFTER_QUALIFIED) | (kind == LOST_AFTER_CONTACTED),
        (u * len(V.LOST_REASONS)).astype(np.int64),
        0,
    )
    change_code = np.zeros(n, dtype=np.int64)
    for (k, r), code in _CHANGE_CODES.items():
        change_code[(kind == k) & (reason == r)] = code
    activity_data = Choice(
        (
            (
                (
                    b'{"campaign_id": "',
                    table.ids[safe],
                    b'", "channel": "',
                    lookup(P.CHANNEL_NAMES, table.channel_code[safe]),
                    b'", ',
                    lookup(_FORM_TEXTS, form_code),
                    b'"touch": true}',
                ),
                touch,
            ),
            ((lookup(_CHANGE_TEXTS, change_code),), ~touch),
        )
    )
    return lines(
        n,
        [
            uuid7_text(t * 1000 + (key % np.uint64(1000)).astype(np.int64), key),
            lead_ids(leads, lead),
            lookup(P.ACTIVITY_TYPES, type_code),
            activity_data,
            timestamps(t),
            table.user_ids[leads.campaign[lead]],
            # recorded a few seconds later, within the same day (appends add rows of later days only)
            timestamps(np.minimum(t + 1 + (key % np.uint64(59)).astype(np.int64), (t // DAY + 1) * DAY - 1)),
        ],
    )


def inbox_status(status: np.ndarray, leads: Leads, sel: np.ndarray, end_s: int) -> np.ndarray:
    qualified = leads.stage_s[sel, QUALIFIED] < end_s
    return np.where(status == LOST, np.where(qualified, QUALIFIED, 1), np.minimum(status, CONVERTED))


def inbox_rows(seed: int, leads: Leads, table: CampaignTable, sel: np.ndarray, end_s: int) -> list[Batch]:
    """Inbox entries of leads captured by auto-managed campaigns (`sel` already filtered)."""
    n = len(sel)
    u = [leads.uniform(seed, p)[sel] for p in range(8)]
    first = (u[0] * len(V.FIRST_NAMES)).astype(np.int64)
    last = (u[1] * len(V.LAST_NAMES)).astype(np.int64)
    company = (u[2] * len(_COMPANIES)).astype(np.int64)
    status, _ = leads.status_at(end_s)
    status = inbox_status(status[sel], leads, sel, end_s)
    campaign = leads.campaign[sel]
    day = leads.day[sel]
    pos = table.gid[campaign] % 64
    key = Keyed(seed, "inbox_id").bits(leads.key[sel])
    received = leads.created_s[sel] + 60 + (key % np.uint64(540)).astype(np.int64)
    lower_first = [s.lower() for s in V.FIRST_NAMES]
    lower_last = [s.lower() for s in V.LAST_NAMES]
    sources = [P.CHANNELS[c].lead_source for c in P.CHANNEL_NAMES]
    names = [c.name for c in table.campaigns]
    return lines(
        n,
        [
            uuid7_text(received * 1000 + (key % np.uint64(1000)).astype(np.int64), key),
            table.user_ids[campaign],
            lead_ids(leads, sel),
            [lookup(V.FIRST_NAMES, first), b" ", lookup(V.LAST_NAMES, last)],
            lookup(_COMPANIES, company),
            [
                lookup(lower_first, first),
                b".",
                lookup(lower_last, last),
                b".",
                ints(day - 10957),
                two_digits(pos),
                two_digits(leads.ordinal[sel]),
                b"@",
                lookup(_DOMAINS, company),
            ],
            [b"+1-555-0", ints(100 + (u[6] * 900).astype(np.int64))],
            lookup(sources, table.channel_code[campaign]),
            ints(lead_scores(leads, seed, sel, leads.status_at(end_s)[0][sel])),
            lookup(_INBOX_STATUS, status),
            [b"Captured by autopilot campaign ", lookup(names, campaign)],
            timestamps(received),
            timestamps(received),
        ],
    )


def lead_status_rows(seed: int, leads: Leads, sel: np.ndarray, end_s: int) -> list[Batch]:
    """(id, status, lead_score, updated_at) of leads `sel` as of `end_s`, for an append's update."""
    status, changed = leads.status_at(end_s)
    status = status[sel]
    return lines(
        len(sel),
        [
            lead_ids(leads, sel),
            lookup(P.LEAD_STATUSES, status),
            ints(lead_scores(leads, seed, sel, status)),
            timestamps(changed[sel]),
        ],
    )


def inbox_status_rows(leads: Leads, sel: np.ndarray, end_s: int) -> list[Batch]:
    """(lead_id, status) of inbox entries of leads `sel` as of `end_s`."""
    status, _ = leads.status_at(end_s)
    return lines(
        len(sel), [lead_ids(leads, sel), lookup(_INBOX_STATUS, inbox_status(status[sel], leads, sel, end_s))]
    )
