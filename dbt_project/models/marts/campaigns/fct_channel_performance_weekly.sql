{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['user_id', 'channel', 'week_start'],
        on_schema_change='fail',
        indexes=[
            {'columns': ['user_id', 'channel', 'week_start'], 'unique': True},
            {'columns': ['week_start']},
        ],
    )
}}

with daily as (
    select * from {{ ref('fct_campaign_performance_daily') }}
    {% if is_incremental() %}
        -- whole weeks from the window's Monday on; on metric_date, which the daily table indexes (a row's
        -- week starts on or after a Monday exactly when its day does)
        where metric_date >= {{ iso_week_start(incremental_window_start('week_start')) }}
    {% endif %}
),

weekly as (
    select
        user_id,
        channel,
        week_start,
        count(distinct campaign_id) as campaigns,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(conversions) as conversions,
        sum(spend) as spend,
        sum(revenue) as revenue,
        sum(email_opens) as email_opens,
        sum(email_clicks) as email_clicks,
        sum(unsubscribes) as unsubscribes
    from daily
    group by user_id, channel, week_start
),

final as (
    select
        user_id,
        channel,
        week_start,
        (week_start + 6) as week_end,
        {{ iso_week_label('week_start') }} as iso_week,
        campaigns,
        impressions,
        clicks,
        conversions,
        spend,
        revenue,
        email_opens,
        email_clicks,
        unsubscribes,
        {{ safe_divide('clicks', 'impressions') }} as ctr,
        {{ safe_divide('conversions', 'clicks') }} as cvr,
        {{ safe_divide('spend', 'clicks') }} as cpc,
        {{ safe_divide('spend', 'conversions') }} as cpa,
        {{ safe_divide('revenue', 'spend') }} as roas,
        {{ safe_divide('revenue - spend', 'spend') }} as roi
    from weekly
)

select * from final
{{ stored_in_order_of(['week_start', 'user_id', 'channel']) }}
