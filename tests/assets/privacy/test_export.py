"""Data export: exactly the user's rows, every owned table, no secret, consistent types, idempotent."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import psycopg

from assets.privacy import requests as rq
from assets.privacy.export import process_export_request
from assets.privacy.ownership import spec_tables
from orchestration.secrets import store_secret
from orchestration.settings import Settings
from tests.assets.privacy.conftest import spec_owned_count
from tests.assets.privacy.seeding import Seeded

PLAINTEXT = "sk-live-PLAINTEXT-never-exported-0123456789"


def _members(archive: Path) -> dict[str, dict]:
    with zipfile.ZipFile(archive) as zf:
        return {name: json.loads(zf.read(name)) for name in zf.namelist()}


def test_export_holds_exactly_the_users_rows_and_no_secret(
    conn: psycopg.Connection, seeded: Seeded, settings: Settings, storage_dir: Path
) -> None:
    user, others = seeded.users[0], seeded.users[1:]
    store_secret(conn, user, "openai_api_key", PLAINTEXT, key=os.urandom(32))
    ciphertext = conn.execute(
        "select encrypted_value from public.user_secrets where user_id = %s and service_name = 'openai_api_key'",
        (user,),
    ).fetchone()[0]
    request, created = rq.file_request(conn, rq.EXPORT, user)
    assert created
    # counted before the export, which adds its own audit entry afterwards
    owned = [
        t
        for t, b in spec_tables().items()
        if t != "auth.users" and (b.get("owner_column") or b.get("owner_via"))
    ]
    expected = {table: spec_owned_count(conn, table, user) for table in owned}
    assert all(expected.values()), "the seed gives the user rows in every owned table"

    result = process_export_request(conn, request.id, storage_dir)

    assert result.status == "completed", result.error
    status, completed_at, url = conn.execute(
        "select status, completed_at, download_url from public.data_export_requests where id = %s",
        (request.id,),
    ).fetchone()
    assert status == "completed" and completed_at is not None
    archive = storage_dir / "exports" / str(user) / f"{request.id}.zip"
    assert url == archive.resolve().as_uri() and archive.exists()
    members = _members(archive)
    manifest = members.pop("manifest.json")

    # every spec table the user owns rows in, with the count an independent join over the spec gives
    for table, count in expected.items():
        assert manifest["tables"][table] == count, table
        assert members[f"{table}.json"]["row_count"] == count == len(members[f"{table}.json"]["rows"]), table
    assert manifest["tables"]["auth.users"] == 1
    assert members["auth.users.json"]["rows"][0]["email"] == seeded.emails[user]
    # the archive names no other user anywhere, and each row's owner column is the user
    raw = b"".join(json.dumps(m).encode() for m in members.values())
    for other in others:
        assert str(other).encode() not in raw and seeded.emails[other].encode() not in raw
    for name, member in members.items():
        owner = spec_tables().get(name.removesuffix(".json"), {}).get("owner_column")
        if owner:
            assert {row[owner] for row in member["rows"]} == {str(user)}, name

    # the secret: by service name only; neither plaintext nor ciphertext, compressed or not
    secrets = members["public.user_secrets.json"]
    assert "openai_api_key" in {row["service_name"] for row in secrets["rows"]}
    assert {"encrypted_value", "initialization_vector"} <= set(secrets["withheld_columns"])
    assert not {"encrypted_value", "initialization_vector"} & set(secrets["columns"])
    blob = archive.read_bytes()
    for needle in (PLAINTEXT.encode(), ciphertext.encode()):
        assert needle not in blob and needle not in raw
    assert "access_token_encrypted" in members["public.oauth_connections.json"]["withheld_columns"]
    assert "encrypted_password" not in members["auth.users.json"]["columns"]

    # column types serialise: vectors as float lists, inet and numeric as strings
    chunk = members["public.knowledge_chunks.json"]["rows"][0]
    assert isinstance(chunk["embedding"], list) and len(chunk["embedding"]) == 384
    ips = [r["ip_address"] for r in members["public.secret_audit_logs.json"]["rows"] if r["ip_address"]]
    assert ips and all(isinstance(ip, str) and ip.startswith("10.0.0.") for ip in ips)
    assert isinstance(members["public.campaigns.json"]["rows"][0]["total_budget"], str)

    # idempotent: a completed request is left as it is
    before = archive.stat().st_mtime_ns
    assert process_export_request(conn, request.id, storage_dir).status == "skipped"
    assert archive.stat().st_mtime_ns == before


def test_export_includes_warehouse_rows_found_in_the_catalog(
    conn: psycopg.Connection, seeded: Seeded, storage_dir: Path
) -> None:
    user = seeded.users[1]
    conn.execute("create schema if not exists marts")
    conn.execute("create table marts.fct_privacy_probe (user_id uuid, day date, spend numeric(12, 2))")
    conn.execute(
        "insert into marts.fct_privacy_probe select id, date '2025-06-01' + g, g * 1.25"
        " from auth.users, generate_series(0, 4) as g"
    )
    request, _ = rq.file_request(conn, rq.EXPORT, user)

    result = process_export_request(conn, request.id, storage_dir)

    members = _members(result.archive)
    probe = members["marts.fct_privacy_probe.json"]
    assert probe["row_count"] == 5
    assert {row["user_id"] for row in probe["rows"]} == {str(user)}
    assert probe["rows"][1]["spend"] == "1.25"


def test_export_carries_the_users_stored_files_only(
    conn: psycopg.Connection, seeded: Seeded, storage_dir: Path
) -> None:
    user, other = seeded.users[0], seeded.users[1]
    for u in (user, other):
        (storage_dir / str(u)).mkdir()
        (storage_dir / str(u) / "avatar.png").write_bytes(f"avatar of {u}".encode())
        (storage_dir / "uploads").mkdir(exist_ok=True)
        (storage_dir / "uploads" / f"{u.hex}.pdf").write_bytes(f"document of {u}".encode())
        conn.execute(
            "update public.knowledge_documents set upload_path = %s where created_by = %s",
            ((storage_dir / "uploads" / f"{u.hex}.pdf").as_uri(), u),
        )
    request, _ = rq.file_request(conn, rq.EXPORT, user)

    result = process_export_request(conn, request.id, storage_dir)

    with zipfile.ZipFile(result.archive) as zf:
        files = sorted(n for n in zf.namelist() if n.startswith("files/"))
        assert files == [f"files/{user}/avatar.png", f"files/uploads/{user.hex}.pdf"]
        assert zf.read(f"files/uploads/{user.hex}.pdf") == f"document of {user}".encode()
        assert json.loads(zf.read("manifest.json"))["files"] == [f[len("files/") :] for f in files]


def test_failed_export_is_marked_failed_with_the_reason(
    conn: psycopg.Connection, seeded: Seeded, storage_dir: Path
) -> None:
    user = seeded.users[0]
    request, _ = rq.file_request(conn, rq.EXPORT, user)
    # the export cannot write its archive: a file stands where its directory should be
    (storage_dir / "exports").write_text("not a directory")

    result = process_export_request(conn, request.id, storage_dir)

    assert result.status == "failed"
    outcome = rq.request_outcome(conn, rq.EXPORT, request.id)
    assert outcome["status"] == "failed" and "exports" in outcome["error"]
    assert conn.execute(
        "select download_url from public.data_export_requests where id = %s", (request.id,)
    ).fetchone() == (None,)
