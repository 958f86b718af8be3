{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['user_id', 'cohort_week'],
        on_schema_change='fail',
        indexes=[{'columns': ['user_id', 'cohort_week', 'stage'], 'unique': True}],
    )
}}

{#- Incremental by cohort: a run re-computes every user × cohort week holding a lead that was created or
    changed, or had an activity, in the look-back window; delete+insert replaces all stages of it. -#}

-- depends_on: {{ ref('stg_public__leads') }}, {{ ref('stg_public__lead_activities') }}

with
{% if is_incremental() %}
    changed_cohorts as (
        {{ changed_cohorts() }}
    ),
{% endif %}

lifecycle as (
    {% if is_incremental() %}
        -- the rows of a few cohorts, through the (user_id, cohort_week) index
        select cohort_rows.*
        from changed_cohorts
        cross join lateral (
            select lifecycle.*
            from {{ ref('int_lead_lifecycle') }} as lifecycle
            where
                lifecycle.user_id = changed_cohorts.user_id
                and lifecycle.cohort_week = changed_cohorts.cohort_week
            -- a fence: the planner must not flatten this into a join over the whole table
            offset 0  -- noqa: AM09
        ) as cohort_rows
    {% else %}
        select * from {{ ref('int_lead_lifecycle') }}
    {% endif %}
),

{{ lead_funnel('lifecycle') }}
