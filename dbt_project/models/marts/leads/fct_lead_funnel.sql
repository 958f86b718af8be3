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
    changed, or had an activity recorded, since the last run; delete+insert replaces all stages of it. -#}

with lifecycle as (
    {{ funnel_lifecycle() }}
),

{{ lead_funnel('lifecycle') }}
{{ stored_in_order_of(['cohort_week', 'user_id']) }}
