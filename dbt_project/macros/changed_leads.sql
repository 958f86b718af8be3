{#- When a lead last changed, in a lead-level warehouse table: when the lead row was created or last updated
    and when its latest activity was recorded, whichever is newest — arrival times the database sets
    (`leads.updated_at` by the operational trigger, `lead_activities.created_at` by its default), so an
    activity recorded late for the time it happened still counts as a change now. int_lead_lifecycle and
    dim_leads index exactly this expression, and the incremental lead models find their work with it (a
    range scan of that index, and the max() of their own watermark from its last page), so it must be
    written the same way everywhere: through this macro. -#}
{% macro lead_last_change(
    created='lead_created_at', updated='lead_updated_at', activity='last_activity_recorded_at'
) -%}
    greatest({{ created }}, {{ updated }}, {{ activity }})
{%- endmacro %}

{#- First moment an incremental lead model re-processes: the newest change it holds (`expression` over
    `relation`, lead_last_change() by default) minus the arrival look-back. One watermark for every kind of
    change, so "changed since" means the same in every lead model. -#}
{% macro lead_change_window_start(relation=this, expression=none) -%}
    {%- set expression = expression or lead_last_change() -%}
    {{ return(arrival_window_start_ts(expression, relation)) }}
{%- endmacro %}

{#- When a lead activity was recorded: its created_at, which the database sets — or its occurred_at where a
    client wrote created_at as null (the column allows it). `activity_recorded_since` is the same test
    written so that PostgreSQL can use the created_at and occurred_at indexes. -#}
{% macro activity_recorded_at(activity) -%}
    coalesce({{ activity }}.created_at, {{ activity }}.occurred_at)
{%- endmacro %}

{% macro activity_recorded_since(activity, since) -%}
    (
        {{ activity }}.created_at >= {{ since }}
        or ({{ activity }}.created_at is null and {{ activity }}.occurred_at >= {{ since }})
    )
{%- endmacro %}

{#- Leads created or changed (updated_at, which the operational schema's trigger moves on every update,
    e.g. a status change) and leads with an activity recorded (activity_recorded_at()) at or after `since`
    (a SQL timestamptz), read from the operational tables through their time indexes. -#}
{% macro changed_leads(since) -%}
    select source_leads.lead_id
    from {{ ref('stg_public__leads') }} as source_leads
    where
        source_leads.updated_at >= {{ since }}
        or (
            source_leads.updated_at is null
            and source_leads.created_at >= {{ since }}
        )
    union
    select source_activities.lead_id
    from {{ ref('stg_public__lead_activities') }} as source_activities
    where
        source_activities.lead_id is not null
        and {{ activity_recorded_since('source_activities', since) }}
{%- endmacro %}

{#- The int_lead_lifecycle rows a funnel model (re)computes. Incremental: the whole cohorts (user × cohort
    week) holding a lead that changed since the model's watermark `last_lead_change_at`, found in the
    lifecycle (already up to date in this run) through its lead_last_change() index, then each cohort's
    rows through the (user_id, cohort_week) index — a few thousand out of many, where joins would read
    whole tables. -#}
{% macro funnel_lifecycle(relation=this) -%}
    {%- if is_incremental() -%}
        {%- set since = lead_change_window_start(relation, 'last_lead_change_at') -%}
        select cohort_rows.*
        from (
            select distinct
                changed.user_id,
                changed.cohort_week
            from {{ ref('int_lead_lifecycle') }} as changed
            where {{ lead_last_change() }} >= {{ since }}
        ) as changed_cohorts
        cross join lateral (
            select lifecycle.*
            from {{ ref('int_lead_lifecycle') }} as lifecycle
            where
                lifecycle.user_id = changed_cohorts.user_id
                and lifecycle.cohort_week = changed_cohorts.cohort_week
            -- a fence: the planner must not flatten this into a join over the whole table
            offset 0  -- noqa: AM09
        ) as cohort_rows
    {%- else -%}
        select * from {{ ref('int_lead_lifecycle') }}
    {%- endif -%}
{%- endmacro %}
