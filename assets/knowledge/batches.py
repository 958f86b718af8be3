"""What travels between the pipeline's stages (and through Dagster's IO manager), and what a run reports."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from assets.knowledge.chunking import Chunk
from assets.knowledge.embedding_models import ModelPlan
from assets.knowledge.parsing import ParsedDocument
from assets.knowledge.sources import DocumentRow, Source


@dataclass
class IngestReport:
    documents: int = 0  # documents looked at
    ready: int = 0  # (re)indexed and ready
    unchanged: int = 0  # source unchanged: skipped without parsing
    failed: int = 0
    requeued: int = 0  # changed again (or the model switched) while we worked: left pending
    chunks: int = 0  # chunks of the documents written
    embedded: int = 0  # chunk texts the model encoded
    reused: int = 0  # chunks whose vector was already stored (same content hash and model)
    deleted_chunks: int = 0
    messages_embedded: int = 0
    model_chunks_embedded: int = 0  # background build of a new model
    model_switched: bool = False
    seconds: float = 0.0
    encode_seconds: float = 0.0
    failures: dict[str, str] = field(default_factory=dict)  # document title -> processing_error

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds else 0.0

    def merge(self, other: IngestReport) -> IngestReport:
        for name in (
            "documents",
            "ready",
            "unchanged",
            "failed",
            "requeued",
            "chunks",
            "embedded",
            "reused",
            "deleted_chunks",
            "messages_embedded",
            "model_chunks_embedded",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds
        self.encode_seconds += other.encode_seconds
        self.model_switched = self.model_switched or other.model_switched
        self.failures.update(other.failures)
        return self

    def as_metadata(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "ready": self.ready,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "requeued": self.requeued,
            "chunks": self.chunks,
            "chunks_embedded": self.embedded,
            "chunks_reused": self.reused,
            "chunks_deleted": self.deleted_chunks,
            "messages_embedded": self.messages_embedded,
            "chunks_per_second": round(self.chunks_per_second, 1),
            "seconds": round(self.seconds, 2),
        }


@dataclass
class Failure:
    doc: DocumentRow
    reason: str
    source: Source


@dataclass
class ParsedItem:
    doc: DocumentRow
    source: Source
    parsed: ParsedDocument


@dataclass
class ChunkedItem:
    doc: DocumentRow
    source: Source
    chunks: list[Chunk]
    fields: dict[str, Any]


@dataclass
class ParsedBatch:
    plan: ModelPlan
    chunker: str
    items: list[ParsedItem]
    failures: list[Failure]
    unchanged: list[DocumentRow]
    started: float = field(default_factory=time.perf_counter)


@dataclass
class ChunkedBatch:
    plan: ModelPlan
    chunker: str
    items: list[ChunkedItem]
    failures: list[Failure]
    unchanged: list[DocumentRow]
    started: float = field(default_factory=time.perf_counter)
