"""The knowledge sensor: new or changed documents, new conversation messages, a changed embedding model.

Every tick (at most 20 s apart, so a change is picked up within 30 s) it requests one run per batch of
pending documents, leaving out documents that a queued or running run already holds; a run that failed
is retried after RETRY_SECONDS (the run key changes then). Nothing here loads the embedding model.
"""

import hashlib
import time
from collections.abc import Iterator

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from assets.knowledge.conversations import missing_messages
from assets.knowledge.embedding_models import count_missing, read_plan
from assets.knowledge.jobs import conversation_memory_job, knowledge_ingest_job, knowledge_model_job
from assets.knowledge.sources import find_pending_documents
from orchestration.resources import PostgresResource
from orchestration.settings import get_settings

SENSOR_INTERVAL_SECONDS = 20
DOCUMENTS_PER_RUN = 32
MODEL_BUILD_SHARDS = 2
RETRY_SECONDS = 600
PARSED_OP = "knowledge__parsed_documents"  # op name of the asset knowledge/parsed_documents
MODEL_OP = "knowledge__embedding_model"
_IN_FLIGHT = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


def _in_flight(context: SensorEvaluationContext, job_name: str) -> list:
    return list(context.instance.get_runs(filters=RunsFilter(job_name=job_name, statuses=_IN_FLIGHT)))


def _held_documents(context: SensorEvaluationContext) -> set[str]:
    held: set[str] = set()
    for run in _in_flight(context, knowledge_ingest_job.name):
        config = (run.run_config or {}).get("ops", {}).get(PARSED_OP, {}).get("config", {})
        held.update(config.get("document_ids", []))
    return held


def _key(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]


def knowledge_run_requests(
    context: SensorEvaluationContext, database: PostgresResource
) -> Iterator[RunRequest]:
    settings = get_settings()
    window = int(time.time() // RETRY_SECONDS)
    with database.connect(autocommit=True) as conn:
        held = _held_documents(context)
        pending = [doc_id for doc_id in find_pending_documents(conn, settings) if doc_id not in held]
        versions = dict(
            conn.execute(
                "select id::text, coalesce(updated_at::text, '') from public.knowledge_documents where id = any(%s::uuid[])",
                (pending,),
            ).fetchall()
        )
        plan = read_plan(conn)
        messages_waiting = plan is None or any(missing_messages(conn, slot.name, 1) for slot in plan.targets)
        building = plan.building if plan else None
        missing = count_missing(conn, building.name) if building else (0, 0)
        configured_changed = plan is not None and settings.embedding_model not in plan.names
    for start in range(0, len(pending), DOCUMENTS_PER_RUN):
        ids = pending[start : start + DOCUMENTS_PER_RUN]
        yield RunRequest(
            run_key=f"documents-{_key(window, *(f'{i}@{versions.get(i)}' for i in ids))}",
            job_name=knowledge_ingest_job.name,
            run_config={"ops": {PARSED_OP: {"config": {"document_ids": ids}}}},
            tags={"aip/knowledge": "documents", "aip/documents": str(len(ids))},
        )
    if messages_waiting and plan is not None and not _in_flight(context, conversation_memory_job.name):
        yield RunRequest(
            run_key=f"messages-{_key(window, time.time() // SENSOR_INTERVAL_SECONDS)}",
            job_name=conversation_memory_job.name,
        )
    if (configured_changed or building) and not _in_flight(context, knowledge_model_job.name):
        target = settings.embedding_model
        for shard in range(MODEL_BUILD_SHARDS):
            yield RunRequest(
                run_key=f"model-{_key(target, window, *missing, shard)}",
                job_name=knowledge_model_job.name,
                run_config={"ops": {MODEL_OP: {"config": {"shard": shard, "shards": MODEL_BUILD_SHARDS}}}},
                tags={"aip/knowledge": "model", "aip/model": target[:60]},
            )


@sensor(
    jobs=[knowledge_ingest_job, conversation_memory_job, knowledge_model_job],
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Indexes new/changed knowledge documents in batches, embeds new conversation messages, and "
    "builds a newly configured embedding model.",
)
def knowledge_sensor(context: SensorEvaluationContext, database: PostgresResource):  # noqa: ANN201
    requests = list(knowledge_run_requests(context, database))
    if not requests:
        yield SkipReason("no pending documents, messages or model change")
    yield from requests


knowledge_sensors = [knowledge_sensor]
