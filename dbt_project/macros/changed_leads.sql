{#- Leads an incremental lead-grain model re-processes: leads created or changed (updated_at, which the
    operational schema's trigger moves on every update, e.g. a status change) and leads with an activity
    (a touch, a status change) since the newest ones the model `relation` holds (its columns
    `updated_column` and `activity_column`), minus the look-back window. -#}
{% macro changed_leads(relation=this, updated_column='lead_updated_at', activity_column='last_activity_at') -%}
    {#- each watermark is a `max()` over the model's table: both read in one scan -#}
    {%- set since = incremental_window_starts_ts([updated_column, activity_column] | unique | list, relation) -%}
    select source_leads.lead_id
    from {{ ref('stg_public__leads') }} as source_leads
    where
        source_leads.updated_at >= {{ since[updated_column] }}
        or (
            source_leads.updated_at is null
            and source_leads.created_at >= {{ since[updated_column] }}
        )
    union
    select source_activities.lead_id
    from {{ ref('stg_public__lead_activities') }} as source_activities
    where
        source_activities.lead_id is not null
        and source_activities.occurred_at >= {{ since[activity_column] }}
{%- endmacro %}

{#- The int_lead_lifecycle rows a funnel model (re)computes. Incremental: the whole cohorts (user × cohort
    week) holding a lead changed since the model's watermark `last_lead_change_at`: the changed leads are
    looked up one by one through the primary key, then each cohort's rows through the (user_id,
    cohort_week) index — a few thousand out of many, where joins would read whole tables. -#}
{% macro funnel_lifecycle(relation=this) -%}
    {%- if is_incremental() -%}
        select cohort_rows.*
        from (
            select distinct
                cohort_leads.user_id,
                {{ iso_week_start(utc_date('cohort_leads.created_at')) }} as cohort_week
            from ({{ changed_leads(relation, 'last_lead_change_at', 'last_lead_change_at') }}) as changed
            cross join lateral (
                select leads.user_id, leads.created_at
                from {{ ref('stg_public__leads') }} as leads
                where leads.lead_id = changed.lead_id
                -- a fence: the planner must not flatten this into a join over the whole table
                offset 0  -- noqa: AM09
            ) as cohort_leads
        ) as changed_cohorts
        cross join lateral (
            select lifecycle.*
            from {{ ref('int_lead_lifecycle') }} as lifecycle
            where
                lifecycle.user_id = changed_cohorts.user_id
                and lifecycle.cohort_week = changed_cohorts.cohort_week
            offset 0  -- noqa: AM09
        ) as cohort_rows
    {%- else -%}
        select * from {{ ref('int_lead_lifecycle') }}
    {%- endif -%}
{%- endmacro %}
