"""Turn a document's bytes (or the text the app stored) into plain text plus where its sections start.

Every way a document can be unusable raises `DocumentRejected` with a sentence a user can act on; the
caller marks that one document `failed` with it and carries on with the rest of the batch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SUPPORTED_TYPES = ("txt", "md", "html", "pdf", "docx")

# what the app may store in knowledge_documents.file_type (extensions and MIME types) -> our format
_TYPE_ALIASES = {
    "txt": "txt",
    "text": "txt",
    "text/plain": "txt",
    "csv": "txt",
    "log": "txt",
    "md": "md",
    "markdown": "md",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "html": "html",
    "htm": "html",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "xhtml": "html",
    "pdf": "pdf",
    "application/pdf": "pdf",
    "docx": "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
# "Title" underlined by a line of = or - (setext headings, and how plain-text documents mark sections)
_UNDERLINED_HEADING = re.compile(r"^([^\n]*\S)[ \t]*\n(?:={3,}|-{3,})[ \t]*$", re.M)


class DocumentRejected(ValueError):
    """The document cannot be indexed; `reason` is the human-readable processing_error."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class Section:
    """A place in the text where a heading or a page starts (character offset into ParsedDocument.text)."""

    start: int
    heading: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class ParsedDocument:
    text: str
    file_type: str
    sections: list[Section] = field(default_factory=list)
    title: str | None = None

    def location(self, start: int, end: int) -> dict[str, object]:
        """Heading and page(s) of the span [start, end), for chunk metadata."""
        heading = None
        pages: list[int] = []
        for section in self.sections:
            if section.start <= start and section.heading:
                heading = section.heading
            if section.page is not None and section.start < end:
                if section.start <= start:
                    pages = [section.page]
                else:
                    pages.append(section.page)
        meta: dict[str, object] = {}
        if heading:
            meta["heading"] = heading
        if pages:
            meta["page"] = pages[0]
            if len(pages) > 1:
                meta["page_end"] = pages[-1]
        return meta


def normalize_type(declared: str | None, name: str | None = None) -> str | None:
    """Our format name for a declared file_type or, failing that, the file name's extension."""
    for candidate in (declared, _extension(name)):
        if candidate:
            key = candidate.strip().lower().lstrip(".").split(";")[0].strip()
            if key in _TYPE_ALIASES:
                return _TYPE_ALIASES[key]
    return None


def _extension(name: str | None) -> str | None:
    if not name or "." not in name.rsplit("/", 1)[-1]:
        return None
    return name.rsplit(".", 1)[-1]


def describe_type(declared: str | None, name: str | None) -> str:
    return (declared or _extension(name) or "unknown").strip() or "unknown"


def parse_bytes(data: bytes, file_type: str | None, name: str | None = None) -> ParsedDocument:
    """Parse a file's bytes. `file_type` may be a declared type or MIME type; else the name's extension."""
    kind = normalize_type(file_type, name)
    if kind is None:
        raise DocumentRejected(
            "unknown_type",
            f"Unsupported file type '{describe_type(file_type, name)}': upload one of "
            f"{', '.join(SUPPORTED_TYPES)}.",
        )
    if not data:
        raise DocumentRejected("empty", "The file is empty (0 bytes): upload it again with its content.")
    if kind in ("pdf", "docx"):
        from assets.knowledge.formats import parse_docx, parse_pdf

        return _require_text(parse_pdf(data) if kind == "pdf" else parse_docx(data), kind)
    text = _decode(data)
    if not text.strip():
        raise DocumentRejected(
            "empty", "The file contains only whitespace: upload it again with its content."
        )
    return parse_text(text, kind)


def parse_text(text: str, file_type: str | None) -> ParsedDocument:
    """Parse text the app stored in knowledge_documents.content (markdown/plain, or HTML when declared)."""
    kind = normalize_type(file_type) or "md"
    if kind in ("pdf", "docx"):
        # binary formats only arrive as files; a text body with such a type is taken as extracted text
        kind = "txt"
    if not text.strip():
        raise DocumentRejected("empty", "The document has no content: add text or upload a file.")
    if kind == "html":
        from assets.knowledge.formats import parse_html

        return _require_text(parse_html(text), kind)
    return _require_text(parse_markdown(clean_text(text), kind), kind)


def _require_text(doc: ParsedDocument, kind: str) -> ParsedDocument:
    if not doc.text.strip():
        hint = {
            "pdf": "it may be a scanned image: run OCR on it or upload a text-based PDF",
            "docx": "add text to the document",
            "html": "the page has no readable main text",
        }.get(kind, "add text to the document")
        raise DocumentRejected("no_text", f"No text could be extracted from this {kind} file: {hint}.")
    return doc


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    sample = data[:8192]
    if b"\x00" in sample or _looks_binary(sample):
        raise DocumentRejected(
            "binary", "The file is not readable text (it contains binary data): check the file and its type."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows-1252 covers the legacy encodings office tools still write; every byte maps to something
        return data.decode("cp1252", errors="replace")


def _looks_binary(sample: bytes) -> bool:
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return len(sample) > 0 and control / len(sample) > 0.05


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def parse_markdown(text: str, kind: str) -> ParsedDocument:
    found = [(m.start(), m.group(2).strip()) for m in _MD_HEADING.finditer(text)]
    found += [(m.start(), m.group(1).strip()) for m in _UNDERLINED_HEADING.finditer(text)]
    sections = [Section(start=start, heading=heading) for start, heading in sorted(found)]
    title = sections[0].heading if sections and sections[0].start == 0 else None
    if kind == "txt" and title is None:
        # plain text has no markup; a short first line followed by a blank line reads as its title
        first, _, rest = text.partition("\n")
        if first and len(first) <= 120 and rest.startswith("\n") and not first.endswith((".", ":")):
            sections = [Section(start=0, heading=first.strip()), *sections]
            title = first.strip()
    return ParsedDocument(text=text, file_type=kind, sections=sections, title=title)
