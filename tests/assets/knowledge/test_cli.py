"""`aip ingest` and `aip search` as a user runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import typer
from typer.testing import CliRunner

from assets.knowledge import cli
from orchestration.settings import Settings
from tests.assets.knowledge.conftest import BROKEN, CORPUS, create_user


def app() -> typer.Typer:
    application = typer.Typer()
    application.command("ingest")(cli.ingest)
    application.command("search")(cli.search)
    return application


def test_ingest_then_search(pg: psycopg.Connection, settings: Settings, tmp_path: Path) -> None:
    create_user(pg, "maya@example.com")
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(CORPUS / "playbook-referral-program.txt", folder)
    shutil.copy(CORPUS / "faq-billing.txt", folder)
    shutil.copy(BROKEN / "corrupt.pdf", folder)
    runner = CliRunner()
    result = runner.invoke(
        app(), ["ingest", str(folder), "--user", "maya@example.com", "--bucket", "Playbooks"]
    )
    assert result.exit_code == 0, result.output
    assert "3 documents: 2 indexed, 0 unchanged, 1 failed" in result.output
    assert "damaged" in result.output
    again = runner.invoke(
        app(), ["ingest", str(folder), "--user", "maya@example.com", "--bucket", "Playbooks"]
    )
    assert "0 indexed, 3 unchanged" in again.output and "(0 embedded" in again.output

    found = runner.invoke(app(), ["search", "what do customers get for referring a company?", "--user",
                                  "maya@example.com", "--limit", "3", "--hybrid"])  # fmt: skip
    assert found.exit_code == 0, found.output
    assert "referral" in found.output.lower()
    logged = pg.execute("select count(*), min(agent_type) from public.knowledge_access_logs").fetchone()
    assert logged == (3, "aip-cli")

    unknown = runner.invoke(app(), ["search", "anything", "--user", "nobody@example.com"])
    assert unknown.exit_code == 1 and "No user with email" in unknown.output
