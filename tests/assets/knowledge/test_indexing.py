"""The pipeline against a real database: formats, failures, incremental re-runs, edits, deletes, races."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from assets.knowledge.chunking import content_hash
from assets.knowledge.indexing import (
    chunk_documents,
    chunker_for,
    index_documents,
    parse_documents,
    resolve_plan,
    write_batch,
)
from assets.knowledge.ingestion import process_pending
from assets.knowledge.sources import find_pending_documents
from orchestration.settings import Settings, get_settings
from tests.assets.knowledge.conftest import (
    BROKEN,
    CORPUS,
    Models,
    add_corpus,
    add_document,
    assert_consistent,
    chunk_rows,
)
from tests.assets.knowledge.test_parsing import HTML, make_docx, make_pdf

FORMATS = ["playbook-seo-content.md", "faq-billing.txt"]


def status(conn: psycopg.Connection, document_id: str) -> tuple[str, str | None]:
    return conn.execute(
        "select status, processing_error from public.knowledge_documents where id = %s", (document_id,)
    ).fetchone()


def test_every_format_indexes_and_every_failure_is_recorded(
    pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models, tmp_path: Path
) -> None:
    user_id, bucket = user
    (tmp_path / "abm.pdf").write_bytes(make_pdf([["Account based marketing targets named accounts."]] * 2))
    (tmp_path / "rewards.docx").write_bytes(make_docx())
    good = {
        "md": add_document(pg, bucket, user_id, "SEO", upload_path=CORPUS / "playbook-seo-content.md"),
        "txt": add_document(pg, bucket, user_id, "Billing", upload_path=CORPUS / "faq-billing.txt"),
        "html": add_document(pg, bucket, user_id, "Webinars", content=HTML, file_type="text/html"),
        "pdf": add_document(pg, bucket, user_id, "ABM", upload_path=tmp_path / "abm.pdf"),
        "docx": add_document(pg, bucket, user_id, "Rewards", upload_path=tmp_path / "rewards.docx"),
        "content": add_document(
            pg, bucket, user_id, "Note", content="Our brand voice is calm, direct and kind."
        ),
    }
    broken = {p.name: add_document(pg, bucket, user_id, p.name, upload_path=p) for p in sorted(BROKEN.iterdir())
              if p.name != "manifest.yaml"}  # fmt: skip
    broken["missing"] = add_document(pg, bucket, user_id, "Gone", upload_path=tmp_path / "nowhere.pdf")
    report = process_pending(pg, settings, models)

    assert report.ready == len(good) and report.failed == len(broken)
    for kind, document_id in good.items():
        assert status(pg, document_id) == ("ready", None), kind
        assert chunk_rows(pg, document_id), kind
    for name, document_id in broken.items():
        state, error = status(pg, document_id)
        assert state == "failed" and error and error[0].isupper(), name
        assert chunk_rows(pg, document_id) == [], name
    assert "password-protected" in status(pg, broken["encrypted.pdf"])[1]
    assert "Unsupported file type 'xyz'" in status(pg, broken["unknown-type.xyz"])[1]
    assert "not found" in status(pg, broken["missing"])[1]
    html_chunks = " ".join(r[0] for r in pg.execute(
        "select content from public.knowledge_chunks where document_id = %s", (good["html"],)).fetchall())  # fmt: skip
    assert "Send the recording" in html_chunks and "All rights reserved" not in html_chunks
    document = pg.execute(
        "select title, summary, content, file_type from public.knowledge_documents where id = %s",
        (good["md"],),
    ).fetchone()
    assert document[0] == "SEO" and document[1] and "Keyword selection" in document[2]
    assert_consistent(pg)
    # a second run finds nothing to do: failures are not retried while their source is unchanged
    again = process_pending(pg, settings, models)
    assert (again.documents, again.embedded) == (0, 0)


def test_oversized_documents_fail_and_the_rest_go_on(
    pg: psycopg.Connection, user: tuple[str, str], models: Models, monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
) -> None:  # fmt: skip
    user_id, bucket = user
    monkeypatch.setenv("AIP_MAX_DOCUMENT_BYTES", "2000")
    small = add_document(pg, bucket, user_id, "Small", content="Short note about webinar follow-up timing.")
    large = add_document(pg, bucket, user_id, "Large", upload_path=CORPUS / "playbook-seo-content.md")
    report = process_pending(pg, get_settings(), models)
    assert (report.ready, report.failed) == (1, 1)
    assert status(pg, small) == ("ready", None)
    state, error = status(pg, large)
    assert state == "failed" and "limit" in error and "AIP_MAX_DOCUMENT_BYTES" in error


def test_unchanged_rerun_embeds_nothing(
    pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models
) -> None:
    user_id, bucket = user
    ids = add_corpus(pg, bucket, user_id, FORMATS)
    first = process_pending(pg, settings, models)
    assert first.embedded > 0 and first.embedded == models.default.texts
    before = {d: chunk_rows(pg, d) for d in ids.values()}
    # the app marks the documents for processing again without changing them
    pg.execute("update public.knowledge_documents set status = 'processing'")
    second = process_pending(pg, settings, models)
    assert second.embedded == 0 and second.unchanged == len(ids)
    assert models.default.texts == first.embedded
    assert {d: chunk_rows(pg, d) for d in ids.values()} == before
    assert {status(pg, d)[0] for d in ids.values()} == {"ready"}
    assert find_pending_documents(pg, settings) == []


def test_edit_reembeds_only_changed_chunks(
    pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models, tmp_path: Path
) -> None:
    user_id, bucket = user
    path = tmp_path / "seo.md"
    shutil.copy(CORPUS / "playbook-seo-content.md", path)
    document = add_document(pg, bucket, user_id, "SEO", upload_path=path)
    process_pending(pg, settings, models)
    before = chunk_rows(pg, document)
    text = path.read_text()
    edited = text.replace(
        "Organic search drives about 44% of the traffic", "Organic search drives about 52% of the traffic"
    )
    assert edited != text
    path.write_text(edited)
    assert find_pending_documents(pg, settings) == [document]  # the sensor sees the file change
    embedded_before = models.default.texts
    report = process_pending(pg, settings, models)
    after = chunk_rows(pg, document)
    changed = {h for _, _, h, _ in after} - {h for _, _, h, _ in before}
    assert 0 < report.embedded == len(changed) == models.default.texts - embedded_before
    assert len(changed) < len(after) / 2
    # unchanged chunks kept their rows (ids) and vectors
    kept_ids = {i for i, _, h, _ in after if h not in changed}
    assert kept_ids <= {i for i, _, _, _ in before}
    assert any("52%" in r[0] for r in pg.execute(
        "select content from public.knowledge_chunks where document_id = %s", (document,)).fetchall())  # fmt: skip
    assert_consistent(pg)


def test_inserting_a_section_shifts_indexes_without_reembedding(
    pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models
) -> None:
    user_id, bucket = user
    body = "\n\n".join(f"## Section {i}\n\n" + f"Paragraph {i} explains rule {i} of the nurture program. " * 20
                       for i in range(6))  # fmt: skip
    document = add_document(pg, bucket, user_id, "Rules", content=body)
    process_pending(pg, settings, models)
    before = chunk_rows(pg, document)
    new_body = "## Preface\n\nA new opening section about consent rules.\n\n" + body
    pg.execute("update public.knowledge_documents set content = %s where id = %s", (new_body, document))
    report = process_pending(pg, settings, models)
    after = chunk_rows(pg, document)
    old = {i: idx for i, idx, _, _ in before}
    kept = {i: idx for i, idx, _, _ in after if i in old}
    # only the chunks around the new text are new; every other chunk kept its row and vector and moved
    # down by as many places as chunks were added
    assert 1 <= report.embedded <= 2 and len(kept) >= len(before) - 2
    assert len(after) - len(kept) == report.embedded
    assert {idx - old[i] for i, idx in kept.items()} == {len(after) - len(before)}
    assert_consistent(pg)


def test_deleted_document_takes_its_chunks(
    pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models
) -> None:
    user_id, bucket = user
    ids = add_corpus(pg, bucket, user_id, FORMATS)
    process_pending(pg, settings, models)
    gone = ids[FORMATS[0]]
    pg.execute("delete from public.knowledge_documents where id = %s", (gone,))
    assert chunk_rows(pg, gone) == []
    assert (
        pg.execute(
            "select count(*) from aip.knowledge_document_sources where document_id = %s", (gone,)
        ).fetchone()[0]
        == 0
    )
    assert chunk_rows(pg, ids[FORMATS[1]])
    assert_consistent(pg)


def test_document_changed_during_processing_is_left_pending(
    pg: psycopg.Connection, user: tuple[str, str], settings: Settings, models: Models
) -> None:
    user_id, bucket = user
    document = add_document(pg, bucket, user_id, "Note", content="Version one of the launch checklist.")
    plan = resolve_plan(pg, settings, models)
    parsed = parse_documents(pg, [document], settings, plan)
    chunked = chunk_documents(parsed, chunker_for(models(plan.active.name), settings))
    pg.execute("update public.knowledge_documents set content = 'Version two of the launch checklist.' where id = %s",
               (document,))  # fmt: skip
    report = write_batch(pg, chunked, models)
    assert report.requeued == 1 and chunk_rows(pg, document) == []
    assert find_pending_documents(pg, settings) == [document]
    index_documents(pg, [document], settings, models)
    assert [h for _, _, h, _ in chunk_rows(pg, document)] == [
        content_hash("Version two of the launch checklist.")
    ]


def test_crash_mid_batch_leaves_no_duplicates_or_orphans(
    pg: psycopg.Connection,
    user: tuple[str, str],
    settings: Settings,
    models: Models,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import assets.knowledge.indexing as indexing

    user_id, bucket = user
    ids = add_corpus(pg, bucket, user_id, sorted(p.name for p in CORPUS.iterdir())[:6])
    real_write = indexing.write_document
    written = []

    def crash_after_two(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if len(written) == 2:
            raise RuntimeError("process killed")
        result = real_write(*args, **kwargs)
        written.append(result)
        return result

    monkeypatch.setattr(indexing, "write_document", crash_after_two)
    with pytest.raises(RuntimeError, match="process killed"):
        process_pending(pg, settings, models)
    assert (
        pg.execute("select count(*) from public.knowledge_documents where status = 'ready'").fetchone()[0]
        == 2
    )
    assert_consistent(pg)
    monkeypatch.setattr(indexing, "write_document", real_write)
    report = process_pending(pg, settings, models)
    assert report.ready == len(ids) - 2 and report.unchanged == 0
    assert_consistent(pg)
    assert pg.execute("select count(*) from public.knowledge_documents where status = 'ready'").fetchone()[
        0
    ] == len(ids)


def test_ingest_pending_processes_the_platform_database(
    pg: psycopg.Connection, user: tuple[str, str], settings: Settings
) -> None:
    """What `make run` calls: settings only (the configured model, loaded offline)."""
    from assets.knowledge.ingestion import ingest_pending

    user_id, bucket = user
    ids = add_corpus(pg, bucket, user_id, FORMATS)
    report = ingest_pending(settings)
    assert report.ready == len(ids) and report.chunks > 0 and report.failed == 0
    assert ingest_pending(settings).documents == 0
    assert_consistent(pg)
