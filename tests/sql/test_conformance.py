"""The migrated schema is the spec: every table, column, key, check, index, policy, trigger, function, view,
grant and role, compared with the live catalog; every difference is listed, deliberate ones need a reason."""

from __future__ import annotations

import psycopg

from tests.conftest import TEST_DIMENSION

from .conformance import ALLOWED, compare, format_counts
from .spec_compiler import load_spec


def test_live_schema_matches_the_spec(conn: psycopg.Connection) -> None:
    report = compare(conn, TEST_DIMENSION)
    print("\n" + format_counts(report))
    assert not report.unexpected, f"{len(report.unexpected)} differences from the spec:\n" + "\n".join(
        report.unexpected
    )
    assert not report.unused_allowances, "allow-list entries that match nothing: " + ", ".join(
        report.unused_allowances
    )


def test_every_spec_object_was_found_and_compared(conn: psycopg.Connection) -> None:
    """The comparison is not vacuous: it met each object the spec lists."""
    spec = load_spec()
    tables = spec["tables"].values()
    counts = compare(conn, TEST_DIMENSION).counts
    expected = {
        "tables": len(tables),
        "primary_keys": len(tables),
        "foreign_keys": sum(1 for t in tables for c in t["columns"].values() if c.get("references")),
        "indexes": sum(len(t["indexes"]) for t in tables),
        "policies": sum(len(t["rls"]["policies"]) for t in tables),
        "triggers": sum(len(t["triggers"]) for t in tables),
        "functions": len(spec["functions"]),
        "trigger_functions": len(spec["trigger_functions"]),
        "views": len(spec["views"]) - 1,  # autopilot_cron_monitor needs pg_cron
        "views_skipped": 1,
        "roles": len(spec["roles"]),
        "storage_buckets": len(spec["storage_buckets"]),
        "storage_policies": sum(len(b["policies"]) for b in spec["storage_buckets"].values()),
    }
    assert {k: counts[k] for k in expected} == expected
    spec_columns = sum(len(t["columns"]) for t in tables)
    added = sum(1 for a in ALLOWED if a.startswith("column "))
    assert counts["columns"] == spec_columns + added


def test_each_kind_of_difference_is_reported_all_at_once(conn: psycopg.Connection) -> None:
    """Break one object of each kind; the report names every one of them, not just the first."""
    breakages = {
        "alter table public.leads alter column source drop not null": "column public.leads.source: not_null",
        "alter table public.leads alter column status set default 'old'": "column public.leads.status: default",
        "alter table public.leads alter column company type varchar(50)": "column public.leads.company: type",
        "alter table public.leads add column nickname text": "column public.leads.nickname: not in the spec",
        "alter table public.campaigns drop constraint campaigns_status_check": "check on public.campaigns: missing",
        "alter table public.campaign_tasks drop constraint campaign_tasks_campaign_id_fkey; "
        "alter table public.campaign_tasks add foreign key (campaign_id) references public.campaigns (id) "
        "on delete set null": "foreign key public.campaign_tasks(campaign_id)",
        "alter table public.oauth_states drop constraint oauth_states_state_token_key": "unique (state_token)",
        "drop index public.idx_leads_email": "index public.leads.idx_leads_email: missing",
        "drop index public.idx_campaign_tasks_user_due; create index idx_campaign_tasks_user_due on "
        "public.campaign_tasks (created_by, due_date) where status <> 'done'": "idx_campaign_tasks_user_due: where",
        "create index idx_leads_phone on public.leads (phone)": "index public.leads.idx_leads_phone: not in the spec",
        "alter policy select_own_parent on public.campaign_metrics using (true)": "policy select_own_parent on "
        "public.campaign_metrics: using",
        "alter policy anon_insert on public.support_tickets to authenticated": "policy anon_insert on "
        "public.support_tickets: roles",
        "drop policy delete_own on public.leads": "policy delete_own on public.leads: missing",
        "alter table public.email_contacts disable row level security": "row level security on public.email_contacts",
        "drop trigger update_leads_updated_at on public.leads": "trigger public.leads.update_leads_updated_at",
        "alter function public.get_default_model(text, text) security definer": "function public.get_default_model: "
        "security",
        "create function public.extra_helper() returns int language sql as 'select 1'": "function "
        "public.extra_helper: not in the spec",
        "grant delete on public.secret_audit_logs to authenticated": "grants on public.secret_audit_logs to "
        "authenticated",
        "drop view public.ai_video_stats": "view public.ai_video_stats: missing",
        "drop policy read_own_folder on storage.objects": "policy read_own_folder on storage.objects: missing",
        "update storage.buckets set public = false where id = 'ai-videos'": "storage bucket ai-videos: public",
    }
    for statement in breakages:
        conn.execute(statement)
    differences = "\n".join(compare(conn, TEST_DIMENSION).unexpected)
    missed = [expected for expected in breakages.values() if expected not in differences]
    assert not missed, f"not reported: {missed}\nreported:\n{differences}"
