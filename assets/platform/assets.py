"""The operational schema (sql/migrations) as a Dagster asset: materializing it applies pending migrations."""

import dagster as dg

from orchestration.migrations import applied_migrations, apply_migrations
from orchestration.resources import PostgresResource


@dg.asset(
    key=["aip", "operational_schema"],
    group_name="platform",
    description="Every table, function, trigger, policy and view of the operational spec, applied from "
    "sql/migrations by yoyo-migrations. Materializing applies what is pending and nothing else.",
    kinds={"postgres", "sql"},
)
def operational_schema(context: dg.AssetExecutionContext, database: PostgresResource) -> dg.MaterializeResult:
    settings = database.settings()
    url = database.dsn()
    applied = apply_migrations(url, settings.embedding_dimension)
    for migration_id in applied:
        context.log.info(f"applied migration {migration_id}")
    return dg.MaterializeResult(
        metadata={
            "applied_now": dg.MetadataValue.int(len(applied)),
            "applied_total": dg.MetadataValue.int(len(applied_migrations(url))),
            "embedding_dimension": dg.MetadataValue.int(settings.embedding_dimension),
        }
    )
