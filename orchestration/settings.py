"""Platform settings: the only module that reads the environment.

Values are read when `get_settings()` is called (at run time), never at import, so that tests and the
Dagster code server can change the environment before anything connects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting has a value the platform cannot use."""


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with its environment variable in the field's comment."""

    home: Path  # AIP_HOME: embedded database, Dagster home, storage, secret key
    database_url: str | None  # DATABASE_URL: use this server; nothing embedded starts
    database_name: str  # AIP_DATABASE: database name on the embedded server
    embedding_model: str  # AIP_EMBEDDING_MODEL: sentence-transformers name or local path
    embedding_dimension: int  # AIP_EMBEDDING_DIMENSION
    embedding_batch_size: int  # AIP_EMBEDDING_BATCH_SIZE
    embedding_precision: str  # AIP_EMBEDDING_PRECISION: auto | fp32 | bf16
    chunk_tokens: int  # AIP_CHUNK_TOKENS: chunk size in model tokens
    chunk_overlap: int  # AIP_CHUNK_OVERLAP: overlap in model tokens
    max_document_bytes: int  # AIP_MAX_DOCUMENT_BYTES: larger documents fail
    secret_key: str | None  # AIP_SECRET_KEY: base64 AES-256 key for user_secrets
    bi_port: int  # AIP_BI_PORT: TCP port the embedded server listens on for BI tools
    bi_password: str | None  # AIP_BI_PASSWORD: password of the bi_reader role
    ci: bool  # CI
    retrieval_recall_threshold: float = 0.8  # AIP_RETRIEVAL_RECALL_THRESHOLD: recall@5 below it is a warning

    @property
    def embedded(self) -> bool:
        """True when the platform runs its own PostgreSQL (no DATABASE_URL)."""
        return self.database_url is None

    @property
    def pg_data_dir(self) -> Path:
        return self.home / "pgdata"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def storage_dir(self) -> Path:
        return self.home / "storage"

    @property
    def secret_key_file(self) -> Path:
        return self.home / "secret.key"


def get_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read settings from `environ` (default: the process environment)."""
    env = dict(os.environ if environ is None else environ)
    home = Path(env.get("AIP_HOME") or REPO_ROOT / ".aip").expanduser().resolve()
    precision = env.get("AIP_EMBEDDING_PRECISION", "auto").lower()
    if precision not in {"auto", "fp32", "bf16"}:
        raise SettingsError(f"AIP_EMBEDDING_PRECISION must be auto, fp32 or bf16, got {precision!r}")
    chunk_tokens = _int(env, "AIP_CHUNK_TOKENS", 200)
    chunk_overlap = _int(env, "AIP_CHUNK_OVERLAP", 30)
    if not 0 <= chunk_overlap < chunk_tokens:
        raise SettingsError("AIP_CHUNK_OVERLAP must be >= 0 and smaller than AIP_CHUNK_TOKENS")
    dimension = _int(env, "AIP_EMBEDDING_DIMENSION", 384)
    if not 1 <= dimension <= 16000:
        raise SettingsError(f"AIP_EMBEDDING_DIMENSION must be between 1 and 16000, got {dimension}")
    return Settings(
        home=home,
        database_url=env.get("DATABASE_URL") or None,
        database_name=env.get("AIP_DATABASE", "aip"),
        embedding_model=env.get("AIP_EMBEDDING_MODEL", "all-MiniLM-L6-v2"),
        embedding_dimension=dimension,
        embedding_batch_size=_int(env, "AIP_EMBEDDING_BATCH_SIZE", 64),
        embedding_precision=precision,
        chunk_tokens=chunk_tokens,
        chunk_overlap=chunk_overlap,
        max_document_bytes=_int(env, "AIP_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024),
        secret_key=env.get("AIP_SECRET_KEY") or None,
        bi_port=_int(env, "AIP_BI_PORT", 55432),
        bi_password=env.get("AIP_BI_PASSWORD") or None,
        ci=_bool(env, "CI", False),
        retrieval_recall_threshold=_recall_threshold(env),
    )


def _recall_threshold(env: dict[str, str]) -> float:
    value = _float(env, "AIP_RETRIEVAL_RECALL_THRESHOLD", 0.8)
    if not 0.0 <= value <= 1.0:
        raise SettingsError(f"AIP_RETRIEVAL_RECALL_THRESHOLD must be between 0 and 1, got {value}")
    return value
