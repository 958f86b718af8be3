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

with lifecycle as (
    {{ funnel_lifecycle() }}
),

{{ lead_funnel('lifecycle', extra_columns=['lead_source']) }}
{{ stored_in_order_of(['cohort_week', 'user_id']) }}
