"""The same Definitions run on Dagster's multiprocess executor: each step in its own process, resources
resolved from the settings in each process (what a Celery/Kubernetes executor does on other machines)."""

from pathlib import Path

import dagster as dg
import psycopg
import pytest


def knowledge_ingest_job() -> dg.JobDefinition:
    """Module-level so that `dg.reconstructable` can rebuild it in every step's process."""
    from orchestration.definitions import defs

    return defs.resolve_job_def("knowledge_ingest_job")


def test_job_steps_run_in_separate_processes(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)  # inherited by the step processes
    monkeypatch.setenv("AIP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with psycopg.connect(db_url, autocommit=True) as conn:
        user = conn.execute(
            "insert into auth.users (id, email) values (gen_random_uuid(), 'mp@example.test') returning id"
        ).fetchone()[0]
        bucket = conn.execute(
            "insert into public.knowledge_buckets (created_by, name, bucket_type) "
            "values (%s, 'mp', 'general') returning id",
            (user,),
        ).fetchone()[0]
        conn.execute(
            "insert into public.knowledge_documents (bucket_id, title, content, file_type, status) "
            "values (%s, 'mp note', 'Webinars convert best when the follow-up e-mail goes out within an hour.', "
            "'txt', 'processing')",
            (bucket,),
        )
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        result = dg.execute_job(
            dg.reconstructable(knowledge_ingest_job),
            instance=instance,
            run_config={"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}},
        )
        assert result.success
        starts = [e for e in result.all_events if e.event_type_value == "STEP_WORKER_STARTED"]
        assert len(starts) >= 2, "every step starts in a worker process of its own"
        pids = {e.pid for e in result.all_events if e.is_step_event and e.pid is not None}
        assert len(pids) >= 2
    with psycopg.connect(db_url) as conn:
        status, chunks = conn.execute(
            "select d.status, count(c.id) from public.knowledge_documents d "
            "left join public.knowledge_chunks c on c.document_id = d.id group by d.status"
        ).fetchone()
    assert status == "ready" and chunks >= 1
