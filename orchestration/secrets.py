"""Users' API keys in `public.user_secrets`, encrypted with AES-256-GCM.

Each value gets a fresh random 12-byte IV (base64 in `initialization_vector`); the ciphertext with its GCM tag
is base64 in `encrypted_value`. The associated data binds a ciphertext to its (user_id, service_name), so a
value copied into another row does not decrypt. `metadata.key_id` records a fingerprint of the key (never the
key) so that a wrong key is told apart from a tampered value.

The key comes from AIP_SECRET_KEY (base64 of 32 bytes). On the embedded server with no key set, one is
generated once into `Settings.secret_key_file` (mode 0600) and re-used; with DATABASE_URL a key must be given,
because a key generated on one machine would leave the values unreadable everywhere else.

Every operation writes a `secret_audit_logs` row (create, update, read, delete; success or failure with the
error). Plaintext is never written to the database, put in an exception or logged. These functions are a
backend API: they run with the privileges of `conn` (superuser or service_role), since `authenticated` may not
write audit rows. Each call runs in its own transaction (a savepoint when `conn` is already in one); when the
caller rolls back an enclosing transaction, the audit rows go with it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import stat
import uuid
from pathlib import Path

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg.types.json import Jsonb

from orchestration.settings import Settings, get_settings

log = logging.getLogger(__name__)

KEY_BYTES = 32
IV_BYTES = 12
ALGORITHM = "AES-256-GCM"
_AAD_PREFIX = b"aip.user_secrets.v1"


class SecretError(RuntimeError):
    """A secret cannot be stored or read; the message says why and what to do (never the value)."""


# -- key --------------------------------------------------------------------------------------------------
def decode_key(raw: str, source: str) -> bytes:
    """The 32-byte key encoded as base64 in `raw`; `source` names where it came from for the error."""
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise SecretError(
            f"{source} must be the base64 encoding of {KEY_BYTES} random bytes (AES-256), but it is not. "
            'Generate one with: python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"'
        )
    return key


def key_id(key: bytes) -> str:
    """A short fingerprint of `key`, safe to store: it tells which key encrypted a value, not the key."""
    return hmac.new(key, b"aip secret key id", hashlib.sha256).hexdigest()[:16]


def load_key(settings: Settings | None = None) -> bytes:
    """The encryption key: AIP_SECRET_KEY, else (embedded only) the generated key file."""
    settings = settings or get_settings()
    if settings.secret_key:
        return decode_key(settings.secret_key, "AIP_SECRET_KEY")
    if not settings.embedded:
        raise SecretError(
            "AIP_SECRET_KEY is not set. With DATABASE_URL the platform does not generate a key (values would be "
            "unreadable on any other machine): set AIP_SECRET_KEY to the base64 of 32 random bytes, the same "
            "everywhere that reads these secrets."
        )
    return _key_file(settings.secret_key_file)


def _key_file(path: Path) -> bytes:
    """Read the key file, creating it (mode 0600) if absent.

    The new key is written to a private temporary file and hard-linked into place: the link fails if another
    process got there first (then its key is used), and no reader ever sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(base64.b64encode(os.urandom(KEY_BYTES)).decode() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.link(tmp, path)
            log.info("generated a new secret key in %s", path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SecretError(
            f"The secret key file {path} is readable by other users (mode {mode:o}); run `chmod 600 {path}`."
        )
    return decode_key(path.read_text(), f"The secret key file {path}")


# -- encryption ---------------------------------------------------------------------------------------------
def _aad(user_id: str, service_name: str) -> bytes:
    return b"\x00".join((_AAD_PREFIX, user_id.encode(), service_name.encode()))


def encrypt(key: bytes, user_id: str, service_name: str, plaintext: str) -> tuple[str, str]:
    """(ciphertext, iv), both base64, of `plaintext` bound to (user_id, service_name)."""
    iv = os.urandom(IV_BYTES)
    ciphertext = AESGCM(key).encrypt(iv, plaintext.encode(), _aad(user_id, service_name))
    return base64.b64encode(ciphertext).decode(), base64.b64encode(iv).decode()


def decrypt(key: bytes, user_id: str, service_name: str, ciphertext: str, iv: str) -> str:
    """Inverse of `encrypt`; raises InvalidTag when key, binding or bytes do not match."""
    raw_iv = base64.b64decode(iv, validate=True)
    raw = base64.b64decode(ciphertext, validate=True)
    return AESGCM(key).decrypt(raw_iv, raw, _aad(user_id, service_name)).decode()


# -- database -----------------------------------------------------------------------------------------------
def _uid(user_id: uuid.UUID | str) -> str:
    try:
        return str(uuid.UUID(str(user_id)))
    except ValueError:
        raise SecretError(f"user_id must be a UUID, got {user_id!r}") from None


def _service(service_name: str) -> str:
    if not service_name or not service_name.strip():
        raise SecretError("service_name must be a non-empty name such as 'openai_api_key'")
    return service_name


def _audit(
    conn: psycopg.Connection,
    user_id: str,
    service_name: str,
    operation: str,
    success: bool,
    error: str | None,
    ip_address: str | None,
    user_agent: str | None,
) -> None:
    conn.execute(
        "insert into public.secret_audit_logs"
        " (user_id, service_name, operation, ip_address, user_agent, success, error_message)"
        " values (%s, %s, %s, %s, %s, %s, %s)",
        (user_id, service_name, operation, ip_address, user_agent, success, error),
    )


def store_secret(
    conn: psycopg.Connection,
    user_id: uuid.UUID | str,
    service_name: str,
    plaintext: str,
    *,
    ip_address: str | None = None,
    user_agent: str | None = None,
    settings: Settings | None = None,
    key: bytes | None = None,
) -> str:
    """Encrypt and upsert a user's secret; returns the audited operation, 'create' or 'update'."""
    uid, service = _uid(user_id), _service(service_name)
    if not isinstance(plaintext, str) or plaintext == "":
        raise SecretError(f"the value to store for {service!r} must be a non-empty string")
    key = key if key is not None else load_key(settings)
    ciphertext, iv = encrypt(key, uid, service, plaintext)
    metadata = Jsonb({"algorithm": ALGORITHM, "key_id": key_id(key)})
    with conn.transaction():
        # xmax = 0 only on a freshly inserted row: tells create from update in the same statement
        row = conn.execute(
            "insert into public.user_secrets"
            " (user_id, service_name, encrypted_value, initialization_vector, is_active, metadata)"
            " values (%s, %s, %s, %s, true, %s)"
            " on conflict (user_id, service_name) do update set"
            " encrypted_value = excluded.encrypted_value,"
            " initialization_vector = excluded.initialization_vector,"
            " is_active = true,"
            " metadata = coalesce(public.user_secrets.metadata, '{}'::jsonb) || excluded.metadata"
            " returning (xmax = 0)",
            (uid, service, ciphertext, iv, metadata),
        ).fetchone()
        operation = "create" if row and row[0] else "update"
        _audit(conn, uid, service, operation, True, None, ip_address, user_agent)
    log.debug("secret %s of user %s: %s", service, uid, operation)
    return operation


def read_secret(
    conn: psycopg.Connection,
    user_id: uuid.UUID | str,
    service_name: str,
    *,
    ip_address: str | None = None,
    user_agent: str | None = None,
    settings: Settings | None = None,
    key: bytes | None = None,
) -> str:
    """Decrypt a user's active secret. Every attempt is audited ('read', success or failure)."""
    uid, service = _uid(user_id), _service(service_name)
    key = key if key is not None else load_key(settings)
    error: str | None = None
    plaintext: str | None = None
    with conn.transaction():
        row = conn.execute(
            "select encrypted_value, initialization_vector, metadata from public.user_secrets"
            " where user_id = %s and service_name = %s and coalesce(is_active, true)",
            (uid, service),
        ).fetchone()
        if row is None:
            error = f"no active secret {service!r} is stored for user {uid}"
        else:
            ciphertext, iv, metadata = row
            stored_key_id = (metadata or {}).get("key_id")
            try:
                plaintext = decrypt(key, uid, service, ciphertext, iv)
            except (InvalidTag, binascii.Error, ValueError):
                if stored_key_id and stored_key_id != key_id(key):
                    error = (
                        f"cannot decrypt secret {service!r} of user {uid}: the configured key (AIP_SECRET_KEY or "
                        f"the key file) does not match the one the value was encrypted with (key id "
                        f"{stored_key_id}, configured {key_id(key)}). Restore that key, or store the secret again."
                    )
                else:
                    error = (
                        f"cannot decrypt secret {service!r} of user {uid}: the stored value was altered or "
                        "belongs to another user or service. Store the secret again."
                    )
            else:
                conn.execute(
                    "update public.user_secrets set last_used_at = now() where user_id = %s and service_name = %s",
                    (uid, service),
                )
        _audit(conn, uid, service, "read", error is None, error, ip_address, user_agent)
    if error is not None:
        log.warning("secret read failed: %s", error)
        raise SecretError(error)
    log.debug("secret %s of user %s: read", service, uid)
    assert plaintext is not None
    return plaintext


def delete_secret(
    conn: psycopg.Connection,
    user_id: uuid.UUID | str,
    service_name: str,
    *,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> bool:
    """Delete a user's secret; True when one existed. Audited as 'delete' (success false when none existed)."""
    uid, service = _uid(user_id), _service(service_name)
    with conn.transaction():
        cur = conn.execute(
            "delete from public.user_secrets where user_id = %s and service_name = %s", (uid, service)
        )
        deleted = cur.rowcount > 0
        error = None if deleted else f"no secret {service!r} is stored for user {uid}"
        _audit(conn, uid, service, "delete", deleted, error, ip_address, user_agent)
    log.debug("secret %s of user %s: delete (%s)", service, uid, "done" if deleted else "absent")
    return deleted


def list_secrets(conn: psycopg.Connection, user_id: uuid.UUID | str) -> list[str]:
    """Service names of the user's active secrets, sorted; never their values."""
    rows = conn.execute(
        "select service_name from public.user_secrets where user_id = %s and coalesce(is_active, true)"
        " order by service_name",
        (_uid(user_id),),
    ).fetchall()
    return [r[0] for r in rows]
