"""Users and what belongs to an account: preferences, privacy settings, support tickets and the GDPR
export / deletion requests (a few pending, so the privacy pipeline has work)."""

from __future__ import annotations

from collections.abc import Iterator

from assets.demo.keyed_random import Keyed, user_rng
from assets.demo.tenants import DAY, DemoSpec, Tenant, day_date, make_id, utc

USER_COLUMNS = (
    "id",
    "email",
    "encrypted_password",
    "raw_user_meta_data",
    "raw_app_meta_data",
    "created_at",
    "updated_at",
)
PREFERENCE_COLUMNS = (
    "id",
    "user_id",
    "preference_category",
    "preference_data",
    "interface_mode",
    "created_at",
    "updated_at",
)
PRIVACY_COLUMNS = (
    "id",
    "user_id",
    "data_processing_consent",
    "marketing_consent",
    "analytics_consent",
    "third_party_consent",
    "data_retention_days",
    "right_to_be_deleted_requested",
    "created_at",
    "updated_at",
)
TICKET_COLUMNS = (
    "id",
    "user_id",
    "email",
    "name",
    "subject",
    "message",
    "status",
    "priority",
    "admin_notes",
    "created_at",
    "updated_at",
    "resolved_at",
)
EXPORT_COLUMNS = (
    "id",
    "request_id",
    "user_id",
    "status",
    "requested_at",
    "completed_at",
    "download_url",
    "created_at",
)
DELETION_COLUMNS = (
    "id",
    "request_id",
    "user_id",
    "status",
    "requested_at",
    "completed_at",
    "confirmation_required",
    "created_at",
)

# the key under raw_app_meta_data that marks a demo account and records how it was generated
DEMO_KEY = "demo_data"

_TICKETS = (
    (
        "How do I connect my LinkedIn Ads account?",
        "The integration page says the token expired. Reconnecting "
        "fails with an authorisation error. Can you help?",
        "normal",
    ),
    (
        "Autopilot moved budget away from my best campaign",
        "Yesterday the daily pass shifted spend from our search "
        "campaign to social. Why did it do that and can I pin a campaign?",
        "high",
    ),
    (
        "Invoice shows the wrong company name",
        "Our invoice for last month lists our old company name. Please update it for the next billing cycle.",
        "low",
    ),
    (
        "Email open rates look too low",
        "The dashboard shows open rates far below what our email tool reports. "
        "Are opens counted differently?",
        "normal",
    ),
    (
        "Cannot upload a PDF to the knowledge base",
        "Uploading our product sheet fails after a few seconds. The file is 3 MB.",
        "normal",
    ),
    (
        "Account locked after password reset",
        "I reset my password and now I cannot log in at all. We have a launch tomorrow.",
        "urgent",
    ),
    (
        "Export of all leads for our CRM",
        "We need a CSV export of all leads with their status history for our CRM migration.",
        "low",
    ),
    ("Video generation stuck in planning", "Our AI video project has been in planning for two days.", "high"),
)
_TICKET_STATUSES = ("open", "in_progress", "resolved", "closed")


def demo_marker(spec: DemoSpec, tenant: Tenant, through: int) -> dict:
    return {
        "seed": spec.seed,
        "users": spec.users,
        "days": spec.days,
        "as_of": spec.as_of.isoformat(),
        "scale": spec.scale,
        "through": day_date(through).isoformat(),
        "user_index": tenant.index,
    }


def users(spec: DemoSpec, tenants: list[Tenant], through: int) -> Iterator[tuple]:
    for t in tenants:
        created = utc(t.created_s)
        meta = {"full_name": t.full_name, "company": t.company, "industry": t.industry}
        app = {"provider": "email", "providers": ["email"], DEMO_KEY: demo_marker(spec, t, through)}
        # no password: demo accounts exist for data, nobody signs in with them
        yield (t.id, t.email, None, meta, app, created, created)


def preferences(spec: DemoSpec, tenants: list[Tenant]) -> Iterator[tuple]:
    for t in tenants:
        rng = user_rng(spec.seed, t.index, 1)
        mode = "advanced" if rng.random() < 0.35 else "simple"
        created = t.created_s + 3600
        data = {
            "general": {
                "language": "en",
                "currency": "USD",
                "timezone": str(
                    rng.choice(
                        [
                            "America/New_York",
                            "Europe/Berlin",
                            "Europe/London",
                            "America/Los_Angeles",
                            "Asia/Singapore",
                        ]
                    )
                ),
                "company_name": t.company,
            },
            "interface": {
                "theme": str(rng.choice(["light", "dark", "system"])),
                "dashboard_layout": str(rng.choice(["compact", "detailed"])),
                "show_onboarding": False,
            },
            "notifications": {
                "email_digest": str(rng.choice(["daily", "weekly", "off"])),
                "lead_alerts": bool(rng.random() < 0.7),
                "autopilot_reports": t.autopilot,
            },
        }
        for k, (category, values) in enumerate(data.items()):
            yield (
                make_id(spec.seed, "preference", t.index * 8 + k, created),
                t.id,
                category,
                values,
                mode,
                utc(created),
                utc(created),
            )


def _pending(spec: DemoSpec, tenant: Tenant, kind: str, rate: float, forced: int) -> bool:
    """A few users with a pending request; the user at position `forced` always has one."""
    if tenant.index == min(forced, spec.users - 1):
        return True
    return bool(Keyed(spec.seed, kind).uniform(tenant.index)[0] < rate)


def privacy(spec: DemoSpec, tenants: list[Tenant]) -> Iterator[tuple]:
    for t in tenants:
        rng = user_rng(spec.seed, t.index, 2)
        created = utc(t.created_s + 7200)
        deletion = _pending(spec, t, "deletion_request", 0.02, 2)
        yield (
            make_id(spec.seed, "privacy", t.index, t.created_s + 7200),
            t.id,
            True,
            bool(rng.random() < 0.7),
            bool(rng.random() < 0.8),
            bool(rng.random() < 0.25),
            int(rng.choice([365, 730, 1095])),
            deletion,
            created,
            created,
        )


def tickets(spec: DemoSpec, tenants: list[Tenant]) -> Iterator[tuple]:
    for t in tenants:
        rng = user_rng(spec.seed, t.index, 3)
        for k in range(int(rng.integers(0, 4))):
            subject, message, priority = _TICKETS[int(rng.integers(0, len(_TICKETS)))]
            day = spec.as_of_day - int(rng.integers(0, spec.days))
            created_s = day * DAY + int(rng.integers(7 * 3600, 22 * 3600))
            # older tickets are more likely to be done
            age = (spec.as_of_day - day) / spec.days
            status = _TICKET_STATUSES[min(3, int(age * 3 + rng.random() * 1.5))]
            done = status in ("resolved", "closed")
            resolved_s = min(created_s + int(rng.integers(2, 96)) * 3600, (spec.as_of_day + 1) * DAY - 1)
            updated_s = resolved_s if done else created_s + (3600 if status == "in_progress" else 0)
            notes = "Answered with the relevant help article." if done else None
            yield (
                make_id(spec.seed, "ticket", t.index * 16 + k, created_s),
                t.id,
                t.email,
                t.full_name,
                subject,
                message,
                status,
                priority,
                notes,
                utc(created_s),
                utc(updated_s),
                utc(resolved_s) if done else None,
            )


def exports(spec: DemoSpec, tenants: list[Tenant]) -> Iterator[tuple]:
    for t in tenants:
        k = Keyed(spec.seed, "export_request")
        rows = []
        if k.uniform(t.index, 1)[0] < 0.15:  # an earlier, fulfilled export
            requested = (spec.as_of_day - 20 - int(k.integers(0, 40, t.index, 2)[0])) * DAY + 10 * 3600
            rows.append(("completed", requested, requested + 1800))
        if _pending(spec, t, "export_pending", 0.06, 1):
            requested = (spec.as_of_day - int(k.integers(0, 3, t.index, 3)[0])) * DAY + 15 * 3600
            rows.append(("pending", requested, None))
        for n, (status, requested, completed) in enumerate(rows):
            rid = make_id(spec.seed, "export_request", t.index * 4 + n, requested)
            url = f"https://storage.demo.test/exports/{t.id}/{rid}.zip" if completed else None
            yield (
                rid,
                f"exp_{rid.hex[:16]}",
                t.id,
                status,
                utc(requested),
                utc(completed) if completed else None,
                url,
                utc(requested),
            )


def deletions(spec: DemoSpec, tenants: list[Tenant]) -> Iterator[tuple]:
    for t in tenants:
        if not _pending(spec, t, "deletion_request", 0.02, 2):
            continue
        requested = (spec.as_of_day - 1) * DAY + 11 * 3600
        rid = make_id(spec.seed, "deletion_request", t.index, requested)
        yield (rid, f"del_{rid.hex[:16]}", t.id, "pending", utc(requested), None, True, utc(requested))
