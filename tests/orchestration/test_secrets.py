"""orchestration.secrets against the real `public.user_secrets` / `public.secret_audit_logs` tables."""

from __future__ import annotations

import base64
import logging
import os
import stat
import uuid
from pathlib import Path

import psycopg
import pytest

from orchestration.secrets import (
    SecretError,
    delete_secret,
    key_id,
    list_secrets,
    load_key,
    read_secret,
    store_secret,
)
from orchestration.settings import Settings, get_settings

PLAINTEXT = "sk-live-7f3a9c2e51b84d06-PLAINTEXT-MARKER"


def new_key() -> bytes:
    return os.urandom(32)


def make_user(conn: psycopg.Connection) -> str:
    user_id = str(uuid.uuid4())
    conn.execute(
        "insert into auth.users (id, email) values (%s, %s)", (user_id, f"{user_id[:8]}@secrets.test")
    )
    return user_id


def audit(conn: psycopg.Connection, user_id: str) -> list[tuple]:
    return conn.execute(
        "select service_name, operation, success, error_message, host(ip_address), user_agent"
        " from public.secret_audit_logs where user_id = %s order by created_at, ctid",
        (user_id,),
    ).fetchall()


def stored(conn: psycopg.Connection, user_id: str, service: str) -> tuple:
    return conn.execute(
        "select encrypted_value, initialization_vector, metadata, last_used_at from public.user_secrets"
        " where user_id = %s and service_name = %s",
        (user_id, service),
    ).fetchone()


@pytest.fixture
def user(conn: psycopg.Connection) -> str:
    return make_user(conn)


@pytest.fixture
def key() -> bytes:
    return new_key()


def test_round_trip_and_audit_per_operation(conn: psycopg.Connection, user: str, key: bytes) -> None:
    assert store_secret(
        conn, user, "openai_api_key", PLAINTEXT, key=key, ip_address="10.1.2.3", user_agent="ua/1"
    )
    assert read_secret(conn, user, "openai_api_key", key=key) == PLAINTEXT
    assert store_secret(conn, user, "openai_api_key", PLAINTEXT + "-v2", key=key) == "update"
    assert read_secret(conn, user, "openai_api_key", key=key) == PLAINTEXT + "-v2"
    assert delete_secret(conn, user, "openai_api_key") is True
    assert stored(conn, user, "openai_api_key") is None
    assert audit(conn, user) == [
        ("openai_api_key", "create", True, None, "10.1.2.3", "ua/1"),
        ("openai_api_key", "read", True, None, None, None),
        ("openai_api_key", "update", True, None, None, None),
        ("openai_api_key", "read", True, None, None, None),
        ("openai_api_key", "delete", True, None, None, None),
    ]


def test_stored_format_and_last_used(conn: psycopg.Connection, user: str, key: bytes) -> None:
    store_secret(conn, user, "gemini_api_key_encrypted", PLAINTEXT, key=key)
    ciphertext, iv, metadata, last_used = stored(conn, user, "gemini_api_key_encrypted")
    assert len(base64.b64decode(iv)) == 12
    # GCM: ciphertext as long as the plaintext plus the 16-byte tag
    assert len(base64.b64decode(ciphertext)) == len(PLAINTEXT.encode()) + 16
    assert metadata == {"algorithm": "AES-256-GCM", "key_id": key_id(key)}
    assert last_used is None
    read_secret(conn, user, "gemini_api_key_encrypted", key=key)
    assert stored(conn, user, "gemini_api_key_encrypted")[3] is not None


def test_same_plaintext_gets_distinct_ivs(conn: psycopg.Connection, user: str, key: bytes) -> None:
    other = make_user(conn)
    store_secret(conn, user, "svc", PLAINTEXT, key=key)
    first = stored(conn, user, "svc")
    store_secret(conn, other, "svc", PLAINTEXT, key=key)
    store_secret(conn, user, "svc", PLAINTEXT, key=key)
    again, theirs = stored(conn, user, "svc"), stored(conn, other, "svc")
    assert len({first[1], again[1], theirs[1]}) == 3
    assert len({first[0], again[0], theirs[0]}) == 3


def test_tampered_value_fails_and_is_audited(conn: psycopg.Connection, user: str, key: bytes) -> None:
    store_secret(conn, user, "svc", PLAINTEXT, key=key)
    raw = bytearray(base64.b64decode(stored(conn, user, "svc")[0]))
    raw[0] ^= 1
    conn.execute(
        "update public.user_secrets set encrypted_value = %s where user_id = %s",
        (base64.b64encode(raw).decode(), user),
    )
    with pytest.raises(SecretError, match="altered"):
        read_secret(conn, user, "svc", key=key)
    last = audit(conn, user)[-1]
    assert last[:3] == ("svc", "read", False) and "altered" in last[3]


@pytest.mark.parametrize("target", ["other_user", "other_service"])
def test_value_copied_to_another_row_does_not_decrypt(
    conn: psycopg.Connection, user: str, key: bytes, target: str
) -> None:
    """The associated data binds a value to its (user_id, service_name)."""
    dest_user = make_user(conn) if target == "other_user" else user
    dest_service = "svc" if target == "other_user" else "svc_copy"
    store_secret(conn, user, "svc", PLAINTEXT, key=key)
    store_secret(conn, dest_user, dest_service, "something else", key=key)
    conn.execute(
        "update public.user_secrets d set encrypted_value = s.encrypted_value,"
        " initialization_vector = s.initialization_vector from public.user_secrets s"
        " where s.user_id = %s and s.service_name = 'svc' and d.user_id = %s and d.service_name = %s",
        (user, dest_user, dest_service),
    )
    with pytest.raises(SecretError, match="belongs to another user or service"):
        read_secret(conn, dest_user, dest_service, key=key)
    assert read_secret(conn, user, "svc", key=key) == PLAINTEXT


def test_wrong_key_is_a_clear_error_and_audited(conn: psycopg.Connection, user: str, key: bytes) -> None:
    store_secret(conn, user, "svc", PLAINTEXT, key=key)
    with pytest.raises(SecretError, match="does not match the one the value was encrypted with"):
        read_secret(conn, user, "svc", key=new_key(), ip_address="192.0.2.7")
    service, operation, success, error, ip, _ = audit(conn, user)[-1]
    assert (service, operation, success, ip) == ("svc", "read", False, "192.0.2.7")
    assert "does not match" in error and key_id(key) in error


def test_missing_secret_read_and_delete_are_audited_failures(
    conn: psycopg.Connection, user: str, key: bytes
) -> None:
    with pytest.raises(SecretError, match="no active secret 'absent'"):
        read_secret(conn, user, "absent", key=key)
    assert delete_secret(conn, user, "absent") is False
    assert [r[:3] for r in audit(conn, user)] == [("absent", "read", False), ("absent", "delete", False)]


def test_list_secrets_gives_names_only(conn: psycopg.Connection, user: str, key: bytes) -> None:
    other = make_user(conn)
    store_secret(conn, user, "zeta", PLAINTEXT, key=key)
    store_secret(conn, user, "alpha", PLAINTEXT, key=key)
    store_secret(conn, other, "theirs", PLAINTEXT, key=key)
    assert list_secrets(conn, user) == ["alpha", "zeta"]
    assert list_secrets(conn, other) == ["theirs"]


def test_invalid_arguments(conn: psycopg.Connection, user: str, key: bytes) -> None:
    with pytest.raises(SecretError, match="UUID"):
        store_secret(conn, "not-a-uuid", "svc", PLAINTEXT, key=key)
    with pytest.raises(SecretError, match="service_name"):
        store_secret(conn, user, " ", PLAINTEXT, key=key)
    with pytest.raises(SecretError, match="non-empty string"):
        store_secret(conn, user, "svc", "", key=key)
    assert audit(conn, user) == []


# -- key ------------------------------------------------------------------------------------------------------
def embedded_settings(home: Path, **env: str) -> Settings:
    return get_settings({"AIP_HOME": str(home), **env})


def test_embedded_key_file_created_0600_and_reused(
    tmp_path: Path, conn: psycopg.Connection, user: str
) -> None:
    settings = embedded_settings(tmp_path / "home")
    assert settings.embedded and not settings.secret_key_file.exists()
    key = load_key(settings)
    assert len(key) == 32
    assert stat.S_IMODE(settings.secret_key_file.stat().st_mode) == 0o600
    assert load_key(settings) == key
    store_secret(conn, user, "svc", PLAINTEXT, settings=settings)
    assert read_secret(conn, user, "svc", settings=embedded_settings(tmp_path / "home")) == PLAINTEXT
    # another AIP_HOME has another key: the value does not decrypt there
    with pytest.raises(SecretError, match="does not match"):
        read_secret(conn, user, "svc", settings=embedded_settings(tmp_path / "elsewhere"))


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path)
    load_key(settings)
    settings.secret_key_file.chmod(0o644)
    with pytest.raises(SecretError, match="chmod 600"):
        load_key(settings)


def test_aip_secret_key_is_used(tmp_path: Path) -> None:
    key = new_key()
    settings = embedded_settings(tmp_path, AIP_SECRET_KEY=base64.b64encode(key).decode())
    assert load_key(settings) == key
    assert not settings.secret_key_file.exists()


@pytest.mark.parametrize(
    "raw",
    [
        "not base64 at all!",
        base64.b64encode(b"sixteen byte key").decode(),
        base64.b64encode(os.urandom(33)).decode(),
    ],
    ids=["not-base64", "16-bytes", "33-bytes"],
)
def test_malformed_aip_secret_key(tmp_path: Path, raw: str) -> None:
    with pytest.raises(SecretError, match=r"AIP_SECRET_KEY must be the base64 encoding of 32 random bytes"):
        load_key(embedded_settings(tmp_path, AIP_SECRET_KEY=raw))


def test_external_database_needs_a_key(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, DATABASE_URL="postgresql://db.invalid/aip")
    with pytest.raises(SecretError, match="AIP_SECRET_KEY is not set"):
        load_key(settings)
    assert not settings.secret_key_file.exists()


# -- plaintext never leaves the process --------------------------------------------------------------------------
def test_plaintext_never_reaches_database_or_logs(
    conn: psycopg.Connection, user: str, key: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store_secret(conn, user, "svc", PLAINTEXT, key=key)
    store_secret(conn, user, "svc2", PLAINTEXT, key=key)
    store_secret(conn, user, "svc2", PLAINTEXT + "x", key=key)
    assert read_secret(conn, user, "svc", key=key) == PLAINTEXT
    with pytest.raises(SecretError) as failure:
        read_secret(conn, user, "svc", key=new_key())
    assert PLAINTEXT not in str(failure.value)
    delete_secret(conn, user, "svc")
    assert caplog.records, "the secrets module logged nothing at DEBUG: the scan below would prove nothing"
    for record in caplog.records:
        assert PLAINTEXT not in record.getMessage()
    assert PLAINTEXT not in caplog.text
    relations = conn.execute(
        "select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')"
    ).fetchall()
    assert len(relations) > 60
    needle = PLAINTEXT[:20]  # a prefix: catches the value however it is suffixed or embedded
    for (relation,) in relations:
        hits = conn.execute(
            f"select count(*) from {relation} t where t::text like %s", (f"%{needle}%",)
        ).fetchone()
        assert hits == (0,), f"plaintext found in {relation}"
    # the scan can find text: the marker written in clear into a table shows up
    conn.execute("update public.secret_audit_logs set user_agent = %s where user_id = %s", (PLAINTEXT, user))
    hit = conn.execute(
        "select count(*) from public.secret_audit_logs t where t::text like %s", (f"%{needle}%",)
    ).fetchone()
    assert hit[0] > 0
