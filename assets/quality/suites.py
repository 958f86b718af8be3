"""Great Expectations suites, stored as code: what the operational inputs and the marts must look like.

Each expectation carries its severity: CRITICAL ones are ERROR (the data is wrong for what is built from
it: a blocking check stops those marts), WARNING ones are WARN (worth a look, never blocks). The value
sets come from the operational spec (sql/spec/operational_schema.yaml), the contract of these tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import yaml

from orchestration.settings import REPO_ROOT

if TYPE_CHECKING:  # Great Expectations takes seconds to import: only the functions that build suites do
    import great_expectations as gx

# GX's FailureSeverity values: CRITICAL failures are ERROR for Dagster (they block), WARNING ones are WARN
ERROR = "critical"
WARN = "warning"
SPEC_PATH = REPO_ROOT / "sql" / "spec" / "operational_schema.yaml"
# metric rows are kept per platform (demo data and integrations write additional_data.platform), so the
# grain of campaign_metrics is campaign × metric type × day × platform
METRIC_GRAIN_SQL = "campaign_id, metric_type, metric_date, coalesce(additional_data ->> 'platform', '')"
# activity types the platform itself writes besides the spec's examples (none yet: extend when one is added)
EXTRA_ACTIVITY_TYPES: tuple[str, ...] = ()
EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"  # the CHECK of public.leads


@cache
def _spec_tables() -> Mapping[str, dict]:
    with SPEC_PATH.open() as handle:
        spec = yaml.safe_load(handle)
    return {"enums": spec["enums"], **spec["tables"]}


def spec_values(table: str, column: str) -> tuple[str, ...]:
    """The values the spec lists for a column (`allowed`, else its `examples`)."""
    definition = _spec_tables()[table]["columns"][column]
    values = definition.get("allowed") or definition.get("examples")
    if not values:
        raise KeyError(f"the spec lists no values for {table}.{column}")
    return tuple(values)


@dataclass(frozen=True)
class SuiteParams:
    """What the suites depend on in the configuration."""

    embedding_dimension: int
    embedding_model: str


@dataclass(frozen=True)
class InputSuite:
    """A suite on an operational table and how its failing rows are identified."""

    check_name: str
    schema: str
    table: str
    key_columns: tuple[str, ...]  # listed with every failing row
    description: str
    build: Callable[[SuiteParams], gx.ExpectationSuite]


def campaign_metrics_suite(params: SuiteParams) -> gx.ExpectationSuite:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    metric_types = spec_values("campaign_metrics", "metric_type")
    return gx.ExpectationSuite(
        name="campaign_metrics",
        expectations=[
            gxe.ExpectColumnValuesToBeInSet(
                column="metric_type",
                value_set=list(metric_types),
                severity=ERROR,
                description="metric_type is a known metric (the warehouse pivots exactly these)",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="metric_value", min_value=0, severity=ERROR, description="metric_value is not negative"
            ),
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=(
                    "select id, campaign_id, metric_type, metric_date, metric_value from {batch} "
                    # one day of slack: a metric dated 'today' in UTC+14 is already tomorrow in UTC
                    "where metric_date > current_date + 1"
                ),
                severity=ERROR,
                description="metric_date is not in the future",
            ),
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=(
                    "with metrics as (select *, additional_data ->> 'platform' as platform, count(*) over "
                    f"(partition by {METRIC_GRAIN_SQL}) as copies from {{batch}}) "
                    "select id, campaign_id, metric_type, metric_date, platform from metrics where copies > 1"
                ),
                severity=ERROR,
                description="one row per campaign, metric type, day and platform (no duplicate grain)",
            ),
            gxe.ExpectColumnValuesToNotBeNull(
                column="campaign_id", severity=WARN, description="metric rows belong to a campaign"
            ),
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=(
                    "with m as (select * from {batch}) "
                    "select m.id, m.campaign_id, m.metric_type, m.metric_date, c.start_date, c.end_date "
                    "from m inner join public.campaigns as c on m.campaign_id = c.id "
                    "where m.metric_date < c.start_date::date or m.metric_date > c.end_date::date"
                ),
                # a campaign re-scheduled after it ran is a business event, not corrupt data
                severity=WARN,
                description="metric_date lies within the campaign's start and end dates",
            ),
        ],
    )


def leads_suite(params: SuiteParams) -> gx.ExpectationSuite:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(
        name="leads",
        expectations=[
            gxe.ExpectColumnValuesToBeInSet(
                column="status",
                value_set=list(spec_values("leads", "status")),
                severity=ERROR,
                description="status is one of the lead funnel stages",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="lead_score",
                min_value=0,
                max_value=100,
                severity=ERROR,
                description="lead_score is within 0..100",
            ),
            gxe.ExpectColumnValuesToMatchRegex(
                column="email",
                regex=EMAIL_PATTERN,
                severity=WARN,
                description="email looks like an e-mail address",
            ),
        ],
    )


def lead_activities_suite(params: SuiteParams) -> gx.ExpectationSuite:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    known = [*spec_values("lead_activities", "activity_type"), *EXTRA_ACTIVITY_TYPES]
    return gx.ExpectationSuite(
        name="lead_activities",
        expectations=[
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=(
                    "with a as (select * from {batch}) select a.id, a.lead_id, a.activity_type, a.occurred_at "
                    "from a "
                    "where a.lead_id is null or not exists (select 1 from public.leads as l where l.id = a.lead_id)"
                ),
                severity=ERROR,
                description="the activity's lead exists",
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="activity_type",
                value_set=known,
                # the spec's list is open-ended ("etc."): a new type is news, not corruption
                severity=WARN,
                description="activity_type is a known type",
            ),
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=(
                    "select id, lead_id, activity_type, occurred_at from {batch} "
                    "where occurred_at > now() + interval '1 day'"
                ),
                severity=WARN,
                description="occurred_at is not in the future",
            ),
        ],
    )


def knowledge_chunks_suite(params: SuiteParams) -> gx.ExpectationSuite:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    dimension = int(params.embedding_dimension)
    return gx.ExpectationSuite(
        name="knowledge_chunks",
        expectations=[
            gxe.UnexpectedRowsExpectation(
                # a vector must have its model's dimension: the configured one, or the one a model was
                # registered with (during a switch the column still serves the previous, active model)
                unexpected_rows_query=(
                    "with c as (select * from {batch}) "
                    "select c.id, c.document_id, c.chunk_index, c.embedding_model, "
                    f"vector_dims(c.embedding) as dimension, coalesce(m.dimension, {dimension}) as expected "
                    "from c left join aip.embedding_models as m on c.embedding_model = m.model "
                    f"where c.embedding is not null and vector_dims(c.embedding) <> coalesce(m.dimension, {dimension})"
                ),
                severity=ERROR,
                description=f"every embedding has its model's dimension (configured: {dimension})",
            ),
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=(
                    "select id, document_id, chunk_index from {batch} "
                    "where embedding is not null and vector_norm(embedding) = 0"
                ),
                severity=ERROR,
                description="no zero vector (cosine distance is undefined for it)",
            ),
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=(
                    "with c as (select * from {batch}) select c.id, c.document_id, c.chunk_index from c "
                    "inner join public.knowledge_documents as d on c.document_id = d.id "
                    "where c.embedding is null and d.status = 'ready'"
                ),
                severity=ERROR,
                description="every chunk of a ready document has a vector",
            ),
            # a query rather than ExpectCompoundColumnsToBeUnique: that one copies the table into a temporary
            # table, which SQLAlchemy cannot type for the vector column
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=(
                    "with c as (select *, count(*) over (partition by document_id, content_hash) as copies "
                    "from {batch}) select id, document_id, chunk_index, content_hash from c where copies > 1"
                ),
                # repeated boilerplate in one document is possible; it only wastes a slot in the results
                severity=WARN,
                description="no duplicate content_hash within a document",
            ),
        ],
    )


INPUT_SUITES: tuple[InputSuite, ...] = (
    InputSuite(
        "campaign_metrics_valid",
        "public",
        "campaign_metrics",
        ("id", "campaign_id", "metric_type", "metric_date"),
        "Daily campaign metrics: known metric types, non-negative values, dates not in the future and within "
        "the campaign's dates, one row per grain.",
        campaign_metrics_suite,
    ),
    InputSuite(
        "leads_valid",
        "public",
        "leads",
        ("id", "created_by"),
        "Leads: status is a funnel stage, score within 0..100, e-mail well formed.",
        leads_suite,
    ),
    InputSuite(
        "lead_activities_valid",
        "public",
        "lead_activities",
        ("id", "lead_id"),
        "Lead activities: the lead exists, known activity types, not in the future.",
        lead_activities_suite,
    ),
    InputSuite(
        "knowledge_chunks_valid",
        "public",
        "knowledge_chunks",
        ("id", "document_id", "chunk_index"),
        "Knowledge chunks: embeddings of the configured dimension, no zero or missing vectors, no duplicate "
        "content within a document.",
        knowledge_chunks_suite,
    ),
)
