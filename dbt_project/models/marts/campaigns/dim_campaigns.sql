{{ config(materialized='table') }}

{#- A table, rebuilt every run: lifetime totals are the figures to date of each campaign's latest day in
    fct_campaign_performance_daily, so the rebuild reads one row per campaign, not its history. -#}

with campaigns as (
    select * from {{ ref('stg_public__campaigns') }}
),

lifetime as (
    select
        campaigns.campaign_id,
        first_day.metric_date as first_metric_date,
        last_day.metric_date as last_metric_date,
        last_day.days_to_date as days_with_metrics,
        last_day.impressions_to_date as impressions,
        last_day.clicks_to_date as clicks,
        last_day.conversions_to_date as conversions,
        last_day.cumulative_spend as spend,
        last_day.revenue_to_date as revenue
    from campaigns
    left join lateral (
        select daily.*
        from {{ ref('fct_campaign_performance_daily') }} as daily
        where daily.campaign_id = campaigns.campaign_id
        order by daily.metric_date desc
        limit 1
    ) as last_day on true
    left join lateral (
        select daily.metric_date
        from {{ ref('fct_campaign_performance_daily') }} as daily
        where daily.campaign_id = campaigns.campaign_id
        order by daily.metric_date asc
        limit 1
    ) as first_day on true
),

final as (
    select
        campaigns.campaign_id,
        campaigns.user_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        coalesce(campaigns.channel, campaigns.campaign_type, 'unknown') as channel,
        campaigns.campaign_status,
        coalesce(campaigns.is_auto_managed, false) as is_auto_managed,
        campaigns.primary_objective,
        campaigns.starts_at,
        campaigns.ends_at,
        campaigns.total_budget,
        lifetime.first_metric_date,
        lifetime.last_metric_date,
        coalesce(lifetime.days_with_metrics, 0) as days_with_metrics,
        coalesce(lifetime.impressions, 0) as impressions,
        coalesce(lifetime.clicks, 0) as clicks,
        coalesce(lifetime.conversions, 0) as conversions,
        coalesce(lifetime.spend, 0) as spend,
        coalesce(lifetime.revenue, 0) as revenue,
        {{ safe_divide('lifetime.clicks', 'lifetime.impressions') }} as ctr,
        {{ safe_divide('lifetime.conversions', 'lifetime.clicks') }} as cvr,
        {{ safe_divide('lifetime.spend', 'lifetime.conversions') }} as cpa,
        {{ safe_divide('lifetime.revenue', 'lifetime.spend') }} as roas,
        {{ safe_divide('coalesce(lifetime.spend, 0)', 'campaigns.total_budget') }} as budget_used_ratio,
        campaigns.created_at,
        campaigns.updated_at
    from campaigns
    left join lifetime on campaigns.campaign_id = lifetime.campaign_id
)

select * from final
