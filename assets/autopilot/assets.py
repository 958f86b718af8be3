"""The autopilot as Dagster assets: the daily optimisation pass over the campaign marts, and the insights of
the weekly reports. Both write to the operational schema, so both retry transient database errors."""

from datetime import UTC, date, datetime

import dagster as dg

from assets.autopilot.daily_pass import run_daily_pass
from assets.autopilot.insights import fill_weekly_insights
from assets.autopilot.marts import MART
from assets.autopilot.run_health import DB_RETRY_POLICY, transient_errors_only
from orchestration.resources import PostgresResource

GROUP = "autopilot"
CAMPAIGN_MART_KEY = dg.AssetKey(["marts", "fct_campaign_performance_daily"])
WEEKLY_REPORTS_KEY = dg.AssetKey(["public", "autopilot_weekly_reports"])


def _table(name: str, description: str, deps: list) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=["public", name],
        deps=deps,
        group_name=GROUP,
        kinds={"postgres"},
        description=description,
        metadata={"dagster/table_name": f"public.{name}"},
    )


DAILY_PASS_SPECS = [
    _table(
        "campaign_performance_monitor",
        "One row per active campaign × day of each active autopilot user: the campaign's last 7 days against "
        "its previous 28 and the user's other campaigns, a 0-100 score, suggestions with the rule and figures "
        "behind them, and the actions taken on auto-managed campaigns (within the monthly budget).",
        [
            CAMPAIGN_MART_KEY,
            dg.AssetKey(["public", "campaigns"]),
            dg.AssetKey(["public", "marketing_autopilot_config"]),
        ],
    ),
    _table(
        "campaign_predictions",
        "Next-7-day conversions and spend per scored campaign with a confidence score; earlier forecasts get "
        "actual_outcome and accuracy_score once their period has passed.",
        [CAMPAIGN_MART_KEY],
    ),
    _table(
        "autopilot_lead_inbox",
        "Qualified leads (status qualified/converted or score >= 70) copied into the user's inbox once.",
        [dg.AssetKey(["public", "leads"])],
    ),
    _table(
        "autopilot_activity_log",
        "Every action of the daily pass (pause, budget change, leads delivered, summary), written through "
        "log_autopilot_activity().",
        [CAMPAIGN_MART_KEY],
    ),
]


class AutopilotDailyConfig(dg.Config):
    # The day the pass runs for (ISO date); figures are read up to the day before. Default: today in UTC.
    as_of: str | None = None

    def day(self) -> date:
        return date.fromisoformat(self.as_of) if self.as_of else datetime.now(UTC).date()


@dg.multi_asset(
    specs=DAILY_PASS_SPECS,
    name="autopilot_daily_pass",
    retry_policy=DB_RETRY_POLICY,
    op_tags={"dagster/concurrency_key": "autopilot_writes"},
)
def autopilot_daily_pass(
    context: dg.AssetExecutionContext, config: AutopilotDailyConfig, database: PostgresResource
):
    """Score, act, forecast and deliver leads for every active autopilot config (idempotent per user × day)."""
    as_of = config.day()
    with transient_errors_only(), database.connect() as conn:
        result = run_daily_pass(conn, as_of)
    context.log.info(
        f"as of {as_of}: {result.users} users, {result.campaigns_scored} campaigns scored "
        f"({result.campaigns_already_scored} already scored today), {result.actions} actions, "
        f"{result.predictions_written} forecasts, {result.predictions_scored} past forecasts scored, "
        f"{result.leads_copied} leads copied"
    )
    common = {
        "as_of": dg.MetadataValue.text(as_of.isoformat()),
        "users": dg.MetadataValue.int(result.users),
        "source": dg.MetadataValue.text(MART),
    }
    per_table = {
        "campaign_performance_monitor": {
            "rows_written": result.campaigns_scored,
            "already_written_today": result.campaigns_already_scored,
        },
        "campaign_predictions": {
            "rows_written": result.predictions_written,
            "past_forecasts_scored": result.predictions_scored,
        },
        "autopilot_lead_inbox": {"rows_written": result.leads_copied},
        "autopilot_activity_log": {"actions": result.actions},
    }
    for spec in DAILY_PASS_SPECS:
        figures = {name: dg.MetadataValue.int(value) for name, value in per_table[spec.key.path[-1]].items()}
        yield dg.MaterializeResult(asset_key=spec.key, metadata=common | figures)


@dg.asset(
    key=["autopilot", "weekly_report_insights"],
    deps=[WEEKLY_REPORTS_KEY, CAMPAIGN_MART_KEY],
    group_name=GROUP,
    kinds={"postgres"},
    retry_policy=DB_RETRY_POLICY,
    description="ai_insights of public.autopilot_weekly_reports: top and bottom campaigns of each week and the "
    "changes against the previous week, from the marts' figures by rules (no language model).",
    metadata={"dagster/table_name": "public.autopilot_weekly_reports"},
)
def weekly_report_insights(
    context: dg.AssetExecutionContext, database: PostgresResource
) -> dg.MaterializeResult:
    with transient_errors_only(), database.connect() as conn:
        result = fill_weekly_insights(conn)
    context.log.info(f"{result.reports} weekly reports, {result.updated} insights updated")
    return dg.MaterializeResult(
        metadata={
            "reports": dg.MetadataValue.int(result.reports),
            "updated": dg.MetadataValue.int(result.updated),
        }
    )
