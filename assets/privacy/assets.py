"""Privacy assets: export archives, erasures, and the guard that keeps erased users erased.

Each materialization processes requests: those named in the run config (what the sensor sends: one request
per run) or, with no config, every pending one. Metadata names requests and counts rows; it never holds a
user id or an e-mail, because run history outlives an erasure.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from pydantic import Field

from assets.privacy import requests as rq
from assets.privacy.deletion import process_deletion_request, reap_erased_users
from assets.privacy.export import process_export_request
from orchestration.resources import PostgresResource

# The erasure deletes warehouse rows; a warehouse run that read its sources just before the erasure
# committed could write them back. Assets in this pool never run at the same time as other assets of the pool
# once the instance gives the pool a limit of 1 (the guard below catches what slips through regardless).
WAREHOUSE_POOL = "warehouse"


class PrivacyRequestConfig(dg.Config):
    request_ids: list[str] = Field(
        default_factory=list,
        description="Row ids (uuid) or request_id values of the requests to process; empty: every pending one.",
    )


def _actor(context: dg.AssetExecutionContext) -> str:
    return f"dagster run {context.run.run_id}"


class _RunLogHandler(logging.Handler):
    def __init__(self, context: dg.AssetExecutionContext) -> None:
        super().__init__(logging.INFO)
        self.context = context

    def emit(self, record: logging.LogRecord) -> None:
        self.context.log.log(record.levelno, record.getMessage())


@contextmanager
def _run_log(context: dg.AssetExecutionContext) -> Iterator[None]:
    """The domain's logic logs with `logging` (it runs without Dagster too); in a run, its records go to the
    run's event log."""
    logger = logging.getLogger("assets.privacy")
    handler, previous = _RunLogHandler(context), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


@dg.asset(
    key=["privacy", "data_exports"],
    group_name="privacy",
    kinds={"postgres", "python"},
    description="Zip archives (one JSON file per table) of every row a user owns, one per pending "
    "data_export_requests row, under the storage directory; the request gets status, completed_at and "
    "download_url. Credentials are withheld; user_secrets appear by service name only.",
)
def data_exports(
    context: dg.AssetExecutionContext, config: PrivacyRequestConfig, database: PostgresResource
) -> dg.MaterializeResult:
    storage_dir = database.settings().storage_dir
    with _run_log(context), database.connect(autocommit=True) as conn:
        ids = config.request_ids or [str(r.id) for r in rq.pending_requests(conn, rq.EXPORT)]
        results = [process_export_request(conn, i, storage_dir, _actor(context)) for i in ids]
    for result in results:
        context.log.info(f"export request {result.request}: {result.status}, {result.rows} rows")
    failed = {r.request: r.error for r in results if r.status == "failed"}
    if failed:
        raise dg.Failure(
            description=f"{len(failed)} export request(s) failed (status 'failed', reason in privacy_audit_log)",
            metadata={"failed": dg.MetadataValue.json(failed)},
        )
    return dg.MaterializeResult(
        metadata={
            "requests": dg.MetadataValue.json({r.request: r.status for r in results}),
            "completed": dg.MetadataValue.int(sum(r.status == "completed" for r in results)),
            "rows_exported": dg.MetadataValue.int(sum(r.rows for r in results)),
        }
    )


@dg.asset(
    key=["privacy", "data_erasures"],
    group_name="privacy",
    kinds={"postgres", "python"},
    pool=WAREHOUSE_POOL,
    description="Confirmed data_deletion_requests fulfilled: the user's rows removed from every operational and "
    "warehouse table (spec + catalog), their files, then auth.users, in one transaction; an anonymised "
    "privacy_audit_log entry records it. A failure changes nothing and marks the request failed.",
)
def data_erasures(
    context: dg.AssetExecutionContext, config: PrivacyRequestConfig, database: PostgresResource
) -> dg.MaterializeResult:
    storage_dir = database.settings().storage_dir
    with _run_log(context), database.connect(autocommit=True) as conn:
        ids = config.request_ids or [str(r.id) for r in rq.pending_requests(conn, rq.DELETION)]
        results = [process_deletion_request(conn, i, storage_dir, _actor(context)) for i in ids]
        with conn.transaction():
            reappeared = reap_erased_users(conn)
    for result in results:
        context.log.info(
            f"deletion request {result.request}: {result.status}, {result.rows} rows, {result.files} file(s)"
        )
    failed = {r.request: r.error for r in results if r.status == "failed"}
    if failed:
        raise dg.Failure(
            description=f"{len(failed)} deletion request(s) failed; nothing of those users was changed "
            "(status 'failed', reason in privacy_audit_log). Fix the cause, set the status back to 'pending'.",
            metadata={"failed": dg.MetadataValue.json(failed)},
        )
    return dg.MaterializeResult(
        metadata={
            "requests": dg.MetadataValue.json({r.request: r.status for r in results}),
            "completed": dg.MetadataValue.int(sum(r.status == "completed" for r in results)),
            "rows_erased": dg.MetadataValue.int(sum(r.rows for r in results)),
            "files_erased": dg.MetadataValue.int(sum(r.files for r in results)),
            "reappeared_rows_removed": dg.MetadataValue.int(sum(reappeared.values())),
        }
    )


@dg.asset(
    key=["privacy", "erasure_guard"],
    group_name="privacy",
    kinds={"postgres"},
    pool=WAREHOUSE_POOL,
    description="Rows of already erased users (recognised by pseudonym) that a later run wrote back, removed. "
    "Runs after every successful run of another job, so a rebuilt or incremental mart stays clean.",
)
def erasure_guard(context: dg.AssetExecutionContext, database: PostgresResource) -> dg.MaterializeResult:
    with _run_log(context), database.connect(autocommit=True) as conn, conn.transaction():
        removed = reap_erased_users(conn)
    if removed:
        context.log.warning(f"removed rows of erased users that reappeared: {removed}")
    return dg.MaterializeResult(
        metadata={
            "rows_removed": dg.MetadataValue.int(sum(removed.values())),
            "tables": dg.MetadataValue.json(removed),
        }
    )
