"""Turn a check's verdict into a Dagster AssetCheckResult and a row of quality.check_results, the same
facts in both places: passed, severity, headline number, a sample of failing rows with their keys."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from assets.quality.history import MAX_FAILING_ROWS, record_result, to_jsonable
from orchestration.resources import PostgresResource


@dataclass(frozen=True)
class Verdict:
    passed: bool
    severity: str  # ERROR or WARN: the failure's severity (for a pass, the check's own severity)
    observed_value: float | None = None
    failing_rows: Sequence[Mapping[str, Any]] = ()
    failing_row_count: int | None = None
    summary: str = ""  # one line a person reads first
    details: Mapping[str, Any] = field(default_factory=dict)  # stored in history and shown as metadata


def _markdown_table(rows: Sequence[Mapping[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = [str(to_jsonable(row.get(c, ""))).replace("|", "\\|").replace("\n", " ") for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(
    context: dg.AssetCheckExecutionContext,
    database: PostgresResource,
    verdict: Verdict,
    metadata: Mapping[str, Any] | None = None,
) -> dg.AssetCheckResult:
    """Append the verdict to the history, then return it as the check's result."""
    spec = context.check_specs[0]
    asset_key = spec.asset_key.to_user_string()
    sample = [to_jsonable(row) for row in list(verdict.failing_rows)[:MAX_FAILING_ROWS]]
    with database.connect() as conn:
        result_id = record_result(
            conn,
            check_name=spec.name,
            asset_key=asset_key,
            run_id=context.run.run_id,
            passed=verdict.passed,
            severity=verdict.severity,
            blocking=spec.blocking,
            observed_value=verdict.observed_value,
            failing_rows=sample,
            failing_row_count=verdict.failing_row_count,
            details={"summary": verdict.summary, **verdict.details},
        )
    values: dict[str, Any] = {
        "summary": dg.MetadataValue.text(verdict.summary),
        "history_id": dg.MetadataValue.int(result_id),
    }
    if verdict.observed_value is not None:
        values["observed_value"] = dg.MetadataValue.float(float(verdict.observed_value))
    if verdict.failing_row_count is not None:
        values["failing_row_count"] = dg.MetadataValue.int(int(verdict.failing_row_count))
    if sample:
        values["failing_rows"] = dg.MetadataValue.json(sample)
        values["failing_rows_table"] = dg.MetadataValue.md(_markdown_table(sample))
    if verdict.details:
        values["details"] = dg.MetadataValue.json(to_jsonable(dict(verdict.details)))
    values.update(metadata or {})
    return dg.AssetCheckResult(
        passed=verdict.passed,
        severity=dg.AssetCheckSeverity.ERROR if verdict.severity == "ERROR" else dg.AssetCheckSeverity.WARN,
        metadata=values,
    )
