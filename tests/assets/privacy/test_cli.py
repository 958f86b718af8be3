"""`aip privacy export|delete EMAIL` files requests and, with --now, fulfils them."""

from __future__ import annotations

import uuid
import zipfile

import psycopg
from typer.testing import CliRunner

from assets.privacy import requests as rq
from assets.privacy.cli import privacy_app
from orchestration.settings import Settings
from tests.assets.privacy.conftest import rows_naming_user

runner = CliRunner()


def _user(conn: psycopg.Connection, email: str) -> uuid.UUID:
    user = uuid.uuid4()
    conn.execute("insert into auth.users (id, email) values (%s, %s)", (user, email))
    conn.execute(
        "insert into public.leads (source, email, created_by) values ('web', 'ann@example.com', %s)", (user,)
    )
    return user


def test_export_files_a_request_once_and_now_writes_the_archive(
    conn: psycopg.Connection, settings: Settings
) -> None:
    user = _user(conn, "Owner@Example.com")

    first = runner.invoke(privacy_app, ["export", "owner@example.com"])
    second = runner.invoke(privacy_app, ["export", "owner@example.com", "--now"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    (request_id, status, url) = conn.execute(
        "select id, status, download_url from public.data_export_requests where user_id = %s", (user,)
    ).fetchone()  # one request: the second call re-used the open one
    assert status == "completed" and url.startswith("file://")
    archive = settings.storage_dir / "exports" / str(user) / f"{request_id}.zip"
    with zipfile.ZipFile(archive) as zf:
        assert "public.leads.json" in zf.namelist()


def test_delete_needs_confirmation_before_it_erases(conn: psycopg.Connection, settings: Settings) -> None:
    user = _user(conn, "leaving@example.com")

    refused = runner.invoke(privacy_app, ["delete", "leaving@example.com", "--now"])
    filed = runner.invoke(privacy_app, ["delete", "leaving@example.com"])
    assert refused.exit_code == 1 and "--confirm" in refused.output
    assert filed.exit_code == 0 and rows_naming_user(conn, user)
    assert rq.pending_requests(conn, rq.DELETION) == []  # not confirmed: the sensor leaves it alone

    done = runner.invoke(privacy_app, ["delete", "leaving@example.com", "--confirm", "--now"])

    assert done.exit_code == 0, done.output
    assert rows_naming_user(conn, user) == {}
    statuses = conn.execute("select status from public.data_deletion_requests").fetchall()
    assert statuses == [("completed",)]


def test_unknown_email_is_an_error_that_says_so(conn: psycopg.Connection, settings: Settings) -> None:
    result = runner.invoke(privacy_app, ["export", "nobody@example.com"])

    assert result.exit_code == 1 and "no user with e-mail" in result.output
