"""A small, clean, deterministic dataset for the quality checks: one user, three campaigns with ten weeks
of daily metrics (weekday patterns, noise, a per-platform split), leads with activities, and a ready
knowledge document whose chunks carry unit vectors of the configured model."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field

import numpy as np
import psycopg

USER_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
MODEL = "all-MiniLM-L6-v2"
DIMENSION = 384

# (name, weekday factors Mon..Sun, platforms, daily spend) — search dips at weekends, e-mail sends Tue/Thu
CAMPAIGNS = (
    ("Search always-on", (1.1, 1.12, 1.1, 1.06, 0.96, 0.66, 0.62), ("google_ads", "microsoft_ads"), 400.0),
    ("Newsletter", (0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0), ("hubspot_email",), 120.0),
    ("Social launch", (0.96, 0.98, 1.0, 1.0, 1.02, 1.06, 1.04), ("meta_ads",), 150.0),
)


@dataclass
class Seeded:
    newest_day: dt.date
    campaign_ids: list[uuid.UUID] = field(default_factory=list)
    lead_ids: list[uuid.UUID] = field(default_factory=list)
    document_id: uuid.UUID | None = None
    bucket_id: uuid.UUID | None = None
    chunk_ids: list[uuid.UUID] = field(default_factory=list)


def unit_vector(rng: np.random.Generator, dimension: int = DIMENSION) -> str:
    v = rng.normal(size=dimension)
    v /= np.linalg.norm(v)
    return "[" + ",".join(f"{x:.6f}" for x in v) + "]"


def seed_clean(conn: psycopg.Connection, weeks: int = 10, newest_day: dt.date | None = None) -> Seeded:
    """Insert the clean dataset; metrics end yesterday (UTC) unless `newest_day` is given."""
    rng = np.random.default_rng(20250101)
    newest = newest_day or (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1))
    first = newest - dt.timedelta(days=7 * weeks - 1)
    seeded = Seeded(newest_day=newest)
    conn.execute(
        "insert into auth.users (id, email, created_at) values (%s, 'owner@example.com', now())", (USER_ID,)
    )
    metric_rows = []
    for index, (name, weekday, platforms, daily_spend) in enumerate(CAMPAIGNS):
        campaign_id = uuid.UUID(int=0xC0 + index)
        seeded.campaign_ids.append(campaign_id)
        conn.execute(
            "insert into public.campaigns (id, created_by, name, type, channel, status, total_budget, start_date, "
            "end_date) values (%s, %s, %s, 'lead_generation', 'paid', 'active', 100000, %s, %s)",
            (campaign_id, USER_ID, name, first, newest + dt.timedelta(days=30)),
        )
        day = first
        while day <= newest:
            factor = weekday[day.weekday()]
            if factor > 0:
                for platform in platforms:
                    share = 1 / len(platforms)
                    spend = daily_spend * factor * share * float(np.exp(rng.normal(0, 0.15)))
                    clicks = round(spend / 2.0 * float(np.exp(rng.normal(0, 0.1))))
                    conversions = int(rng.poisson(max(clicks * 0.05, 0.1)))
                    impressions = clicks * 30
                    for metric, value in (("spend", round(spend, 2)), ("clicks", clicks),
                                          ("conversions", conversions), ("impressions", impressions),
                                          ("revenue", conversions * 80)):  # fmt: skip
                        metric_rows.append((campaign_id, metric, value, day, platform))
            day += dt.timedelta(days=1)
    with conn.cursor() as cur:
        cur.executemany(
            "insert into public.campaign_metrics (campaign_id, metric_type, metric_value, metric_date, "
            "additional_data) values (%s, %s, %s, %s, jsonb_build_object('platform', %s::text))",
            metric_rows,
        )
    statuses = ("new", "contacted", "qualified", "converted", "lost")
    activity_types = ("form_filled", "email_opened", "email_clicked", "call_scheduled")
    for i in range(20):
        lead_id = uuid.UUID(int=0x1EAD0000 + i)
        seeded.lead_ids.append(lead_id)
        conn.execute(
            "insert into public.leads (id, email, source, status, lead_score, created_by, created_at) "
            "values (%s, %s, 'website', %s, %s, %s, %s)",
            (lead_id, f"lead{i}@example.com", statuses[i % 5], (i * 7) % 101, USER_ID, first),
        )
        for j in range(3):
            conn.execute(
                "insert into public.lead_activities (lead_id, activity_type, occurred_at, created_by) "
                "values (%s, %s, %s, %s)",
                (
                    lead_id,
                    activity_types[(i + j) % 4],
                    dt.datetime.combine(first, dt.time(9), dt.UTC) + dt.timedelta(days=i + j),
                    USER_ID,
                ),  # fmt: skip
            )
    seeded.bucket_id = uuid.UUID(int=0xB0)
    seeded.document_id = uuid.UUID(int=0xD0)
    conn.execute(
        "insert into public.knowledge_buckets (id, created_by, name, bucket_type) values (%s, %s, 'General', 'general')",
        (seeded.bucket_id, USER_ID),
    )
    conn.execute(
        "insert into public.knowledge_documents (id, bucket_id, created_by, title, content, file_name, status) "
        "values (%s, %s, %s, 'Playbook', 'text', 'playbook.md', 'ready')",
        (seeded.document_id, seeded.bucket_id, USER_ID),
    )
    for index in range(3):
        chunk_id = uuid.UUID(int=0xC4C0 + index)
        seeded.chunk_ids.append(chunk_id)
        insert_chunk(conn, seeded, chunk_id, index, f"chunk {index}", unit_vector(rng))
    return seeded


def insert_chunk(
    conn: psycopg.Connection, seeded: Seeded, chunk_id: uuid.UUID, index: int, text: str, vector: str | None,
    model: str | None = MODEL, document_id: uuid.UUID | None = None,
) -> None:  # fmt: skip
    conn.execute(
        "insert into public.knowledge_chunks (id, document_id, bucket_id, chunk_index, content, content_hash, "
        "token_count, embedding, embedding_model) values (%s, %s, %s, %s, %s, %s, 3, %s::vector, %s)",
        (
            chunk_id,
            document_id or seeded.document_id,
            seeded.bucket_id,
            index,
            text,
            hashlib.sha256(text.encode()).hexdigest(),
            vector,
            model,
        ),  # fmt: skip
    )
