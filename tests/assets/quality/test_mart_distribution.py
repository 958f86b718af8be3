"""A mart's volume and distribution are compared with the previous run's observations, kept in the history."""

from __future__ import annotations

import dagster as dg
import psycopg

from assets.quality.checks import MART_CHECKS, MART_KEY_PREFIX
from orchestration.resources import PostgresResource
from orchestration.settings import Settings

MART = "fct_campaign_performance_daily"


def run_mart_check(db_url: str) -> tuple[dg.AssetCheckEvaluation, str]:
    key = dg.AssetKey([MART_KEY_PREFIX, MART])
    check = next(c for c in MART_CHECKS if next(iter(c.check_keys)).asset_key == key)
    defs = dg.Definitions(
        assets=[dg.AssetSpec(key)],
        asset_checks=[check],
        jobs=[dg.define_asset_job("mart_checks", selection=dg.AssetSelection.checks(check))],
        resources={"database": PostgresResource(url=db_url)},
    )
    result = defs.resolve_job_def("mart_checks").execute_in_process(instance=dg.DagsterInstance.ephemeral())
    return result.get_asset_check_evaluations()[0], result.run_id


def test_mart_volume_and_means_within_bounds_of_the_previous_run(
    conn: psycopg.Connection, db_url: str, settings: Settings
) -> None:
    conn.execute("create schema marts")
    conn.execute(
        f"create table marts.{MART} as select g as campaign_id, current_date - g as metric_date, "
        "(100 + g % 7)::numeric as spend, 50 + g % 5 as clicks, 2 + g % 3 as conversions, "
        "(300 + g % 11)::numeric as revenue from generate_series(1, 200) as g"
    )
    first, run_1 = run_mart_check(db_url)
    assert first.passed and first.metadata["summary"].value == "first observation"
    second, _ = run_mart_check(db_url)
    assert second.passed  # unchanged data

    conn.execute(
        f"insert into marts.{MART} select * from marts.{MART} where campaign_id <= 40"
    )  # +20 %: fine
    assert run_mart_check(db_url)[0].passed

    conn.execute(f"delete from marts.{MART} where campaign_id > 50")  # −79 % of rows
    conn.execute(f"update marts.{MART} set spend = spend * 3")  # and spend tripled
    drop, run_4 = run_mart_check(db_url)
    assert not drop.passed and drop.severity.value == "WARN"
    failing = {row["measure"]: row for row in drop.metadata["failing_rows"].value}
    assert set(failing) == {"row_count", "mean:spend"}
    assert (failing["row_count"]["observed"], failing["row_count"]["previous"]) == (90, 240)

    observations = conn.execute(
        "select run_id, value from quality.metric_observations where asset_key = %s and metric = 'row_count' "
        "order by id",
        (f"marts/{MART}",),
    ).fetchall()
    assert [v for _, v in observations] == [200, 200, 240, 90]
    assert (observations[0][0], observations[-1][0]) == (run_1, run_4)


def test_a_missing_mart_warns_that_it_must_be_built(db_url: str, settings: Settings) -> None:
    evaluation, _ = run_mart_check(db_url)
    assert not evaluation.passed and evaluation.severity.value == "WARN"
    assert "build the warehouse" in evaluation.metadata["summary"].value


def test_mart_profiles_follow_the_documented_mart_columns() -> None:
    # the measures watched must be columns the warehouse documents for the model (models/marts/**/_*.yml)
    import yaml

    from assets.quality.mart_suites import MART_PROFILES
    from orchestration.settings import REPO_ROOT

    documented: dict[str, set[str]] = {}
    for path in (REPO_ROOT / "dbt_project" / "models" / "marts").rglob("_*__models.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            documented[model["name"]] = {column["name"] for column in model.get("columns", [])}
    for profile in MART_PROFILES:
        assert profile.model in documented, f"{profile.model} is not a documented mart"
        assert set(profile.measures) <= documented[profile.model], (profile.model, profile.measures)


def test_a_mart_empty_twice_is_a_warning_not_an_error_of_the_check(
    conn: psycopg.Connection, db_url: str, settings: Settings
) -> None:
    # the previous run observed 0 rows: the bounds must not become "at least 1 and at most 0"
    conn.execute("create schema marts")
    conn.execute(
        f"create table marts.{MART} (campaign_id int, metric_date date, spend numeric, clicks int, "
        "conversions int, revenue numeric)"
    )
    for _ in range(2):
        evaluation, _ = run_mart_check(db_url)
        assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
        assert evaluation.metadata["observed_value"].value == 0
