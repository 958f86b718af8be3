"""When the warehouse runs (the original product's pg_cron times, in UTC whatever the server's zone)."""

import dagster as dg

from assets.warehouse.jobs import daily_refresh, weekly_reports

daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh_schedule",
    job=daily_refresh,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day at 02:00 UTC.",
)

weekly_reports_schedule = dg.ScheduleDefinition(
    name="weekly_reports_schedule",
    job=weekly_reports,
    cron_schedule="0 9 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Mondays at 09:00 UTC.",
)
