"""The suites as code: built from the operational spec and the settings, well-formed for the runner."""

from __future__ import annotations

import pytest

from assets.quality.mart_suites import MART_PROFILES, mart_suite
from assets.quality.suites import INPUT_SUITES, InputSuite, SuiteParams, spec_values

PARAMS = SuiteParams(embedding_dimension=768, embedding_model="some-model")


@pytest.mark.parametrize("suite", INPUT_SUITES, ids=lambda s: s.check_name)
def test_input_suites_are_well_formed(suite: InputSuite) -> None:
    built = suite.build(PARAMS)
    descriptions = [e.description for e in built.expectations]
    assert all(descriptions) and len(set(descriptions)) == len(descriptions)  # the runner matches by them
    assert {e.severity.value for e in built.expectations} <= {"critical", "warning"}
    assert any(e.severity.value == "critical" for e in built.expectations)  # something can block


def test_value_sets_come_from_the_spec() -> None:
    assert spec_values("leads", "status") == ("new", "contacted", "qualified", "converted", "lost")
    assert {"spend", "clicks", "conversions", "impressions", "revenue"} <= set(
        spec_values("campaign_metrics", "metric_type")
    )


def test_embedding_dimension_follows_the_settings() -> None:
    built = next(s for s in INPUT_SUITES if s.table == "knowledge_chunks").build(PARAMS)
    assert "768" in built.expectations[0].unexpected_rows_query


def test_mart_bounds_follow_the_previous_run() -> None:
    profile = MART_PROFILES[0]
    first = mart_suite(profile, {})
    assert (first.expectations[0].min_value, first.expectations[0].max_value) == (1, None)
    assert first.expectations[1].min_value is None and first.expectations[1].max_value is None
    later = mart_suite(profile, {"row_count": 1000, f"mean:{profile.measures[0]}": 40.0}, tolerance=0.5)
    assert (later.expectations[0].min_value, later.expectations[0].max_value) == (500, 1500)
    assert (later.expectations[1].min_value, later.expectations[1].max_value) == (20.0, 60.0)
