"""`aip privacy export|delete EMAIL`: file a privacy request for a user, optionally fulfil it at once.

Without `--now` the request waits for the `privacy_requests` sensor (running with `aip ui`); with `--now` it
is processed in this process, exactly as the Dagster asset would (the same functions, the same locks).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from assets.privacy import requests as rq

console = Console(stderr=True)


def _connect():  # noqa: ANN202 - a psycopg connection
    from orchestration.database import connect, database_url
    from orchestration.settings import get_settings

    return connect(database_url(get_settings()), autocommit=True)


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


def privacy_export(
    email: Annotated[str, typer.Argument(help="E-mail of the user (auth.users.email).")],
    now: Annotated[
        bool, typer.Option("--now", help="Build the archive now instead of leaving it to the sensor.")
    ] = False,
) -> None:
    """File a data export request for the user; with --now, write the archive immediately."""
    from assets.privacy.export import process_export_request
    from orchestration.settings import get_settings

    with _connect() as conn:
        try:
            request, created = rq.file_request(
                conn, rq.EXPORT, rq.user_id_for_email(conn, email), actor="aip cli"
            )
        except rq.PrivacyRequestError as exc:
            raise _fail(str(exc)) from None
        console.print(
            f"export request {request.label} {'filed' if created else 'already open'} ({request.status})"
        )
        if not now:
            console.print("the privacy_requests sensor will process it; or run again with --now")
            return
        result = process_export_request(conn, request.id, get_settings().storage_dir, actor="aip cli")
        download = conn.execute(
            "select download_url from public.data_export_requests where id = %s", (request.id,)
        ).fetchone()[0]
    if result.status not in {"completed", "skipped"}:
        raise _fail(f"export request {request.label}: {result.status} {result.error or ''}".strip())
    console.print(f"export request {request.label} {result.status}: {result.rows} rows; archive {download}")


def privacy_delete(
    email: Annotated[str, typer.Argument(help="E-mail of the user (auth.users.email).")],
    confirm: Annotated[
        bool, typer.Option("--confirm", help="The user has confirmed: the request may be processed.")
    ] = False,
    now: Annotated[
        bool, typer.Option("--now", help="Erase now instead of leaving it to the sensor.")
    ] = False,
) -> None:
    """File a data deletion request for the user; --confirm marks it confirmed, --now erases immediately."""
    from assets.privacy.deletion import process_deletion_request
    from orchestration.settings import get_settings

    if now and not confirm:
        raise _fail("--now erases the user's data for good; it needs --confirm as well")
    with _connect() as conn:
        try:
            user_id = rq.user_id_for_email(conn, email)
            request, created = rq.file_request(conn, rq.DELETION, user_id, confirmed=confirm, actor="aip cli")
        except rq.PrivacyRequestError as exc:
            raise _fail(str(exc)) from None
        state = "confirmed" if not request.confirmation_required else "awaiting confirmation"
        console.print(f"deletion request {request.label} {'filed' if created else 'already open'} ({state})")
        if not now:
            if request.confirmation_required:
                console.print("nothing is erased until it is confirmed: run again with --confirm")
            else:
                console.print(
                    "the privacy_requests sensor will process it; or run again with --confirm --now"
                )
            return
        result = process_deletion_request(conn, request.id, get_settings().storage_dir, actor="aip cli")
    if result.status not in {"completed", "skipped"}:
        raise _fail(f"deletion request {request.label}: {result.status} {result.error or ''}".strip())
    console.print(
        f"deletion request {request.label} completed: {result.rows} rows in {len(result.tables)} tables "
        f"and {result.files} file(s) erased"
    )


privacy_app = typer.Typer(help="GDPR requests: export or erase a user's data.", no_args_is_help=True)
privacy_app.command("export")(privacy_export)
privacy_app.command("delete")(privacy_delete)
