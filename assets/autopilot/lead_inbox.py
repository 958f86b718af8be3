"""Copying a user's newly qualified leads into their autopilot lead inbox.

A lead qualifies when its status says so (`qualified`, `converted`) or its score reaches the threshold;
lost leads never do. The inbox's unique key (user_id, lead_id) makes the copy idempotent: a lead already
in the inbox is left as the user left it (they may have changed its status or notes). `received_at` is
when the lead arrived (its created_at), so the dashboard's "leads this week" counts leads of that week.
"""

import psycopg

MIN_LEAD_SCORE = 70

COPY_SQL = """
insert into public.autopilot_lead_inbox (
    user_id, lead_id, full_name, company_name, email, phone, source, score, status, notes, received_at
)
select
    l.created_by,
    l.id,
    nullif(trim(concat_ws(' ', l.first_name, l.last_name)), ''),
    l.company,
    l.email,
    l.phone,
    l.source,
    l.lead_score,
    case when l.status in ('contacted', 'qualified', 'converted') then l.status else 'new' end,
    case
        when l.status in ('qualified', 'converted') then format('autopilot: lead status is %%s', l.status)
        else format('autopilot: lead score %%s reached the threshold %%s', l.lead_score, %(min_score)s::int)
    end,
    coalesce(l.created_at, now())
from public.leads as l
where
    l.created_by = %(user_id)s::uuid
    and coalesce(l.status, 'new') <> 'lost'
    and (l.status in ('qualified', 'converted') or l.lead_score >= %(min_score)s)
order by l.id
on conflict (user_id, lead_id) do nothing
returning lead_id::text
"""


def copy_qualified_leads(
    conn: psycopg.Connection, user_id: str, min_score: int = MIN_LEAD_SCORE
) -> list[str]:
    """Ids of the leads newly copied into the user's inbox (none on a re-run)."""
    rows = conn.execute(COPY_SQL, {"user_id": user_id, "min_score": min_score}).fetchall()
    return sorted(row[0] for row in rows)
