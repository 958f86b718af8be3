{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='touch_id',
        on_schema_change='fail',
        indexes=[
            {'columns': ['touch_id'], 'unique': True},
            {'columns': ['lead_id', 'touched_at']},
            {'columns': ['recorded_at']},
        ],
    )
}}

{#- A touch is a lead activity whose activity_data is {"campaign_id": …, "channel": …, "touch": true}
    (the convention of the demo data and the app). A campaign id that is not a uuid is not a touch.
    The filters are written so the planner can estimate them (`?` uses the column's statistics, coalesce()
    gets the 0.5 default of a boolean expression): a bare equality on a ->> expression is estimated at
    0.5 % of the rows, and a regex match even less, which made it join millions of touches by nested loops
    (minutes instead of seconds at the large demo scale). -#}

{% if is_incremental() %}
    -- the activities recorded since the last run (late ones too, whatever time they name), through the
    -- created_at index
    {%- set since = arrival_window_start_ts('recorded_at') %}
    with source_activities as (
        select * from {{ ref('stg_public__lead_activities') }} as recorded
        where {{ activity_recorded_since('recorded', since) }}
    ),
{% else %}
    with source_activities as (
        select * from {{ ref('stg_public__lead_activities') }}
    ),
{% endif %}

-- materialized: the campaign id (a regex match, the costliest part) is computed once a row, not again in
-- each filter and join that names it
activities as materialized (
    select
        lead_activity_id,
        lead_id,
        activity_type,
        occurred_at,
        created_at,
        case
            when activity_data ->> 'campaign_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                then (activity_data ->> 'campaign_id')::uuid
        end as campaign_id,
        nullif(activity_data ->> 'channel', '') as touch_channel
    from source_activities
    where
        activity_data ? 'campaign_id'
        and coalesce(activity_data ->> 'touch' = 'true', false)
        and lead_id is not null
),

leads as (
    select
        lead_id,
        user_id
    from {{ ref('stg_public__leads') }}
),

campaigns as (
    select
        campaign_id,
        coalesce(channel, campaign_type, 'unknown') as channel
    from {{ ref('stg_public__campaigns') }}
),

touches as (
    select * from activities
    where campaign_id is not null
),

{% if is_incremental() %}
    -- a few days of touches: each one's lead through the primary key (a hash join read every lead)
    lead_touches as (
        select
            touches.*,
            touch_lead.user_id
        from touches
        cross join lateral (
            select leads.user_id
            from leads
            where leads.lead_id = touches.lead_id
            -- a fence: the planner must not flatten this into a join over the whole table
            offset 0  -- noqa: AM09
        ) as touch_lead
    ),
{% else %}
    lead_touches as (
        select
            touches.*,
            leads.user_id
        from touches
        inner join leads on touches.lead_id = leads.lead_id
    ),
{% endif %}

final as (
    select
        lead_touches.lead_activity_id as touch_id,
        lead_touches.lead_id,
        lead_touches.user_id,
        lead_touches.campaign_id,
        coalesce(lead_touches.touch_channel, campaigns.channel) as channel,
        lead_touches.activity_type,
        lead_touches.occurred_at as touched_at,
        {{ activity_recorded_at('lead_touches') }} as recorded_at
    from lead_touches
    inner join campaigns on lead_touches.campaign_id = campaigns.campaign_id
)

select * from final
{{ stored_in_order_of(['touched_at', 'touch_id']) }}
