"""The `demo-data` command and the corpus manifest it registers."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import typer
from typer.testing import CliRunner

from assets.demo.cli import demo_data
from assets.demo.generator import DemoData, Window
from assets.demo.knowledge import ManifestError, read_manifest
from orchestration.settings import Settings
from tests.assets.demo.conftest import SPEC

app = typer.Typer()
app.command()(demo_data)


def test_command_loads_refuses_and_appends(settings: Settings, db_url: str) -> None:
    runner = CliRunner()
    args = ["--users", "2", "--days", "30", "--seed", "5", "--as-of", "2025-02-28"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "campaign_metrics" in first.output and "rows/s" in first.output
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "--replace" in again.output
    extended = runner.invoke(app, ["--append-days", "3"])
    assert extended.exit_code == 0, extended.output
    with psycopg.connect(db_url) as conn:
        assert conn.execute("select count(*) from auth.users").fetchone()[0] == 2
        assert (
            str(conn.execute("select max(metric_date) from public.campaign_metrics").fetchone()[0])
            == "2025-03-03"
        )


def test_manifest_formats_and_placement(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "brief.pdf").write_bytes(b"%PDF-1.4")
    manifest = tmp_path / "corpus_manifest.yaml"
    manifest.write_text(
        "documents:\n"
        "  - {file: brief.pdf, title: Launch brief, doc_type: campaign_brief, bucket_type: campaign, tags: [launch]}\n"
        "  - {file: assets/knowledge/corpus/x.docx, title: X, doc_type: faq, bucket_type: general}\n"
    )
    docs = read_manifest(manifest)
    assert [(d.file_type, d.bucket_type, d.tags) for d in docs] == [
        ("pdf", "campaign", ("launch",)),
        ("docx", "general", ()),
    ]
    assert docs[1].upload_path == "assets/knowledge/corpus/x.docx"
    bare = tmp_path / "bare.yaml"
    bare.write_text("- {file: a.txt, title: A}\n")
    assert read_manifest(bare)[0].bucket_type == "general"
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {file: a.txt, title: A, bucket_type: private}\n")
    with pytest.raises(ManifestError, match="bucket_type"):
        read_manifest(bad)
    assert read_manifest(tmp_path / "missing.yaml") == []

    data = DemoData(SPEC, Window.initial(SPEC), manifest)
    plan = {t.table: t for t in data.tables()}
    rows = b"".join(b for b, _ in plan["public.knowledge_documents"].batches()).decode().splitlines()
    buckets = b"".join(b for b, _ in plan["public.knowledge_buckets"].batches()).decode().splitlines()
    campaign_buckets = {line.split("\t")[0] for line in buckets if line.split("\t")[3] == "campaign"}
    assert len(rows) == 2 * SPEC.users
    for line in rows:
        fields = line.split("\t")
        assert fields[10] == "processing" and fields[4] == ""
        assert (fields[1] in campaign_buckets) == (fields[7] == "pdf")
