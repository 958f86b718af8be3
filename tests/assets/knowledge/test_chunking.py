"""Chunks are measured in the model's own tokens, overlap, carry their hash and heading; summaries extract."""

from __future__ import annotations

import hashlib

from assets.knowledge.chunking import DocumentChunker, summarize
from assets.knowledge.embedding import Embedder
from assets.knowledge.parsing import parse_bytes
from tests.assets.knowledge.conftest import CORPUS


def test_chunks_fit_the_model_tokens_and_overlap(base_embedder: Embedder) -> None:
    doc = parse_bytes((CORPUS / "playbook-seo-content.md").read_bytes(), "md")
    chunker = DocumentChunker(base_embedder.tokenizer, chunk_tokens=64, overlap=16)
    chunks = chunker.chunk(doc)
    assert len(chunks) > 5
    tokenizer = base_embedder.tokenizer
    for chunk in chunks:
        assert chunk.token_count == len(tokenizer(chunk.content, add_special_tokens=False)["input_ids"])
        assert chunk.token_count <= 64
        assert chunk.content_hash == hashlib.sha256(chunk.content.encode()).hexdigest()
    assert [c.index for c in chunks] == list(range(len(chunks)))
    # overlap: most consecutive chunks share text
    shared = sum(
        1 for a, b in zip(chunks, chunks[1:], strict=False) if a.content[-25:].split()[-1] in b.content
    )
    assert shared >= len(chunks) // 2
    # every chunk under the first section knows its heading
    keyword = next(c for c in chunks if "scoring model" in c.content)
    assert keyword.metadata["heading"] == "Keyword selection"


def test_bigger_chunks_mean_fewer_chunks(base_embedder: Embedder) -> None:
    doc = parse_bytes((CORPUS / "playbook-seo-content.md").read_bytes(), "md")
    small = DocumentChunker(base_embedder.tokenizer, 64, 0).chunk(doc)
    large = DocumentChunker(base_embedder.tokenizer, 200, 0).chunk(doc)
    assert len(large) < len(small)
    assert max(c.token_count for c in large) > 64


def test_summary_is_short_and_extractive() -> None:
    text = (CORPUS / "playbook-seo-content.md").read_text()
    summary = summarize(text)
    assert 40 <= len(summary) <= 500
    flat = " ".join(text.replace("**", "").split())
    sentences = [s for s in summary.split(". ") if s]
    assert all(s.rstrip(".") in flat for s in sentences)
    assert summarize(text) == summary  # deterministic


def test_overlap_tail_is_found_from_a_suffix_exactly(base_embedder: Embedder) -> None:
    """The tail carried into the next chunk is located by tokenizing only the end of a chunk; it must be
    where the last `overlap` tokens of the whole chunk begin, for every chunk of the corpus's text files."""
    tokenizer = base_embedder.tokenizer
    compared = 0
    for chunk_tokens, overlap in ((200, 30), (64, 40), (40, 4)):
        chunker = DocumentChunker(tokenizer, chunk_tokens, overlap)
        for path in sorted(CORPUS.glob("*.md")) + sorted(CORPUS.glob("*.txt")):
            text = parse_bytes(path.read_bytes(), path.suffix.lstrip(".")).text
            _, offsets = chunker._chunker(text, offsets=True)
            for start, end in offsets:
                piece = text[start:end]
                whole = tokenizer(piece, add_special_tokens=False, return_offsets_mapping=True)
                expected = whole["offset_mapping"][-overlap][0] if len(whole["input_ids"]) > overlap else None
                assert chunker._tail_cut(piece) == expected, (path.name, chunk_tokens, overlap, start)
                compared += 1
    assert compared > 500
