"""`aip ingest` and `aip search`: typer command functions that orchestration/cli.py registers."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from orchestration.settings import get_settings

out = Console()
err = Console(stderr=True)


@contextmanager
def _progress():
    """Rich bars for documents and chunks; yields (progress callback, total setter)."""
    bars = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )
    with bars:
        documents = bars.add_task("documents", total=None)
        chunks = bars.add_task("chunks embedded", total=None)

        def advance(what: str, count: int) -> None:
            bars.advance(documents if what == "documents" else chunks, count)

        def set_total(total: int) -> None:
            bars.update(documents, total=(bars.tasks[documents].total or 0) + total)

        yield advance, set_total


def _ready_database(settings):  # noqa: ANN001, ANN202
    from orchestration.database import database_url
    from orchestration.migrations import apply_migrations

    apply_migrations(database_url(settings), settings.embedding_dimension)


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories (txt, md, html, pdf, docx).")],
    user: Annotated[str, typer.Option("--user", help="Email of the user who owns the documents.")],
    bucket: Annotated[str, typer.Option("--bucket", help="Knowledge bucket name (created when missing).")],
) -> None:
    """Add files to a user's knowledge bucket and index them now (unchanged files are skipped)."""
    from assets.knowledge.ingestion import IngestError, ingest_paths

    settings = get_settings()
    _ready_database(settings)
    try:
        with _progress() as (advance, set_total):
            report = ingest_paths(settings, paths, user, bucket, progress=advance, on_total=set_total)
    except IngestError as exc:
        raise _fail(str(exc)) from None
    out.print(
        f"{report.documents} documents: {report.ready} indexed, {report.unchanged} unchanged, "
        f"{report.failed} failed; {report.chunks} chunks ({report.embedded} embedded, {report.reused} reused) "
        f"in {report.seconds:.1f}s"
    )
    for title, reason in report.failures.items():
        out.print(f"[yellow]failed[/] {title}: {reason}")


def search(
    text: Annotated[str, typer.Argument(help="What to look for (any text; it is never interpreted as SQL).")],
    user: Annotated[str, typer.Option("--user", help="Email of the user whose knowledge to search.")],
    bucket_type: Annotated[str | None, typer.Option("--bucket-type", help="campaign or general")] = None,
    campaign: Annotated[str | None, typer.Option("--campaign", help="Campaign id or name.")] = None,
    hybrid: Annotated[
        bool, typer.Option("--hybrid", help="Also match words (full text), fused by rank.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100)] = 10,
) -> None:
    """Search a user's knowledge base as that user (row-level security applies)."""
    from assets.knowledge.ingestion import IngestError, connect_platform, user_id_for
    from assets.knowledge.search import SearchError
    from assets.knowledge.search import search as run_search

    settings = get_settings()
    if bucket_type not in (None, "campaign", "general"):
        raise _fail("--bucket-type must be campaign or general.")
    _ready_database(settings)
    with connect_platform(settings) as conn:
        try:
            user_id = user_id_for(conn, user)
            campaign_id = _campaign_id(conn, user_id, campaign) if campaign else None
            with err.status("searching…"):
                hits = run_search(
                    conn,
                    user_id,
                    text,
                    bucket_type=bucket_type,
                    campaign_id=campaign_id,
                    limit=limit,
                    hybrid=hybrid,
                    agent_type="aip-cli",
                    settings=settings,
                )
        except (IngestError, SearchError) as exc:
            raise _fail(str(exc)) from None
    if not hits:
        out.print("no matching chunks")
        return
    table = Table("#", "score", "similarity", "document", "where", "excerpt", show_lines=True)
    for rank, hit in enumerate(hits, start=1):
        where = hit.metadata.get("heading") or (
            f"page {hit.metadata['page']}" if "page" in hit.metadata else ""
        )
        excerpt = " ".join(hit.content.split())
        table.add_row(
            str(rank),
            f"{hit.score:.3f}",
            f"{hit.similarity:.3f}" if hit.similarity is not None else "-",
            f"{hit.document_title}\n[dim]{hit.bucket_name}[/]",
            str(where),
            excerpt[:240] + ("…" if len(excerpt) > 240 else ""),
        )
    out.print(table)


def _campaign_id(conn, user_id: str, campaign: str) -> str:  # noqa: ANN001
    from assets.knowledge.ingestion import IngestError

    try:
        return str(uuid.UUID(campaign))
    except ValueError:
        pass
    row = conn.execute(
        "select id::text from public.campaigns where created_by = %s and name = %s order by created_at desc limit 1",
        (user_id, campaign),
    ).fetchone()
    if row is None:
        raise IngestError(f"No campaign named {campaign!r} for this user: pass its id or exact name.")
    return row[0]
