{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['user_id', 'cohort_week'],
        on_schema_change='fail',
        indexes=[{'columns': ['user_id', 'cohort_week', 'lead_source', 'stage'], 'unique': True}],
    )
}}

{#- fct_lead_funnel split by lead source; incremental by cohort the same way. -#}

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

{{ lead_funnel('lifecycle', extra_columns=['lead_source']) }}
