"""The generator without a database: deterministic bytes, stable tenants, exact appends."""

from __future__ import annotations

import dataclasses

from assets.demo import profiles as P
from assets.demo.generator import DemoData, Window
from assets.demo.tenants import build_tenant, build_tenants
from tests.assets.demo.conftest import SPEC

DAY_SENSITIVE = {
    # table -> position of the column that dates the row (COPY text, tab-separated)
    "public.campaign_metrics": 4,
    "public.leads": 15,
    "public.lead_activities": 4,
    "public.social_engagement": 5,
    "public.generated_content": 5,
    "public.email_campaigns": 7,
    "public.autopilot_activity_log": 9,
    "public.autopilot_lead_inbox": 11,
}


def all_bytes(data: DemoData) -> dict[str, bytes]:
    return {t.table: b"".join(text for text, _ in t.batches()) for t in data.tables()}


def test_same_seed_gives_identical_bytes_and_another_seed_does_not() -> None:
    first = all_bytes(DemoData(SPEC, Window.initial(SPEC)))
    second = all_bytes(DemoData(SPEC, Window.initial(SPEC)))
    assert first == second
    other = dataclasses.replace(SPEC, seed=SPEC.seed + 1)
    third = all_bytes(DemoData(other, Window.initial(other)))
    assert third["public.campaign_metrics"] != first["public.campaign_metrics"]
    assert all(first[t] for t in ("public.campaign_metrics", "public.leads", "public.lead_activities"))


def test_a_user_is_the_same_business_whatever_the_number_of_users() -> None:
    few = build_tenant(SPEC, 2)
    many = build_tenants(dataclasses.replace(SPEC, users=12))[2]
    assert few == many
    emails = [t.email for t in build_tenants(dataclasses.replace(SPEC, users=50))]
    assert len(set(emails)) == 50
    assert all(e.count("@demo.") == 1 and e.endswith(".test") for e in emails)


def test_every_user_has_every_campaign_type_and_status() -> None:
    for tenant in build_tenants(dataclasses.replace(SPEC, users=20)):
        assert {c.type for c in tenant.campaigns} == set(P.CAMPAIGN_TYPES)
        assert {c.status for c in tenant.campaigns} == set(P.CAMPAIGN_STATUSES)
        for c in tenant.campaigns:
            assert c.start_day <= c.end_day
            assert c.stop_day == -1 or c.start_day <= c.stop_day <= c.end_day


def _lines_after(text: bytes, column: int, after: str) -> set[bytes]:
    """Rows dated after `after`, except drafts (created with the first load, not with a day)."""
    return {
        line
        for line in text.splitlines()
        if line.split(b"\t")[column][:10].decode() > after and b"\tdraft\t" not in line
    }


def test_appending_days_yields_exactly_the_rows_a_longer_history_has_for_those_days() -> None:
    """(as_of, as_of + K] generated as an append equals the same days of one history through as_of + K."""
    k = 9
    appended = all_bytes(DemoData(SPEC, Window(SPEC.as_of_day, SPEC.as_of_day + k)))
    longer = all_bytes(DemoData(SPEC, Window(SPEC.start_day - 1, SPEC.as_of_day + k)))
    as_of = SPEC.as_of.isoformat()
    assert set(appended) == set(DAY_SENSITIVE)  # an append adds only to the day-indexed tables
    for table, column in DAY_SENSITIVE.items():
        rows = set(appended[table].splitlines())
        assert rows == _lines_after(longer[table], column, as_of), table
        assert all(line.split(b"\t")[column][:10].decode() > as_of for line in rows), table
    assert len(appended["public.campaign_metrics"].splitlines()) > 0
    assert len(appended["public.lead_activities"].splitlines()) > 0


def test_append_updates_name_leads_whose_status_changed() -> None:
    data = DemoData(SPEC, Window(SPEC.as_of_day, SPEC.as_of_day + 14))
    updates = {u.table: b"".join(text for text, _ in u.batches()) for u in data.updates()}
    changed = updates["public.leads"].splitlines()
    assert changed, "two weeks later some leads must have moved on"
    before = {
        line.split(b"\t")[0]: line.split(b"\t")[10]
        for line in b"".join(t for t, _ in DemoData(SPEC, Window.initial(SPEC))._leads()).splitlines()
    }
    for line in changed:
        lead_id, status, score, updated_at = line.split(b"\t")
        assert before[lead_id] != status
        assert updated_at[:10].decode() > SPEC.as_of.isoformat()
        assert 0 <= int(score) <= 100
