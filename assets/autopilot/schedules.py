"""Autopilot schedules. The daily pass and the weekly insights have none of their own: they follow the
warehouse's daily_refresh (02:00 UTC) and weekly_reports (Mondays 09:00 UTC) runs (sensors.py)."""

import dagster as dg

from assets.autopilot.jobs import cleanup_oauth_states

cleanup_oauth_states_schedule = dg.ScheduleDefinition(
    name="cleanup_oauth_states_schedule",
    job=cleanup_oauth_states,
    cron_schedule="15 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Hourly at :15 UTC (OAuth states live 10 minutes; an hour of leftovers is harmless).",
)
