"""Parsers of the formats that need a library: HTML (main text only), PDF (per page), Word (.docx).

Each returns a ParsedDocument or raises DocumentRejected with the reason a user can act on.
"""

from __future__ import annotations

import io
import logging
import warnings

from assets.knowledge.parsing import DocumentRejected, ParsedDocument, Section, clean_text, parse_markdown


def parse_html(html: str) -> ParsedDocument:
    """Main text only: trafilatura drops navigation, footers and other boilerplate; bs4 when it finds none."""
    try:
        import trafilatura
    except ImportError:
        # trafilatura needs lxml's html cleaner (package lxml_html_clean); without it bs4 does the job
        return _parse_html_bs4(html)

    text = None
    try:
        text = trafilatura.extract(
            html, output_format="markdown", include_comments=False, include_tables=True, favor_recall=True
        )
    except Exception:  # noqa: BLE001 - trafilatura raises assorted lxml errors on odd markup; bs4 copes
        text = None
    title = None
    try:
        # only the title is used: the non-extensive date search skips dateparser, which took ~2 s to load
        # on first use in every process and half of each later call
        meta = trafilatura.extract_metadata(html, extensive=False)
        title = meta.title if meta else None
    except Exception:  # noqa: BLE001 - metadata is a nicety
        title = None
    if not text or not text.strip():
        return _parse_html_bs4(html)
    doc = parse_markdown(clean_text(text), "html")
    return ParsedDocument(doc.text, "html", doc.sections, title or doc.title)


def _parse_html_bs4(html: str) -> ParsedDocument:
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(html, "lxml")  # several times faster than Python's html.parser
    except Exception:  # noqa: BLE001 - bs4 raises FeatureNotFound without lxml
        soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else None
    root = soup.find("main") or soup.find("article") or soup.body or soup
    parts: list[str] = []
    for element in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "td", "blockquote"]):
        if element.find_parent(["p", "li", "td", "blockquote"]) is not None and element.name != "li":
            continue
        line = " ".join(element.get_text(" ", strip=True).split())
        if not line:
            continue
        if element.name.startswith("h"):
            line = "#" * int(element.name[1]) + " " + line
        elif element.name == "li":
            line = "- " + line
        parts.append(line)
    if not parts:
        parts = [" ".join(root.get_text(" ", strip=True).split())]
    doc = parse_markdown(clean_text("\n\n".join(parts)), "html")
    return ParsedDocument(doc.text, "html", doc.sections, title or doc.title)


def parse_pdf(data: bytes) -> ParsedDocument:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise DocumentRejected(
            "corrupt", "The file is not a valid PDF (no PDF header): export it again as PDF."
        )
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # pypdf logs every repair it attempts; the outcome is what matters
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                # PDFs "protected" with an empty user password open without one
                try:
                    opened = reader.decrypt("")
                except Exception:  # noqa: BLE001 - unsupported crypto is as good as locked for us
                    opened = 0
                if not opened:
                    raise DocumentRejected(
                        "encrypted",
                        "The PDF is password-protected: remove the password and upload it again.",
                    )
            pages = [(page.extract_text() or "") for page in reader.pages]
            title = (reader.metadata.title if reader.metadata else None) or None
    except DocumentRejected:
        raise
    except FileNotDecryptedError:
        raise DocumentRejected(
            "encrypted", "The PDF is password-protected: remove the password and upload it again."
        ) from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise DocumentRejected(
            "corrupt", f"The PDF is damaged and cannot be read ({_short(exc)}): export or download it again."
        ) from None
    finally:
        pypdf_log.setLevel(level)
    text_parts: list[str] = []
    sections: list[Section] = []
    offset = 0
    for number, page_text in enumerate(pages, start=1):
        cleaned = clean_text(page_text)
        if not cleaned:
            continue
        if text_parts:
            offset += 2
        sections.append(Section(start=offset, page=number))
        text_parts.append(cleaned)
        offset += len(cleaned)
    return ParsedDocument("\n\n".join(text_parts), "pdf", sections, title)


def parse_docx(data: bytes) -> ParsedDocument:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not data.startswith(b"PK"):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            # OLE container: legacy .doc or an encrypted Office file
            raise DocumentRejected(
                "encrypted",
                "The Word file is password-protected or in the old .doc format: remove the password "
                "or save it as .docx and upload it again.",
            )
        raise DocumentRejected(
            "corrupt", "The file is not a valid .docx (not a zip package): save it again as .docx."
        )
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise DocumentRejected(
            "corrupt",
            f"The .docx file is damaged and cannot be read ({_short(exc)}): save it again from Word.",
        ) from None
    parts: list[str] = []
    sections: list[Section] = []
    offset = 0
    title = (document.core_properties.title or None) if document.core_properties else None

    def add(line: str, heading: str | None = None) -> None:
        nonlocal offset
        if parts:
            offset += 2
        if heading:
            sections.append(Section(start=offset, heading=heading))
        parts.append(line)
        offset += len(line)

    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(block, document)
            line = paragraph.text.strip()
            if not line:
                continue
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            if style.startswith("Heading") or style == "Title":
                level = int(style.split()[-1]) if style.split()[-1].isdigit() else 1
                add("#" * level + " " + line, heading=line)
                title = title or line
            else:
                add(line)
        elif tag == "tbl":
            table = docx.table.Table(block, document)
            for row in table.rows:
                cells = [" ".join(cell.text.split()) for cell in row.cells]
                line = " | ".join(cell for cell in cells if cell)
                if line:
                    add(line)
    return ParsedDocument("\n\n".join(parts), "docx", sections, title)


def _short(exc: BaseException) -> str:
    message = str(exc).strip() or type(exc).__name__
    return message if len(message) <= 120 else message[:117] + "..."
