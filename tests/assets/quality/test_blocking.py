"""Bad data injected into a clean database: the right check fails, lists the bad rows, is in the history, and
its ERROR blocks exactly what is built from the table it guards — nothing else."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import psycopg
import pytest

from assets.quality.history import results_for_run
from tests.assets.quality.conftest import STAND_IN_NAMES, RunOutcome
from tests.assets.quality.seed import USER_ID, Seeded, insert_chunk

CAMPAIGN_BRANCH = {"stg_campaign_metrics", "fct_campaign_performance_daily", "autopilot_weekly_reports"}
LEAD_BRANCH = {"stg_leads", "fct_lead_funnel", "autopilot_weekly_reports"}
ACTIVITY_BRANCH = {"stg_lead_activities", "fct_lead_funnel", "autopilot_weekly_reports"}
KNOWLEDGE_BRANCH = {"knowledge_search_index"}


def assert_blocked(
    outcome: RunOutcome, conn: psycopg.Connection, check: str, blocked: set[str], bad_id: uuid.UUID
) -> dict:
    evaluation = outcome.evaluations[check]
    assert not evaluation.passed
    assert evaluation.severity.value == "ERROR"
    # the other input checks passed: the failure is attributed to the right table
    others = {name: e.passed for name, e in outcome.evaluations.items() if name.endswith("_valid")}
    assert {name for name, passed in others.items() if not passed} == {check}
    # what is built from the table did not run; everything else did
    assert outcome.materialized == STAND_IN_NAMES - blocked
    metadata = outcome.metadata(check)
    assert str(bad_id) in {str(row.get("id")) for row in metadata["failing_rows"]}
    stored = [r for r in results_for_run(conn, outcome.run_id) if r["check_name"] == check]
    assert len(stored) == 1 and stored[0]["passed"] is False and stored[0]["severity"] == "ERROR"
    assert str(bad_id) in {row.get("id") for row in stored[0]["failing_rows"]}
    return metadata


def test_clean_data_passes_every_check_and_builds_everything(
    seeded: Seeded, conn: psycopg.Connection, run_pipeline: Callable[[], RunOutcome]
) -> None:
    outcome = run_pipeline()
    assert outcome.result.success
    assert {name: e.passed for name, e in outcome.evaluations.items()} == {
        "campaign_metrics_valid": True,
        "leads_valid": True,
        "lead_activities_valid": True,
        "knowledge_chunks_valid": True,
        "daily_metric_anomalies": True,
        "vector_health": True,
    }
    assert outcome.materialized == STAND_IN_NAMES
    stored = results_for_run(conn, outcome.run_id)
    assert len(stored) == 6 and all(r["passed"] for r in stored)


def _first_metric(conn: psycopg.Connection, metric: str = "spend") -> tuple:
    return conn.execute(
        "select id, campaign_id, metric_date, additional_data from public.campaign_metrics "
        "where metric_type = %s order by metric_date desc, campaign_id limit 1",
        (metric,),
    ).fetchone()


@pytest.mark.parametrize(
    ("case", "expectation"),
    [
        ("negative_spend", "metric_value is not negative"),
        ("unknown_metric_type", "metric_type is a known metric"),
        ("duplicate_grain", "no duplicate grain"),
    ],
)
def test_bad_campaign_metric_blocks_the_campaign_marts_only(
    case: str,
    expectation: str,
    seeded: Seeded,
    conn: psycopg.Connection,
    run_pipeline: Callable[[], RunOutcome],
) -> None:
    bad_id = uuid.uuid4()
    _, campaign_id, day, extra = _first_metric(conn)
    metric, value = {"negative_spend": ("spend", -25), "unknown_metric_type": ("bogus_clicks", 3)}.get(
        case, ("spend", 10)
    )
    if case == "duplicate_grain":  # a second spend row for the same campaign, day and platform
        conn.execute(
            "insert into public.campaign_metrics (id, campaign_id, metric_type, metric_value, metric_date, "
            "additional_data) values (%s, %s, 'spend', 10, %s, %s)",
            (bad_id, campaign_id, day, psycopg.types.json.Jsonb(extra)),
        )
    else:
        conn.execute(
            "insert into public.campaign_metrics (id, campaign_id, metric_type, metric_value, metric_date) "
            "values (%s, %s, %s, %s, %s)",
            (bad_id, campaign_id, metric, value, seeded.newest_day),
        )
    outcome = run_pipeline()
    metadata = assert_blocked(outcome, conn, "campaign_metrics_valid", CAMPAIGN_BRANCH, bad_id)
    failed = [e for e in metadata["details"]["expectations"] if not e["passed"]]
    error_failures = [e["expectation"] for e in failed if e["severity"] == "ERROR"]
    assert len(error_failures) == 1 and expectation in error_failures[0]
    assert all(expectation in row["expectation"] for row in metadata["failing_rows"])


def test_lead_with_unknown_status_blocks_the_lead_marts_only(
    seeded: Seeded, conn: psycopg.Connection, run_pipeline: Callable[[], RunOutcome]
) -> None:
    # bad data arriving from an unconstrained source: drop any CHECK on leads.status the schema may carry
    for (name,) in conn.execute(
        "select conname from pg_constraint where conrelid = 'public.leads'::regclass and contype = 'c' "
        "and pg_get_constraintdef(oid) ilike '%%status%%'"
    ).fetchall():
        conn.execute(f'alter table public.leads drop constraint "{name}"')
    bad_id = uuid.uuid4()
    conn.execute(
        "insert into public.leads (id, email, source, status, lead_score, created_by) "
        "values (%s, 'odd@example.com', 'website', 'zombie', 50, %s)",
        (bad_id, USER_ID),
    )
    outcome = run_pipeline()
    metadata = assert_blocked(outcome, conn, "leads_valid", LEAD_BRANCH, bad_id)
    assert metadata["failing_rows"][0]["status"] == "zombie"


def test_activity_of_a_missing_lead_blocks_the_lead_marts_only(
    seeded: Seeded, conn: psycopg.Connection, run_pipeline: Callable[[], RunOutcome]
) -> None:
    # the foreign key would reject it: drop it to simulate an unconstrained source
    for (name,) in conn.execute(
        "select conname from pg_constraint where conrelid = 'public.lead_activities'::regclass and contype = 'f' "
        "and confrelid = 'public.leads'::regclass"
    ).fetchall():
        conn.execute(f'alter table public.lead_activities drop constraint "{name}"')
    bad_id, ghost = uuid.uuid4(), uuid.uuid4()
    conn.execute(
        "insert into public.lead_activities (id, lead_id, activity_type, occurred_at) "
        "values (%s, %s, 'form_filled', now() - interval '1 day')",
        (bad_id, ghost),
    )
    outcome = run_pipeline()
    metadata = assert_blocked(outcome, conn, "lead_activities_valid", ACTIVITY_BRANCH, bad_id)
    assert metadata["failing_rows"][0]["lead_id"] == str(ghost)


def test_zero_embedding_blocks_what_is_built_on_the_embeddings_only(
    seeded: Seeded, conn: psycopg.Connection, run_pipeline: Callable[[], RunOutcome]
) -> None:
    bad_id = uuid.uuid4()
    insert_chunk(conn, seeded, bad_id, 10, "all zeros", "[" + ",".join(["0"] * 384) + "]")
    outcome = run_pipeline()
    metadata = assert_blocked(outcome, conn, "knowledge_chunks_valid", KNOWLEDGE_BRANCH, bad_id)
    assert "zero vector" in metadata["failing_rows"][0]["expectation"]


def test_wrong_dimension_embedding_blocks_what_is_built_on_the_embeddings_only(
    seeded: Seeded, conn: psycopg.Connection, run_pipeline: Callable[[], RunOutcome]
) -> None:
    # vector(384) rejects a 3-d vector: make the column untyped, as a store without the typmod would be
    conn.execute("drop index if exists public.idx_knowledge_chunks_embedding")
    conn.execute("alter table public.knowledge_chunks alter column embedding type vector")
    bad_id = uuid.uuid4()
    insert_chunk(conn, seeded, bad_id, 10, "three dims", "[0.1,0.2,0.3]")
    outcome = run_pipeline()
    metadata = assert_blocked(outcome, conn, "knowledge_chunks_valid", KNOWLEDGE_BRANCH, bad_id)
    row = metadata["failing_rows"][0]
    assert (row["dimension"], row["expected"]) == (3, 384)
