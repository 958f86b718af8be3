{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='lead_id',
        on_schema_change='fail',
        indexes=[
            {'columns': ['lead_id'], 'unique': True},
            {'columns': ['user_id', 'cohort_week']},
            {'columns': ['(' ~ lead_last_change('created_at') ~ ')']},
        ],
    )
}}

with
{% if is_incremental() %}
    -- the leads changed since this model's newest change, as the lifecycle (up to date in this run) has
    -- them: one range scan of its lead_last_change() index returns every stage row of each
    lifecycle as (
        select lifecycle.*
        from {{ ref('int_lead_lifecycle') }} as lifecycle
        where {{ lead_last_change() }} >= {{ lead_change_window_start(this, lead_last_change('created_at')) }}
    ),

    changed as (
        select distinct lead_id from lifecycle
    ),

    touches as (
        select lead_touches.*
        from changed
        cross join lateral (
            select touches.*
            from {{ ref('int_lead_campaign_touches') }} as touches
            where touches.lead_id = changed.lead_id
            -- a fence: the planner must not flatten this into a join over the whole table
            offset 0  -- noqa: AM09
        ) as lead_touches
    ),
{% else %}
    lifecycle as (
        select * from {{ ref('int_lead_lifecycle') }}
    ),

    touches as (
        select * from {{ ref('int_lead_campaign_touches') }}
    ),
{% endif %}

lead_stages as (
    select
        lead_id,
        user_id,
        lead_source,
        lead_status as current_stage,
        lead_score,
        cohort_week,
        lead_created_at as created_at,
        lead_updated_at,
        last_activity_at,
        last_activity_recorded_at,
        min(entered_at) filter (where stage = 'contacted') as contacted_at,
        min(entered_at) filter (where stage = 'qualified') as qualified_at,
        min(entered_at) filter (where stage = 'converted') as converted_at,
        min(entered_at) filter (where stage = 'lost') as lost_at,
        max(stage_rank) filter (where stage <> 'lost') as furthest_stage_rank
    from lifecycle
    group by
        lead_id, user_id, lead_source, lead_status, lead_score, cohort_week, lead_created_at, lead_updated_at,
        last_activity_at, last_activity_recorded_at
),

-- a lead's touches in time order (ties by id), once: the first and the last element of each ordered
-- aggregate, all of one order so PostgreSQL sorts the input a single time (three window passes cost twice as much)
first_last as (
    select
        lead_id,
        count(*) as touches,
        (array_agg(campaign_id order by touched_at, touch_id))[1] as first_touch_campaign_id,
        (array_agg(channel order by touched_at, touch_id))[1] as first_touch_channel,
        (array_agg(touched_at order by touched_at, touch_id))[1] as first_touch_at,
        (array_agg(campaign_id order by touched_at, touch_id))[count(*)] as last_touch_campaign_id,
        (array_agg(channel order by touched_at, touch_id))[count(*)] as last_touch_channel,
        (array_agg(touched_at order by touched_at, touch_id))[count(*)] as last_touch_at
    from touches
    group by lead_id
),

final as (
    select
        lead_stages.lead_id,
        lead_stages.user_id,
        lead_stages.lead_source,
        lead_stages.current_stage,
        (
            array['new', 'contacted', 'qualified', 'converted']
        )[lead_stages.furthest_stage_rank] as furthest_stage,
        lead_stages.lead_score,
        lead_stages.created_at,
        lead_stages.cohort_week,
        lead_stages.contacted_at,
        lead_stages.qualified_at,
        lead_stages.converted_at,
        lead_stages.lost_at,
        (lead_stages.converted_at is not null) as is_converted,
        {{ hours_between('lead_stages.created_at', 'lead_stages.converted_at') }} / 24 as days_to_convert,
        coalesce(first_last.touches, 0) as touches,
        first_last.first_touch_campaign_id,
        first_last.first_touch_channel,
        first_last.first_touch_at,
        first_last.last_touch_campaign_id,
        first_last.last_touch_channel,
        first_last.last_touch_at,
        lead_stages.lead_updated_at,
        lead_stages.last_activity_at,
        lead_stages.last_activity_recorded_at
    from lead_stages
    left join first_last on lead_stages.lead_id = first_last.lead_id
)

select * from final
{{ stored_in_order_of(['cohort_week', 'user_id']) }}
