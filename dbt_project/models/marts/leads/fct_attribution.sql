{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='lead_id',
        on_schema_change='fail',
        indexes=[
            {'columns': ['lead_id', 'campaign_id', 'channel'], 'unique': True},
            {'columns': ['user_id', 'conversion_week']},
        ],
    )
}}

{#- Conversions are converted leads (one each), credited over the lead's campaign touches up to its
    conversion. Per lead every model's credits add up to exactly 1:
    first-touch and last-touch give 1 to the earliest / latest touch, linear 1/n to each of n touches,
    time-decay weights a touch 2^(-age / half-life) (age = conversion time - touch time, half-life
    `attribution_half_life_days`, 7 days by default) and normalises the weights to sum to 1.
    A converted lead with no touch before its conversion is one `unattributed` row (campaign_id null).
    Incremental by lead: delete+insert of every row of each re-processed lead (unique_key is the lead,
    the grain is lead × campaign × channel). -#}

{%- set half_life_hours = var('attribution_half_life_days') * 24 %}

with conversions as (
    select
        leads.lead_id,
        leads.user_id,
        leads.lead_source,
        leads.converted_at,
        leads.current_stage as lead_status,
        leads.lead_score,
        leads.lead_updated_at,
        leads.last_activity_at,
        leads.last_activity_recorded_at
    from {{ ref('dim_leads') }} as leads
    where
        leads.converted_at is not null
        {% if is_incremental() %}
            -- the leads changed since this model's newest change: a range scan of dim_leads'
            -- lead_last_change() index (this model keeps no creation time: a new lead's update is as new)
            and {{ lead_last_change('leads.created_at', 'leads.lead_updated_at', 'leads.last_activity_recorded_at') }}
            >= {{ lead_change_window_start(this, 'greatest(lead_updated_at, last_activity_recorded_at)') }}
        {% endif %}
),

touches as (
    select
        lead_touches.touch_id,
        lead_touches.lead_id,
        lead_touches.campaign_id,
        lead_touches.channel,
        lead_touches.touched_at,
        conversions.converted_at
    from conversions
    cross join lateral (
        select touch_rows.*
        from {{ ref('int_lead_campaign_touches') }} as touch_rows
        where touch_rows.lead_id = conversions.lead_id and touch_rows.touched_at <= conversions.converted_at
        -- a fence: the planner must not flatten this into a join over the whole table
        offset 0  -- noqa: AM09
    ) as lead_touches
),

weighted as (
    select
        touch_id,
        lead_id,
        campaign_id,
        channel,
        row_number() over (partition by lead_id order by touched_at, touch_id) as touch_number,
        row_number() over (partition by lead_id order by touched_at desc, touch_id desc) as touch_number_desc,
        count(*) over (partition by lead_id) as touches_of_lead,
        power(
            0.5::numeric,
            {{ hours_between('touched_at', 'converted_at') }} / {{ half_life_hours }}
        ) as decay_weight
    from touches
),

credited as (
    select
        lead_id,
        campaign_id,
        channel,
        case when touch_number = 1 then 1 else 0 end::numeric as first_touch_credit,
        case when touch_number_desc = 1 then 1 else 0 end::numeric as last_touch_credit,
        1::numeric / touches_of_lead as linear_credit,
        decay_weight / sum(decay_weight) over (partition by lead_id) as time_decay_credit
    from weighted
),

per_campaign as (
    select
        lead_id,
        campaign_id,
        channel,
        count(*) as touches,
        sum(first_touch_credit) as first_touch_credit,
        sum(last_touch_credit) as last_touch_credit,
        -- shares are rounded numerics: a campaign holding all of a lead's touches may add up to 1 + 1e-20
        least(sum(linear_credit), 1) as linear_credit,
        least(sum(time_decay_credit), 1) as time_decay_credit
    from credited
    group by lead_id, campaign_id, channel
),

unattributed as (
    select
        lead_id,
        null::uuid as campaign_id,
        'unattributed' as channel,
        0::bigint as touches,
        1::numeric as first_touch_credit,
        1::numeric as last_touch_credit,
        1::numeric as linear_credit,
        1::numeric as time_decay_credit
    from conversions
    where not exists (
        select 1 from touches
        where touches.lead_id = conversions.lead_id
    )
),

final as (
    select
        conversions.lead_id,
        credits.campaign_id,
        credits.channel,
        conversions.user_id,
        conversions.lead_source,
        conversions.converted_at,
        {{ iso_week_start(utc_date('conversions.converted_at')) }} as conversion_week,
        credits.touches,
        credits.first_touch_credit,
        credits.last_touch_credit,
        credits.linear_credit,
        credits.time_decay_credit,
        conversions.lead_status,
        conversions.lead_score,
        conversions.lead_updated_at,
        conversions.last_activity_at,
        conversions.last_activity_recorded_at
    from conversions
    inner join (
        select * from per_campaign
        union all
        select * from unattributed
    ) as credits on conversions.lead_id = credits.lead_id
)

select * from final
