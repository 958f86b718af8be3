"""Split parsed text into chunks measured in the embedding model's own tokens, and summarize a document.

Chunks are cut by semchunk at the largest semantic boundary that fits (paragraphs, then lines, sentences,
words) so a chunk rarely starts mid-thought; the token counter is the embedding model's tokenizer, so a
chunk of `chunk_tokens` tokens is exactly what the model sees (nothing silently truncated).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import semchunk

from assets.knowledge.parsing import ParsedDocument

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[a-z][a-z0-9'-]{2,}")
_STOPWORDS_TEXT = (
    "the and for are but not you all any can had her was one our out has have his how its may new now own "
    "say she too use who why will with this that from they what when where which while your their there "
    "these those been into more most such than then them very also each other over only some both just "
    "should would could about after before between through during under again further once here same so"
)
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split(" "))


@dataclass(frozen=True)
class Chunk:
    index: int
    content: str
    content_hash: str
    token_count: int
    metadata: dict[str, Any] = field(default_factory=dict)


def content_hash(text: str) -> str:
    """sha256 of the chunk text: the identity under which a vector is reused."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DocumentChunker:
    """Chunks text with a tokenizer's token counts. `tokenizer` is a Hugging Face tokenizer (or anything
    with `encode`); chunk_tokens and overlap are in that tokenizer's tokens."""

    def __init__(self, tokenizer: Any, chunk_tokens: int, overlap: int) -> None:
        if not 0 <= overlap < chunk_tokens:
            raise ValueError("chunk overlap must be >= 0 and smaller than the chunk size")
        self.tokenizer = tokenizer
        self.chunk_tokens = chunk_tokens
        self.overlap = overlap
        self._backend = _backend(tokenizer)
        # the overlap is carried over from the previous chunk, so the cut itself leaves room for it
        self._chunker = semchunk.chunkerify(
            _token_counter(tokenizer, self._backend), chunk_size=chunk_tokens - overlap
        )

    def count_tokens(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        if self._backend is not None:
            return [len(item.ids) for item in self._backend.encode_batch(texts, add_special_tokens=False)]
        return [len(self.tokenizer.encode(text)) for text in texts]

    def chunk(self, doc: ParsedDocument) -> list[Chunk]:
        """Cut without overlap, then give each chunk the tail (<= overlap tokens, whole words) of the one
        before. semchunk's own overlap slides fixed windows, so one edit near the top would shift every
        later chunk; carried-over tails keep an edit's effect to the chunks around it, which is what makes
        re-indexing an edited document cheap."""
        _, offsets = self._chunker(doc.text, offsets=True)
        spans = [(start, end) for start, end in offsets if doc.text[start:end].strip()]
        starts = [
            self._tail_start(doc.text, spans[i - 1]) if i and self.overlap else span[0]
            for i, span in enumerate(spans)
        ]
        texts = [doc.text[begin:end].strip() for begin, (_, end) in zip(starts, spans, strict=True)]
        counts = self.count_tokens(texts)
        for i, count in enumerate(counts):
            # re-tokenising a joined span can cost a token or two more than its parts; drop the tail then
            if count > self.chunk_tokens:
                texts[i] = doc.text[spans[i][0] : spans[i][1]].strip()
                counts[i] = self.count_tokens([texts[i]])[0]
        return [
            Chunk(
                index=i,
                content=text,
                content_hash=content_hash(text),
                token_count=count,
                metadata=doc.location(*span),
            )
            for i, (text, span, count) in enumerate(zip(texts, spans, counts, strict=True))
        ]

    def _tail_start(self, text: str, span: tuple[int, int]) -> int:
        """Where the last `overlap` tokens of text[span] begin, moved forward to a word boundary."""
        start, end = span
        piece = text[start:end]
        if self._backend is not None:
            cut = self._tail_cut(piece)
            if cut is None:
                return start
        else:
            words = piece.split(" ")
            cut = len(" ".join(words[: max(0, len(words) - self.overlap)]))
        if cut > 0 and not piece[cut - 1].isspace():
            following = re.search(r"\s", piece[cut:])
            cut = cut + following.start() if following else len(piece)
        return start + cut

    def _tail_cut(self, piece: str) -> int | None:
        """Offset in `piece` where its last `overlap` tokens begin (None: it has no more than that).

        The tokenizer splits words at whitespace before cutting them into tokens, so the last tokens of a
        suffix that starts at whitespace are the last tokens of the whole piece: tokenizing a suffix a few
        times longer than the overlap is enough (the whole chunk only when the suffix falls short)."""
        suffix = 0
        window = self.overlap * 8
        if len(piece) > window:
            space = re.search(r"\s", piece[len(piece) - window :])
            if space is not None:
                suffix = len(piece) - window + space.end()
        for begin in dict.fromkeys((suffix, 0)):
            offsets = self._backend.encode(piece[begin:], add_special_tokens=False).offsets
            # more tokens than the overlap: in a suffix, the cut is then not at its first token
            if len(offsets) > self.overlap:
                return begin + offsets[-self.overlap][0]
        return None


def summarize(text: str, max_sentences: int = 3, max_chars: int = 500) -> str:
    """A short extractive summary: the sentences richest in the document's frequent words, in their order.

    Frequency scoring (Luhn's method) needs no model and is stable: the same text gives the same summary.
    """
    sentences = _sentences(text)
    if not sentences:
        return text.strip()[:max_chars]
    frequencies = Counter(word for sentence in sentences for word in _words(sentence))
    if not frequencies:
        return " ".join(sentences[:max_sentences])[:max_chars]
    top = max(frequencies.values())

    def score(item: tuple[int, str]) -> float:
        position, sentence = item
        words = _words(sentence)
        if not words:
            return 0.0
        # early sentences state what a document is about; a small bonus keeps the opening in
        return sum(frequencies[w] / top for w in words) / len(words) ** 0.5 + (0.3 if position == 0 else 0.0)

    ranked = sorted(enumerate(sentences), key=score, reverse=True)[:max_sentences]
    chosen = [sentence for _, sentence in sorted(ranked)]
    summary = ""
    for sentence in chosen:
        candidate = f"{summary} {sentence}".strip()
        if len(candidate) > max_chars:
            break
        summary = candidate
    return summary or chosen[0][: max_chars - 1].rstrip() + "…"


def _sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        block = block.strip()
        # headings, list items and table rows are labels, not statements
        if (
            not block
            or block.startswith(("#", "|"))
            or len(block) < 40
            or re.search(r"^[=-]{3,}\s*$", block, re.M)
        ):
            continue
        lines = [
            line
            for line in block.splitlines()
            if not line.lstrip().startswith(("-", "*", "|", "#", "=", ">"))
            # "Label:   value" lines are metadata of a brief or sheet, not prose
            and not re.match(r"^[A-Z][\w /&()-]{0,30}:\s{2,}", line)
        ]
        if len(lines) > 1 and sum(len(line) for line in lines) / len(lines) < 50:
            continue  # a block of short lines is a list, an address or a header, not sentences
        joined = " ".join(" ".join(lines).split())
        joined = re.sub(r"[*_`]{1,3}", "", joined)
        sentences.extend(s.strip() for s in _SENTENCE_END.split(joined) if len(s.strip()) >= 30)
    return sentences


def _words(sentence: str) -> list[str]:
    return [w for w in _WORD.findall(sentence.lower()) if w not in _STOPWORDS]


def _backend(tokenizer: Any) -> Any:
    """The Rust tokenizer behind a Hugging Face fast tokenizer, without truncation or padding: counting
    through it is several times cheaper than through the Python wrapper, with identical tokens."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return None
    backend = copy.deepcopy(backend)
    backend.no_truncation()
    backend.no_padding()
    return backend


def _token_counter(tokenizer: Any, backend: Any) -> Callable[[str], int]:
    if backend is not None:
        return lambda text: len(backend.encode(text, add_special_tokens=False).ids)
    return lambda text: len(tokenizer.encode(text))
