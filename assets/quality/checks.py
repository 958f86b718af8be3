"""The data-quality checks as Dagster asset checks, each on the asset it guards.

- `<table>_valid` on the operational tables (expectation suites): BLOCKING. A failure with ERROR
  severity skips, in the same run, every asset built directly from that table (the dbt models reading
  it), and with them everything downstream (marts, write-back); WARN failures are reported only.
- `daily_metric_anomalies` on public/campaign_metrics: WARN, never blocks.
- `volume_and_distribution` on the marts: WARN, never blocks (a mart's volume moving a lot is news).
- `vector_health` and `retrieval_recall_at_5` on the knowledge base's embeddings: never block.

Every check appends its result to quality.check_results (assets/quality/history.py).
"""

from collections.abc import Sequence

import dagster as dg

from assets.quality.anomalies import AnomalyParams, find_anomalies
from assets.quality.gx_runner import SuiteRunError, run_suite, table_exists
from assets.quality.history import previous_observations, record_observations
from assets.quality.mart_suites import DEFAULT_TOLERANCE, MART_PROFILES, MartProfile, mart_suite
from assets.quality.reporting import Verdict, report
from assets.quality.retrieval import K, measure_recall, product_searcher
from assets.quality.suites import INPUT_SUITES, InputSuite, SuiteParams
from assets.quality.vector_health import measure
from orchestration.resources import PostgresResource

# The asset keys of what is guarded, in one place: the warehouse declares the operational tables as dbt
# sources with keys [<source>, <table>] and the models as [<layer>, <model>]; the knowledge base writes
# its chunk vectors in the asset below.
OPERATIONAL_KEY_PREFIX = "public"
MART_KEY_PREFIX = "marts"
EMBEDDINGS_ASSET_KEY = dg.AssetKey(["knowledge", "chunk_embeddings"])


def guarded_key(suite: InputSuite) -> dg.AssetKey:
    """The asset a suite guards: its table's source asset; the chunks table is the embeddings asset."""
    if suite.table == "knowledge_chunks":
        return EMBEDDINGS_ASSET_KEY
    return dg.AssetKey([OPERATIONAL_KEY_PREFIX, suite.table])


def _suite_params(database: PostgresResource) -> SuiteParams:
    settings = database.settings()
    return SuiteParams(
        embedding_dimension=settings.embedding_dimension, embedding_model=settings.embedding_model
    )


def input_suite_check(suite: InputSuite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=guarded_key(suite),
        name=suite.check_name,
        description=suite.description + " ERROR failures block what is built from it.",
        blocking=True,
        metadata={"table": f"{suite.schema}.{suite.table}", "suite": suite.build.__name__},
    )
    def _check(context: dg.AssetCheckExecutionContext, database: PostgresResource) -> dg.AssetCheckResult:
        try:
            outcome = run_suite(
                database.dsn(),
                suite.schema,
                suite.table,
                suite.build(_suite_params(database)),
                suite.key_columns,
            )
        except SuiteRunError as exc:
            return report(context, database, Verdict(passed=False, severity="ERROR", summary=str(exc)))
        failed = outcome.failed
        summary = (
            f"all {len(outcome.expectations)} expectations met"
            if outcome.passed
            else "; ".join(f"{e.description}: {e.error or e.unexpected_count}" for e in failed)
        )
        return report(
            context,
            database,
            Verdict(
                passed=outcome.passed,
                severity=outcome.severity if failed else "ERROR",
                observed_value=outcome.failing_row_count,
                failing_rows=outcome.sample(),
                failing_row_count=outcome.failing_row_count,
                summary=summary,
                details={
                    "expectations": [
                        {
                            "expectation": e.description,
                            "severity": e.severity,
                            "passed": e.passed,
                            "unexpected": e.unexpected_count,
                            "error": e.error,
                        }
                        for e in outcome.expectations
                    ]
                },
            ),
        )

    return _check


def mart_distribution_check(
    profile: MartProfile, tolerance: float = DEFAULT_TOLERANCE
) -> dg.AssetChecksDefinition:
    asset_key = dg.AssetKey([MART_KEY_PREFIX, profile.model])

    @dg.asset_check(
        asset=asset_key,
        name="volume_and_distribution",
        description=f"Row count and mean {', '.join(profile.measures) or 'size'} within ±{tolerance:.0%} of "
        "the previous run's (the first run only observes). WARN: never blocks.",
        blocking=False,
    )
    def _check(context: dg.AssetCheckExecutionContext, database: PostgresResource) -> dg.AssetCheckResult:
        key_text = asset_key.to_user_string()
        run_id = context.run.run_id
        with database.connect() as conn:
            exists = table_exists(conn, MART_KEY_PREFIX, profile.model)
            previous = previous_observations(conn, key_text, exclude_run_id=run_id)
        if not exists:
            summary = (
                f"{MART_KEY_PREFIX}.{profile.model} does not exist yet: build the warehouse (daily_refresh)"
            )
            return report(context, database, Verdict(passed=False, severity="WARN", summary=summary))
        try:
            outcome = run_suite(
                database.dsn(), MART_KEY_PREFIX, profile.model, mart_suite(profile, previous, tolerance)
            )
        except SuiteRunError as exc:
            return report(context, database, Verdict(passed=False, severity="WARN", summary=str(exc)))
        names = ("row_count", *(f"mean:{c}" for c in profile.measures))
        observed = {name: e.observed_value for name, e in zip(names, outcome.expectations, strict=True)}
        with database.connect() as conn:
            record_observations(conn, key_text, run_id, observed)
        rows = [
            {"measure": name, "observed": observed[name], "previous": previous.get(name), "error": e.error}
            for name, e in zip(names, outcome.expectations, strict=True)
            # a mean that can't be computed (no rows, all null) and had nothing to compare with is no news
            if not e.passed
            and not (name != "row_count" and observed[name] is None and previous.get(name) is None)
        ]
        passed = not rows
        summary = (
            ("first observation" if not previous else f"within ±{tolerance:.0%} of the previous run")
            if passed
            else "; ".join(f"{r['measure']} {r['observed']} (previous {r['previous']})" for r in rows)
        )
        return report(
            context,
            database,
            Verdict(
                passed=passed,
                severity="WARN",
                observed_value=observed["row_count"],
                failing_rows=rows,
                failing_row_count=len(rows),
                summary=summary,
                details={"observed": observed, "previous": previous, "tolerance": tolerance},
            ),
        )

    return _check


class AnomalyCheckConfig(dg.Config):
    recent_days: int = AnomalyParams.recent_days
    history_weeks: int = AnomalyParams.history_weeks
    threshold: float = AnomalyParams.threshold
    flag_drops: bool = AnomalyParams.flag_drops


@dg.asset_check(
    asset=dg.AssetKey([OPERATIONAL_KEY_PREFIX, "campaign_metrics"]),
    name="daily_metric_anomalies",
    description="Days whose spend, clicks or conversions jump far above what the campaign's own recent history "
    "predicts for that weekday (robust z-score vs the same weekday of the previous weeks). WARN: never blocks.",
    blocking=False,
)
def daily_metric_anomalies(
    context: dg.AssetCheckExecutionContext, config: AnomalyCheckConfig, database: PostgresResource
) -> dg.AssetCheckResult:
    params = AnomalyParams(
        recent_days=config.recent_days,
        history_weeks=config.history_weeks,
        threshold=config.threshold,
        flag_drops=config.flag_drops,
    )
    with database.connect() as conn:
        found = find_anomalies(conn, params)
    count = len(found.anomalies)
    summary = (
        (f"{count} anomalous campaign-metric-days" if count else "no anomalous day")
        + f" among {found.days_judged} judged (newest day {found.newest_date}, threshold z > {params.threshold})"
    )
    return report(
        context,
        database,
        Verdict(
            passed=count == 0,
            severity="WARN",
            observed_value=count,
            failing_rows=[a.as_row() for a in found.anomalies],
            failing_row_count=count,
            summary=summary,
            details={
                "series": found.series,
                "days_judged": found.days_judged,
                "newest_date": found.newest_date,
            },
        ),
    )


@dg.asset_check(
    asset=EMBEDDINGS_ASSET_KEY,
    name="vector_health",
    description="Counts orphan chunks (document gone or failed, bucket mismatch), chunks of ready documents "
    "without a vector (ERROR) and vectors of another model than the configured one (WARN). Never blocks.",
    blocking=False,
)
def vector_health(context: dg.AssetCheckExecutionContext, database: PostgresResource) -> dg.AssetCheckResult:
    model = database.settings().embedding_model
    with database.connect() as conn:
        health = measure(conn, model)
    summary = (
        f"{health.orphans} orphan chunks, {health.ready_without_vector} chunks of ready documents without a "
        f"vector, {health.other_model} vectors of another model than {model} (of {health.chunks} chunks)"
    )
    return report(
        context,
        database,
        Verdict(
            passed=health.healthy,
            severity=health.severity,
            observed_value=health.problems,
            failing_rows=health.samples,
            failing_row_count=health.problems,
            summary=summary,
            details={
                "chunks": health.chunks,
                "orphans": health.orphans,
                "ready_without_vector": health.ready_without_vector,
                "other_model": health.other_model,
                "configured_model": model,
            },
        ),
    )


@dg.asset_check(
    asset=EMBEDDINGS_ASSET_KEY,
    name=f"retrieval_recall_at_{K}",
    description=f"recall@{K} of semantic search on the labelled questions (assets/knowledge/eval/questions.yaml); "
    "WARN below AIP_RETRIEVAL_RECALL_THRESHOLD (default 0.8). Never blocks.",
    blocking=False,
)
def retrieval_recall(
    context: dg.AssetCheckExecutionContext, database: PostgresResource
) -> dg.AssetCheckResult:
    settings = database.settings()
    threshold = settings.retrieval_recall_threshold
    try:
        with database.connect(autocommit=True) as conn:
            result = measure_recall(conn, product_searcher(conn, settings))
    except Exception as exc:  # noqa: BLE001 - a warning check reports why it could not measure, never crashes a run
        summary = f"could not measure recall: {type(exc).__name__}: {exc}"
        return report(context, database, Verdict(passed=False, severity="WARN", summary=summary))
    if not result.measured:
        return report(
            context, database, Verdict(passed=True, severity="WARN", summary=f"not measured: {result.reason}")
        )
    passed = result.recall is not None and result.recall >= threshold
    return report(
        context,
        database,
        Verdict(
            passed=passed,
            severity="WARN",
            observed_value=result.recall,
            failing_rows=result.misses,
            failing_row_count=len(result.misses),
            summary=f"recall@{K} = {result.recall:.3f} (threshold {threshold}) on {result.reason}",
            details={"threshold": threshold, "questions": result.questions, "user_id": result.user_id},
        ),
    )


INPUT_CHECKS: list[dg.AssetChecksDefinition] = [input_suite_check(suite) for suite in INPUT_SUITES]
MART_CHECKS: list[dg.AssetChecksDefinition] = [mart_distribution_check(profile) for profile in MART_PROFILES]
ALL_CHECKS: Sequence[dg.AssetChecksDefinition] = [
    *INPUT_CHECKS,
    daily_metric_anomalies,
    *MART_CHECKS,
    vector_health,
    retrieval_recall,
]


def input_checks_selection() -> dg.AssetSelection:
    """The checks on the operational inputs (the blocking suites and the anomaly warning), to add to the
    selection of a job that builds from those inputs: a blocking check stops only the assets of its own
    run (e.g. daily_refresh)."""
    return dg.AssetSelection.checks(*INPUT_CHECKS, daily_metric_anomalies)
