"""The autopilot's Definitions: the daily pass and weekly insights, their jobs, the OAuth-state cleanup
schedule and the sensors. It relies on the warehouse's jobs (daily_refresh, weekly_reports) and on the
shared `database` resource, both merged in by orchestration/definitions.py."""

import dagster as dg

from assets.autopilot.assets import autopilot_daily_pass, weekly_report_insights
from assets.autopilot.jobs import autopilot_daily, autopilot_weekly_insights, cleanup_oauth_states
from assets.autopilot.schedules import cleanup_oauth_states_schedule
from assets.autopilot.sensors import (
    autopilot_after_warehouse,
    run_failure_recorder,
    run_request_outcome_sensor,
    run_requests_sensor,
)

defs = dg.Definitions(
    assets=[autopilot_daily_pass, weekly_report_insights],
    jobs=[autopilot_daily, autopilot_weekly_insights, cleanup_oauth_states],
    schedules=[cleanup_oauth_states_schedule],
    sensors=[
        run_requests_sensor,
        run_request_outcome_sensor,
        run_failure_recorder,
        autopilot_after_warehouse,
    ],
)
