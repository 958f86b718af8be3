{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='lead_id',
        on_schema_change='fail',
        indexes=[
            {'columns': ['lead_id', 'stage'], 'unique': True},
            {'columns': ['user_id', 'cohort_week']},
            {'columns': ['(' ~ lead_last_change() ~ ')']},
        ],
    )
}}

{#- Stage entry times: `new` when the lead was created; the others from the status-change activities
    (activity_data {"status_from": …, "status_to": …}), the earliest per stage; a current status without
    such an activity entered at the lead's updated_at. A stage skipped on the way up (new → qualified)
    counts as entered together with the next stage reached, so the funnel never narrows upwards. -#}

with leads as (
    {% if is_incremental() %}
        -- a few leads out of many: each through the primary key
        select lead.*
        from ({{ changed_leads(lead_change_window_start()) }}) as changed
        cross join lateral (
            select stg_leads.*
            from {{ ref('stg_public__leads') }} as stg_leads
            where stg_leads.lead_id = changed.lead_id
            -- a fence: the planner must not flatten this into a join over the whole table
            offset 0  -- noqa: AM09
        ) as lead
    {% else %}
        select * from {{ ref('stg_public__leads') }}
    {% endif %}
),

{%- set recorded_columns -%}
    max(activities.occurred_at) as last_activity_at,
    max(activities.recorded_at) as last_activity_recorded_at,
    min(activities.occurred_at) filter (where activities.status_to = 'contacted') as contacted_at,
    min(activities.occurred_at) filter (where activities.status_to = 'qualified') as qualified_at,
    min(activities.occurred_at) filter (where activities.status_to = 'converted') as converted_at,
    min(activities.occurred_at) filter (where activities.status_to = 'lost') as lost_at
{%- endset %}

activities as (
    select
        lead_activities.lead_id,
        lead_activities.occurred_at,
        {{ activity_recorded_at('lead_activities') }} as recorded_at,
        lead_activities.activity_data ->> 'status_to' as status_to
    from {{ ref('stg_public__lead_activities') }} as lead_activities
),

{% if is_incremental() %}
    -- a few leads out of many: their activities through the lead_id index, lead by lead
    recorded as (
        select
            leads.lead_id,
            lead_activities.*
        from leads
        cross join lateral (
            select {{ recorded_columns }}
            from activities
            where activities.lead_id = leads.lead_id
            -- a fence: the planner must not flatten this into a join over the whole table
            offset 0  -- noqa: AM09
        ) as lead_activities
    ),
{% else %}
    recorded as (
        select
            activities.lead_id,
            {{ recorded_columns }}
        from activities
        where activities.lead_id is not null
        group by activities.lead_id
    ),
{% endif %}

entered as (
    select
        leads.lead_id,
        leads.user_id,
        leads.lead_source,
        leads.lead_status,
        leads.lead_score,
        leads.created_at,
        leads.updated_at as lead_updated_at,
        recorded.last_activity_at,
        recorded.last_activity_recorded_at,
        coalesce(
            recorded.contacted_at,
            case when leads.lead_status = 'contacted' then coalesce(leads.updated_at, leads.created_at) end
        ) as contacted_raw,
        coalesce(
            recorded.qualified_at,
            case when leads.lead_status = 'qualified' then coalesce(leads.updated_at, leads.created_at) end
        ) as qualified_raw,
        coalesce(
            recorded.converted_at,
            case when leads.lead_status = 'converted' then coalesce(leads.updated_at, leads.created_at) end
        ) as converted_at,
        case
            when leads.lead_status = 'lost'
                then coalesce(recorded.lost_at, leads.updated_at, leads.created_at)
        end as lost_at
    from leads
    left join recorded on leads.lead_id = recorded.lead_id
),

backfilled as (
    select
        *,
        least(contacted_raw, qualified_raw, converted_at) as contacted_at,
        least(qualified_raw, converted_at) as qualified_at
    from entered
),

stages as (
    select
        backfilled.*,
        stage_spine.stage,
        stage_spine.stage_rank,
        case stage_spine.stage
            when 'new' then backfilled.created_at
            when 'contacted' then backfilled.contacted_at
            when 'qualified' then backfilled.qualified_at
            when 'converted' then backfilled.converted_at
            when 'lost' then backfilled.lost_at
        end as entered_at,
        case stage_spine.stage
            when 'new' then coalesce(backfilled.contacted_at, backfilled.lost_at)
            when 'contacted' then coalesce(backfilled.qualified_at, backfilled.lost_at)
            when 'qualified' then coalesce(backfilled.converted_at, backfilled.lost_at)
        end as exited_at,
        case stage_spine.stage
            when 'new' then case when backfilled.contacted_at is not null then 'contacted' when backfilled.lost_at is not null then 'lost' end
            when 'contacted' then case when backfilled.qualified_at is not null then 'qualified' when backfilled.lost_at is not null then 'lost' end
            when 'qualified' then case when backfilled.converted_at is not null then 'converted' when backfilled.lost_at is not null then 'lost' end
        end as exited_to
    from backfilled
    cross join (
        values ('new', 1), ('contacted', 2), ('qualified', 3), ('converted', 4), ('lost', 5)
    ) as stage_spine (stage, stage_rank)
),

final as (
    select
        lead_id,
        stage,
        stage_rank,
        user_id,
        lead_source,
        {{ iso_week_start(utc_date('created_at')) }} as cohort_week,
        created_at as lead_created_at,
        entered_at,
        exited_at,
        exited_to,
        {{ hours_between('created_at', 'entered_at') }} as hours_to_reach,
        (stage = lead_status) as is_current_stage,
        lead_status,
        lead_score,
        lead_updated_at,
        last_activity_at,
        last_activity_recorded_at
    from stages
    where entered_at is not null
)

select * from final
{#- cohort by cohort: the funnels re-read whole cohorts (user × week) through the index, and a cohort's rows
    then share a few pages; the recent cohorts, where most changes fall, come last -#}
{{ stored_in_order_of(['cohort_week', 'user_id']) }}
