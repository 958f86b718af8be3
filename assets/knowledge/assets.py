"""Knowledge-base assets: parse → chunk → embed a batch of documents, conversation memory, model builds.

A run handles one batch of documents (run config `document_ids`, empty = everything pending); the sensor
splits pending documents into batches, one run each, so runs spread over whatever processes or machines
the Dagster deployment gives them. Parsing and chunking only compute (their outputs travel through the
IO manager); the embed step writes, one transaction per document.
"""

from collections.abc import Callable

from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    Config,
    MaterializeResult,
    MetadataValue,
    Output,
    asset,
)
from pydantic import Field

from assets.knowledge.batches import ChunkedBatch, Failure, ParsedBatch
from assets.knowledge.conversations import embed_pending_messages
from assets.knowledge.embedding import EmbedderResource, Encoder
from assets.knowledge.embedding_models import count_missing, read_plan
from assets.knowledge.indexing import (
    chunk_documents,
    chunker_for,
    parse_documents,
    resolve_plan,
    write_batch,
)
from assets.knowledge.model_build import build_model
from assets.knowledge.sources import find_pending_documents
from assets.knowledge.store import pipeline_session
from orchestration.resources import PostgresResource
from orchestration.settings import get_settings

GROUP = "knowledge"
PREFIX = ["knowledge"]
PARSED = AssetKey([*PREFIX, "parsed_documents"])
CHUNKS = AssetKey([*PREFIX, "document_chunks"])
EMBEDDINGS = AssetKey([*PREFIX, "chunk_embeddings"])


class DocumentBatchConfig(Config):
    document_ids: list[str] = Field(
        default_factory=list, description="Documents of this batch; empty: every pending document."
    )


class ModelBuildConfig(Config):
    shard: int = Field(default=0, description="Which part of the chunks this run embeds (0-based).")
    shards: int = Field(default=1, description="Into how many parts the build is split across runs.")


def _embedders(embedder: EmbedderResource) -> Callable[[str], Encoder]:
    return lambda name: embedder.get(name)


def _failure_table(failures: list[Failure] | dict[str, str]) -> MetadataValue:
    items = failures.items() if isinstance(failures, dict) else ((f.doc.title, f.reason) for f in failures)
    lines = ["| document | processing_error |", "| --- | --- |"]
    lines += [f"| {title.replace('|', '/')} | {reason.replace('|', '/')} |" for title, reason in items]
    return MetadataValue.md("\n".join(lines) if len(lines) > 2 else "no failures")


@asset(
    key=PARSED,
    group_name=GROUP,
    description="Documents of the batch read from their file or stored text and parsed "
    "to plain text (unchanged sources are skipped by hash).",
)
def parsed_knowledge_documents(
    context: AssetExecutionContext,
    config: DocumentBatchConfig,
    database: PostgresResource,
    embedder: EmbedderResource,
) -> Output[ParsedBatch]:
    settings = get_settings()
    with database.connect(autocommit=True) as conn:
        pipeline_session(conn)
        plan = resolve_plan(conn, settings, _embedders(embedder))
        ids = config.document_ids or find_pending_documents(conn, settings)
        batch = parse_documents(conn, ids, settings, plan)
    context.log.info(
        f"{len(ids)} documents: {len(batch.items)} to index, {len(batch.unchanged)} unchanged, "
        f"{len(batch.failures)} failed"
    )
    return Output(
        batch,
        metadata={
            "documents": len(ids),
            "parsed": len(batch.items),
            "unchanged": len(batch.unchanged),
            "failures": len(batch.failures),
            "failed_documents": _failure_table(batch.failures),
            "embedding_model": plan.active.name,
        },
    )


@asset(
    key=CHUNKS,
    ins={"parsed": AssetIn(key=PARSED)},
    group_name=GROUP,
    description="Parsed documents cut into chunks by the embedding model's tokenizer, "
    "each with its content hash, token count, heading/page; plus an extractive summary per document.",
)
def knowledge_document_chunks(parsed: ParsedBatch, embedder: EmbedderResource) -> Output[ChunkedBatch]:
    batch = parsed
    chunker = chunker_for(embedder.get(batch.plan.active.name), get_settings())
    chunked = chunk_documents(batch, chunker)
    chunks = [c for item in chunked.items for c in item.chunks]
    return Output(
        chunked,
        metadata={
            "documents": len(chunked.items),
            "chunks": len(chunks),
            "tokens": sum(c.token_count for c in chunks),
            "failures": len(chunked.failures),
        },
    )


@asset(
    key=EMBEDDINGS,
    ins={"chunked": AssetIn(key=CHUNKS)},
    group_name=GROUP,
    description="Chunks embedded (vectors reused by content hash + model) and written "
    "to knowledge_chunks with binary COPY, one transaction per document; failures recorded.",
)
def embedded_knowledge_chunks(
    context: AssetExecutionContext,
    chunked: ChunkedBatch,
    database: PostgresResource,
    embedder: EmbedderResource,
) -> MaterializeResult:
    with database.connect(autocommit=True) as conn:
        pipeline_session(conn)
        report = write_batch(conn, chunked, _embedders(embedder))
    context.log.info(
        f"{report.ready} ready, {report.failed} failed, {report.embedded} chunks embedded, "
        f"{report.reused} reused"
    )
    return MaterializeResult(
        metadata={**report.as_metadata(), "failed_documents": _failure_table(report.failures)}
    )


@asset(
    key=AssetKey([*PREFIX, "conversation_embeddings"]),
    group_name=GROUP,
    description="Conversation messages embedded once each by the active (and any "
    "building) model, for conversation memory search.",
)
def conversation_message_embeddings(
    database: PostgresResource, embedder: EmbedderResource
) -> MaterializeResult:
    settings = get_settings()
    with database.connect(autocommit=True) as conn:
        pipeline_session(conn)
        plan = resolve_plan(conn, settings, _embedders(embedder))
        embedded = embed_pending_messages(conn, plan, _embedders(embedder))
    return MaterializeResult(metadata={"messages_embedded": embedded, "embedding_model": plan.active.name})


@asset(
    key=AssetKey([*PREFIX, "embedding_model"]),
    group_name=GROUP,
    description="A newly configured embedding model built in the background (search "
    "keeps serving the active one), then switched to atomically once every chunk and message has a vector.",
)
def knowledge_embedding_model(
    context: AssetExecutionContext,
    config: ModelBuildConfig,
    database: PostgresResource,
    embedder: EmbedderResource,
) -> MaterializeResult:
    settings = get_settings()
    with database.connect(autocommit=True) as conn:
        pipeline_session(conn)
        plan = resolve_plan(conn, settings, _embedders(embedder))
        report = build_model(conn, plan, _embedders(embedder), shard=config.shard, shards=config.shards)
        after = read_plan(conn)
        remaining = (
            count_missing(conn, plan.building.name) if plan.building and not report.switched else (0, 0)
        )
    context.log.info(
        f"build of {report.model}: {report.chunks_embedded} embedded, switched={report.switched}"
    )
    return MaterializeResult(
        metadata={
            "active_model": after.active.name if after else None,
            "building_model": report.model,
            "chunks_embedded": report.chunks_embedded,
            "chunks_reused": report.chunks_reused,
            "messages_embedded": report.messages_embedded,
            "switched": report.switched,
            "chunks_remaining": remaining[0],
            "chunks_per_second": round(report.chunks_embedded / report.seconds, 1) if report.seconds else 0.0,
        }
    )


knowledge_assets = [
    parsed_knowledge_documents,
    knowledge_document_chunks,
    embedded_knowledge_chunks,
    conversation_message_embeddings,
    knowledge_embedding_model,
]
