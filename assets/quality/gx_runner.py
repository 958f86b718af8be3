"""Run an expectation suite against a PostgreSQL table and say what failed, with a sample of the rows.

One ephemeral Great Expectations context per process (creating it and its SQL engines is the slow part),
one SQL data source per database URL. GX's `add_postgres` rejects libpq URLs that name a unix-socket
directory in the query string (the embedded server's), so the data source is the generic `add_sql`
with a SQLAlchemy + psycopg 3 URL, which accepts them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestration.database import with_driver

MAX_SAMPLE = 20
MAX_SOURCES = 4  # data sources (SQLAlchemy engines, each with its pool) kept per process
_lock = threading.Lock()
_context: Any = None
_sources: dict[str, Any] = {}


class SuiteRunError(RuntimeError):
    """The suite could not run at all (missing table, unreachable database); the message says what to do."""


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's verdict."""

    description: str
    expectation: str  # GX expectation type, e.g. expect_column_values_to_be_in_set
    severity: str  # ERROR or WARN
    passed: bool
    unexpected_count: int | None  # failing rows (None for aggregate expectations)
    observed_value: Any  # aggregate expectations: the measured value (row count, mean)
    rows: list[dict[str, Any]] = field(default_factory=list)  # a sample of failing rows with their keys
    error: str | None = None  # the expectation itself raised (e.g. a column is missing)


@dataclass(frozen=True)
class SuiteOutcome:
    """A whole suite's verdict: it fails when any expectation fails; its severity is the worst failure's."""

    suite: str
    expectations: list[ExpectationOutcome]

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.passed]

    @property
    def passed(self) -> bool:
        return not self.failed

    @property
    def severity(self) -> str:
        return "ERROR" if any(e.severity == "ERROR" for e in self.failed) else "WARN"

    @property
    def failing_row_count(self) -> int:
        return sum(e.unexpected_count or 0 for e in self.failed)

    def sample(self, limit: int = MAX_SAMPLE) -> list[dict[str, Any]]:
        """Failing rows across the failed expectations, taken in turn so each failure shows up."""
        queues = [[{"expectation": e.description, **row} for row in e.rows] for e in self.failed]
        sample: list[dict[str, Any]] = []
        while len(sample) < limit and any(queues):
            for queue in queues:
                if queue and len(sample) < limit:
                    sample.append(queue.pop(0))
        return sample


def _gx_context() -> Any:
    global _context
    if _context is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no usage statistics leave the machine
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        _context = context
    return _context


def _data_source(url: str) -> Any:
    """The GX SQL data source of the database at `url` (libpq URL), created once per process."""
    name = "aip_" + hashlib.sha256(url.encode()).hexdigest()[:12]
    source = _sources.get(name)
    if source is None:
        while len(_sources) >= MAX_SOURCES:  # a process normally sees one database; tests see many
            oldest, stale = next(iter(_sources.items()))
            stale.get_engine().dispose()
            _gx_context().data_sources.delete(oldest)
            del _sources[oldest]
        source = _gx_context().data_sources.add_sql(name=name, connection_string=with_driver(url, "psycopg"))
        _sources[name] = source
    return source


def _batch(url: str, schema: str, table: str) -> Any:
    source = _data_source(url)
    asset_name = f"{schema}.{table}"
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_table_asset(name=asset_name, table_name=table, schema_name=schema)
    try:
        definition = asset.get_batch_definition("whole_table")
    except KeyError:
        definition = asset.add_batch_definition_whole_table("whole_table")
    return definition.get_batch()


def _severity(expectation: Any) -> str:
    from great_expectations.expectations.metadata_types import FailureSeverity

    return "ERROR" if expectation.severity == FailureSeverity.CRITICAL else "WARN"


def _exception_message(info: Mapping[str, Any]) -> str | None:
    """GX reports an exception either flat or per metric it could not compute; the first message."""
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, Mapping) and value.get("raised_exception"):
            return str(value.get("exception_message")).split("\n[SQL:")[0]
    return None


def _outcome(expectation: Any, result: Any) -> ExpectationOutcome:
    details = result.result or {}
    error = _exception_message(result.exception_info or {})
    rows = (
        details.get("partial_unexpected_index_list")
        or details.get("details", {}).get("unexpected_rows")
        or []
    )
    unexpected = details.get("unexpected_count")
    if unexpected is None and expectation.expectation_type == "unexpected_rows_expectation":
        unexpected = details.get("observed_value")
    return ExpectationOutcome(
        description=expectation.description or expectation.expectation_type,
        expectation=expectation.expectation_type,
        severity=_severity(expectation),
        passed=bool(result.success) and error is None,
        unexpected_count=None if unexpected is None else int(unexpected),
        observed_value=None if unexpected is not None else details.get("observed_value"),
        rows=[dict(row) for row in list(rows)[:MAX_SAMPLE]],
        error=error,
    )


def run_suite(url: str, schema: str, table: str, suite: Any, key_columns: Sequence[str] = ()) -> SuiteOutcome:
    """Validate `suite` against `schema.table` of the database at `url`.

    Row-level expectations list their failing rows with `key_columns`; query expectations (unexpected
    rows) are re-run on failure alone, in COMPLETE format, which returns the rows their query selects."""
    import great_expectations as gx

    with _lock, warnings.catch_warnings():  # the GX context is not thread-safe (Dagster may use threads)
        # GX nags about its generic SQL source, `schema_name`, and SQLAlchemy about the unknown vector type
        warnings.simplefilter("ignore", category=DeprecationWarning)
        warnings.simplefilter("ignore", category=UserWarning)
        warnings.filterwarnings("ignore", message="Did not recognize type")
        try:
            batch = _batch(url, schema, table)
        except Exception as exc:  # GX wraps driver errors in several exception types
            reason = str(exc).rstrip(".")
            raise SuiteRunError(
                f"Cannot read {schema}.{table} for the {suite.name} suite: {reason}. Apply the migrations "
                "(`aip migrate`) or build the model first."
            ) from exc
        summary_format = {
            "result_format": "SUMMARY",
            "partial_unexpected_count": MAX_SAMPLE,
            "unexpected_index_column_names": list(key_columns),
        }
        validation = batch.validate(suite, result_format=summary_format)
        outcomes: list[ExpectationOutcome] = []
        # matched by description (unique within a suite, see tests): GX does not promise the suite's order
        results = {result.expectation_config.description: result for result in validation.results}
        for expectation in suite.expectations:
            result = results[expectation.description]
            if not result.success and isinstance(expectation, gx.expectations.UnexpectedRowsExpectation):
                result = batch.validate(expectation, result_format={"result_format": "COMPLETE"})
            outcomes.append(_outcome(expectation, result))
    return SuiteOutcome(suite=suite.name, expectations=outcomes)


def table_exists(conn: Any, schema: str, table: str) -> bool:
    row = conn.execute("select to_regclass(%s) is not null", (f"{schema}.{table}",)).fetchone()
    return bool(row[0])
