"""Autopilot jobs. Each carries the `aip/exclusive` run tag, which the instance's run queue limits to one
run per job at a time (see run_health.py)."""

import dagster as dg

from assets.autopilot.assets import autopilot_daily_pass, weekly_report_insights
from assets.autopilot.run_health import DB_RETRY_POLICY, exclusive_tags, transient_errors_only
from orchestration.resources import PostgresResource

autopilot_daily = dg.define_asset_job(
    "autopilot_daily",
    selection=dg.AssetSelection.assets(autopilot_daily_pass),
    tags=exclusive_tags("autopilot_daily"),
    description="Daily optimisation pass of every active autopilot config over the campaign marts. Runs after "
    "each successful daily_refresh (sensor autopilot_after_warehouse) and on trigger_autopilot_orchestration().",
)

autopilot_weekly_insights = dg.define_asset_job(
    "autopilot_weekly_insights",
    selection=dg.AssetSelection.assets(weekly_report_insights),
    tags=exclusive_tags("autopilot_weekly_insights"),
    description="Fill ai_insights of the weekly reports; runs after each successful weekly_reports.",
)


@dg.op(retry_policy=DB_RETRY_POLICY)
def cleanup_expired_oauth_states(context: dg.OpExecutionContext, database: PostgresResource) -> int:
    """Delete OAuth CSRF states past their expiry through the product's own SQL function."""
    with transient_errors_only(), database.connect() as conn:
        expired = conn.execute(
            "select count(*) from public.oauth_states where expires_at < now()"
        ).fetchone()[0]
        conn.execute("select public.cleanup_expired_oauth_states()")
    context.log.info(f"deleted {expired} expired OAuth state(s)")
    return expired


@dg.job(tags=exclusive_tags("cleanup_oauth_states"), description="Delete expired OAuth CSRF states.")
def cleanup_oauth_states() -> None:
    cleanup_expired_oauth_states()
