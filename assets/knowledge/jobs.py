"""Jobs the knowledge sensor launches: one document batch, conversation memory, a model build."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from assets.knowledge.assets import (
    conversation_message_embeddings,
    embedded_knowledge_chunks,
    knowledge_document_chunks,
    knowledge_embedding_model,
    parsed_knowledge_documents,
)

knowledge_ingest_job = define_asset_job(
    "knowledge_ingest_job",
    selection=AssetSelection.assets(
        parsed_knowledge_documents, knowledge_document_chunks, embedded_knowledge_chunks
    ),
    description="Parse, chunk and embed one batch of knowledge documents (run config: document_ids).",
)
conversation_memory_job = define_asset_job(
    "conversation_memory_job",
    selection=AssetSelection.assets(conversation_message_embeddings),
    description="Embed conversation messages that have no vector yet.",
)
knowledge_model_job = define_asset_job(
    "knowledge_model_job",
    selection=AssetSelection.assets(knowledge_embedding_model),
    description="Build the newly configured embedding model (one shard) and switch to it when complete.",
)

knowledge_jobs = [knowledge_ingest_job, conversation_memory_job, knowledge_model_job]
