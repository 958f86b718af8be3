"""Every supported format parses to its text (with headings/pages), every broken file is rejected with the
failure kind its manifest names and a sentence a user can act on."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
import yaml
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from assets.knowledge.parsing import DocumentRejected, normalize_type, parse_bytes, parse_text
from tests.assets.knowledge.conftest import BROKEN


def make_pdf(pages: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for lines in pages:
        y = 800
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Referral Rewards", level=1)
    document.add_paragraph("Customers who refer a company earn a credit of 500 dollars per signed deal.")
    document.add_heading("Eligibility", level=2)
    document.add_paragraph("Only paying customers in good standing may refer other companies.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Tier"
    table.rows[0].cells[1].text = "Gold"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


HTML = """<html><head><title>Webinar Playbook</title></head><body>
<nav><a href="/">Home</a> <a href="/pricing">Pricing</a> Cookie settings menu navigation</nav>
<main><article><h1>Webinar Playbook</h1>
<p>Promote every webinar for three weeks with two emails and one LinkedIn post per week before the event.</p>
<h2>Follow-up</h2><p>Send the recording to every registrant within 24 hours, attendees and no-shows alike.</p>
</article></main>
<footer>Copyright 2025 Northwind Growth. All rights reserved. Privacy policy. Imprint.</footer>
</body></html>"""


def test_txt_and_markdown_keep_text_and_headings() -> None:
    md = parse_bytes(b"# Brand Voice\n\nWe sound like a colleague.\n\n## Tone\n\nCalm and direct.\n", "md")
    assert "We sound like a colleague." in md.text
    assert [s.heading for s in md.sections] == ["Brand Voice", "Tone"]
    assert md.title == "Brand Voice"
    assert md.location(md.text.index("Calm"), len(md.text)) == {"heading": "Tone"}

    txt = parse_bytes(b"BILLING FAQ\n===========\n\nInvoices are sent monthly.\n", None, "faq.txt")
    assert txt.file_type == "txt" and txt.title == "BILLING FAQ"
    assert "Invoices are sent monthly." in txt.text
    latin1 = parse_bytes("Caf\xe9 cr\xe8me pricing".encode("cp1252"), "text/plain")
    assert latin1.text == "Café crème pricing"


def test_html_keeps_main_text_not_boilerplate() -> None:
    doc = parse_bytes(HTML.encode(), "text/html", "page.html")
    assert "Send the recording to every registrant" in doc.text
    assert "Promote every webinar" in doc.text
    for boilerplate in ("Cookie settings", "All rights reserved", "Pricing"):
        assert boilerplate not in doc.text
    assert "Follow-up" in [s.heading for s in doc.sections]
    # the app may store HTML in `content` with file_type html
    assert "Send the recording" in parse_text(HTML, "html").text


def test_pdf_text_and_pages() -> None:
    data = make_pdf(
        [["Account based marketing targets named accounts."], ["Tier one accounts get direct mail."]]
    )
    doc = parse_bytes(data, "application/pdf", "abm.pdf")
    assert "Account based marketing targets named accounts." in doc.text
    second = doc.text.index("Tier one")
    assert doc.location(second, second + 10)["page"] == 2
    assert doc.location(0, len(doc.text)) == {"page": 1, "page_end": 2}


def test_docx_text_headings_and_tables() -> None:
    doc = parse_bytes(make_docx(), "docx", "rewards.docx")
    assert "earn a credit of 500 dollars" in doc.text
    assert "Tier | Gold" in doc.text
    assert [s.heading for s in doc.sections] == ["Referral Rewards", "Eligibility"]
    assert doc.location(doc.text.index("Only paying"), len(doc.text))["heading"] == "Eligibility"


def test_type_names_and_mime_types() -> None:
    assert normalize_type("application/pdf") == "pdf"
    assert normalize_type("text/markdown; charset=utf-8") == "md"
    assert normalize_type(None, "notes.HTM") == "html"
    assert normalize_type(None, "archive.zip") is None


MANIFEST = yaml.safe_load((BROKEN / "manifest.yaml").read_text())["documents"]


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_broken_documents_are_rejected_with_their_kind(entry: dict) -> None:
    path: Path = BROKEN / entry["file"]
    with pytest.raises(DocumentRejected) as rejected:
        parse_bytes(path.read_bytes(), None, path.name)
    assert rejected.value.kind == entry["expected_failure"]
    reason = rejected.value.reason
    # a sentence for a person: no traceback, says what to do
    assert reason[0].isupper() and reason.endswith(".") and "Traceback" not in reason
    assert ":" in reason


def test_text_without_content_is_rejected() -> None:
    with pytest.raises(DocumentRejected) as rejected:
        parse_text(" \n\t\u00a0", None)
    assert rejected.value.kind == "empty"
