"""The shipped knowledge corpus registered in every user's buckets, in `processing` state.

Documents point at their file (`upload_path`, relative to the repository); this module never reads the
files' content — parsing, chunking and embedding are the ingestion pipeline's work. Campaign briefs go into
the user's campaign bucket (linked to one of their running campaigns), everything else into the general one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from assets.demo.keyed_random import Keyed, uuid7_many
from assets.demo.tenants import DAY, Campaign, DemoSpec, Tenant, make_id, utc
from orchestration.settings import REPO_ROOT

MANIFEST = REPO_ROOT / "assets" / "knowledge" / "corpus_manifest.yaml"
BUCKET_COLUMNS = (
    "id",
    "created_by",
    "name",
    "bucket_type",
    "campaign_id",
    "description",
    "metadata",
    "created_at",
    "updated_at",
)
DOCUMENT_COLUMNS = (
    "id",
    "bucket_id",
    "created_by",
    "title",
    "content",
    "summary",
    "file_name",
    "file_type",
    "file_size",
    "upload_path",
    "status",
    "processing_error",
    "metadata",
    "created_at",
    "updated_at",
)
MIME_TYPES = {
    "txt": "text/plain",
    "md": "text/markdown",
    "html": "text/html",
    "htm": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class ManifestError(ValueError):
    """The corpus manifest cannot be used; the message names the entry and what to fix."""


@dataclass(frozen=True)
class CorpusDocument:
    upload_path: str  # relative to the repository root
    title: str
    doc_type: str
    bucket_type: str  # general | campaign
    tags: tuple[str, ...]

    @property
    def file_name(self) -> str:
        return Path(self.upload_path).name

    @property
    def file_type(self) -> str:
        return Path(self.upload_path).suffix.lower().lstrip(".")


def read_manifest(path: Path | None = MANIFEST, repo_root: Path = REPO_ROOT) -> list[CorpusDocument]:
    """Entries of the manifest (a `documents:` list, or a bare list) of {file, title, doc_type, bucket_type,
    tags}; `file` is relative to the manifest's `corpus/` folder unless it starts with `assets/`."""
    if path is None or not Path(path).exists():
        return []
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    entries = data.get("documents", []) if isinstance(data, dict) else data
    corpus_dir = Path(path).resolve().parent / "corpus"
    documents = []
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("file") or not entry.get("title"):
            raise ManifestError(f"{path}: entry {n + 1} needs at least `file` and `title`, got {entry!r}")
        file = str(entry["file"])
        absolute = (repo_root / file) if file.startswith("assets/") else (corpus_dir / file)
        try:
            relative = absolute.resolve().relative_to(repo_root.resolve()).as_posix()
        except ValueError:
            relative = absolute.as_posix()  # a corpus outside the repository (tests): keep the full path
        bucket_type = str(entry.get("bucket_type") or "general")
        if bucket_type not in ("general", "campaign"):
            raise ManifestError(
                f"{path}: entry {file!r} has bucket_type {bucket_type!r}; use general or campaign"
            )
        documents.append(
            CorpusDocument(
                relative,
                str(entry["title"]),
                str(entry.get("doc_type") or "document"),
                bucket_type,
                tuple(str(t) for t in entry.get("tags") or ()),
            )
        )
    return documents


def _bucket_campaign(tenant: Tenant) -> Campaign:
    for status in ("active", "paused", "completed", "draft"):
        for campaign in tenant.campaigns:
            if status == campaign.status:
                return campaign
    raise ValueError("a tenant always has campaigns")


def _bucket_ids(spec: DemoSpec, tenant: Tenant) -> tuple[uuid.UUID, uuid.UUID, int]:
    # set up the day before the corpus was uploaded (after every campaign they may link to was created)
    created = (spec.as_of_day - 1) * DAY + 9 * 3600
    return (
        make_id(spec.seed, "bucket", tenant.index * 2, created),
        make_id(spec.seed, "bucket", tenant.index * 2 + 1, created),
        created,
    )


def buckets(spec: DemoSpec, tenants: list[Tenant]) -> Iterator[tuple]:
    for t in tenants:
        general, campaign_bucket, created = _bucket_ids(spec, t)
        campaign = _bucket_campaign(t)
        yield (
            general,
            t.id,
            f"{t.company} knowledge",
            "general",
            None,
            f"Playbooks, product sheets and guidelines of {t.company}.",
            {"demo": True},
            utc(created),
            utc(created),
        )
        yield (
            campaign_bucket,
            t.id,
            f"{campaign.name} briefs",
            "campaign",
            campaign.id,
            f"Briefs and research for {campaign.name}.",
            {"demo": True},
            utc(created),
            utc(created),
        )


def documents(spec: DemoSpec, tenants: list[Tenant], manifest: Path | None = MANIFEST) -> Iterator[tuple]:
    corpus = read_manifest(manifest)
    uploaded = (spec.as_of_day * DAY) + 6 * 3600  # registered this morning: ingestion has not run yet
    sizes = [
        (REPO_ROOT / d.upload_path).stat().st_size if (REPO_ROOT / d.upload_path).exists() else None
        for d in corpus
    ]
    at = uploaded + np.arange(len(corpus))
    k = Keyed(spec.seed, "document")
    for t in tenants:
        general, campaign_bucket, _ = _bucket_ids(spec, t)
        ids = uuid7_many(at * 1000, k.bits(t.index, np.arange(len(corpus))))
        for n, doc in enumerate(corpus):
            meta = {
                "demo": True,
                "source": "demo_corpus",
                "doc_type": doc.doc_type,
                "tags": list(doc.tags),
                "mime_type": MIME_TYPES.get(doc.file_type, "application/octet-stream"),
            }
            bucket = campaign_bucket if doc.bucket_type == "campaign" else general
            # content stays empty (the column is NOT NULL): ingestion parses the file at upload_path
            yield (
                ids[n],
                bucket,
                t.id,
                doc.title,
                "",
                None,
                doc.file_name,
                doc.file_type,
                sizes[n],
                doc.upload_path,
                "processing",
                None,
                meta,
                utc(at[n]),
                utc(at[n]),
            )
