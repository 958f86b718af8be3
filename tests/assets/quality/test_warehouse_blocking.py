"""With the real warehouse: the input checks run in the same run as the dbt models, the mart checks after
the marts, and a blocking failure keeps the marts built from the bad table and the write-back from
running."""

from __future__ import annotations

import dagster as dg
import psycopg

from assets.quality import input_checks_selection
from assets.quality.checks import INPUT_CHECKS, MART_CHECKS, daily_metric_anomalies
from orchestration.resources import PostgresResource
from orchestration.settings import Settings
from tests.assets.quality.seed import USER_ID, Seeded

WRITE_BACK = "public/autopilot_weekly_reports"
AUTOPILOT = {"marts/fct_autopilot_weekly", WRITE_BACK}
FROM_LEADS = {
    "marts/dim_leads",
    "marts/fct_lead_funnel",
    "marts/fct_lead_funnel_by_source",
    "marts/fct_attribution",
}
FROM_METRICS = {
    "marts/fct_campaign_performance_daily",
    "marts/fct_channel_performance_weekly",
    "marts/dim_campaigns",
    "marts/fct_email_performance",
}
UNGUARDED = {"marts/fct_content_engagement", "staging/stg_public__campaigns"}


def refresh(db_url: str) -> dg.ExecuteInProcessResult:
    from assets.warehouse.assets import autopilot_weekly_reports, operational_tables, warehouse_models
    from assets.warehouse.resources import WarehouseDbtResource

    job = dg.define_asset_job(
        "refresh",
        selection=dg.AssetSelection.assets(*warehouse_models, autopilot_weekly_reports)
        | input_checks_selection(),
    )
    defs = dg.Definitions(
        assets=[*operational_tables, *warehouse_models, autopilot_weekly_reports],
        asset_checks=[*INPUT_CHECKS, daily_metric_anomalies, *MART_CHECKS],
        jobs=[job],
        resources={
            "database": PostgresResource(url=db_url),
            "dbt": WarehouseDbtResource(database_url=db_url),
        },
    )
    return defs.resolve_job_def("refresh").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


def _built(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def _failed(result: dg.ExecuteInProcessResult) -> list[tuple[str, str]]:
    """The failed ERROR checks (a mart's volume moving is a WARN of its own, not what is tested here)."""
    return [
        (e.check_name, e.severity.value)
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    ]


def test_blocking_input_check_stops_only_the_marts_built_from_the_bad_table_and_the_write_back(
    seeded: Seeded, conn: psycopg.Connection, db_url: str, settings: Settings
) -> None:
    first = refresh(db_url)
    assert first.success and _built(first) >= FROM_LEADS | FROM_METRICS | UNGUARDED | AUTOPILOT
    checks = {(e.asset_key.to_user_string(), e.check_name): e for e in first.get_asset_check_evaluations()}
    input_checks = {(key.asset_key.to_user_string(), key.name) for c in INPUT_CHECKS for key in c.check_keys}
    assert input_checks <= set(checks) and all(checks[key].passed for key in input_checks)
    # the mart checks ran after their marts, on the real columns
    assert checks[("marts/fct_campaign_performance_daily", "volume_and_distribution")].passed

    # a lead with a status outside the enum: the lead marts, the weekly report and the write-back stop;
    # the campaign marts and everything else still build
    conn.execute("alter table public.leads drop constraint if exists leads_status_check")  # unconstrained
    conn.execute(
        "insert into public.leads (email, source, status, lead_score, created_by) "
        "values ('late@example.com', 'website', 'zombie', 10, %s)",
        (USER_ID,),
    )
    second = refresh(db_url)
    built = _built(second)
    assert _failed(second) == [("leads_valid", "ERROR")]
    assert not (FROM_LEADS | AUTOPILOT) & built
    assert built >= FROM_METRICS | UNGUARDED
    stored = conn.execute(
        "select passed from quality.check_results where run_id = %s and check_name = 'leads_valid'",
        (second.run_id,),
    ).fetchone()
    assert stored == (False,)

    # the other way round: the lead is fixed, a metric turns negative; now the lead marts build and the
    # campaign marts (and what is built from them) stop
    conn.execute("update public.leads set status = 'new' where status = 'zombie'")
    conn.execute(
        "update public.campaign_metrics set metric_value = -5 where id = "
        "(select id from public.campaign_metrics where metric_type = 'spend' order by metric_date desc limit 1)"
    )
    third = refresh(db_url)
    built = _built(third)
    assert _failed(third) == [("campaign_metrics_valid", "ERROR")]
    assert not (FROM_METRICS | AUTOPILOT) & built
    assert built >= FROM_LEADS | UNGUARDED
