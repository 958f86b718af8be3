{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='email_campaign_id',
        on_schema_change='fail',
        indexes=[{'columns': ['email_campaign_id'], 'unique': True}],
    )
}}

{#- One row per e-mail send (public.email_campaigns). Delivery and engagement come from the daily metrics of
    the campaign the send belongs to, on the send day (for e-mail campaigns `impressions` are deliveries);
    the rates the sending tool reported are kept alongside. A send no metric names (a draft, a send made
    outside the campaigns) has no campaign and null measures. Incremental: sends changed (updated_at) or
    sent in the look-back window, and sends not stored yet. -#}

with sends as (
    select * from {{ ref('stg_public__email_campaigns') }}
),

send_days as (
    select * from {{ ref('int_email_sends') }}
),

daily as (
    select * from {{ ref('int_campaign_metrics_pivoted_daily') }}
),

{% if is_incremental() %}
    changed as (
        select sends.email_campaign_id
        from sends
        where
            sends.updated_at >= {{ incremental_window_start_ts('send_updated_at') }}
            or not exists (
                select 1 from {{ this }} as this_model
                where this_model.email_campaign_id = sends.email_campaign_id
            )
        union
        select send_days.email_campaign_id
        from send_days
        where send_days.send_date >= {{ incremental_window_start('send_date') }}
    ),
{% endif %}

final as (
    select
        sends.email_campaign_id,
        send_days.campaign_id,
        daily.user_id,
        sends.send_name,
        sends.subject_line,
        sends.send_status,
        sends.scheduled_for,
        sends.sent_at,
        send_days.send_date,
        daily.impressions as delivered,
        daily.email_opens as opens,
        daily.email_clicks as clicks,
        daily.unsubscribes,
        daily.conversions,
        daily.revenue,
        daily.spend,
        {{ safe_divide('daily.email_opens', 'daily.impressions') }} as open_rate,
        {{ safe_divide('daily.email_clicks', 'daily.impressions') }} as click_rate,
        {{ safe_divide('daily.email_clicks', 'daily.email_opens') }} as click_to_open_rate,
        {{ safe_divide('daily.unsubscribes', 'daily.impressions') }} as unsubscribe_rate,
        sends.reported_open_rate_pct,
        sends.reported_click_rate_pct,
        sends.updated_at as send_updated_at
    from sends
    left join send_days on sends.email_campaign_id = send_days.email_campaign_id
    left join daily on send_days.campaign_id = daily.campaign_id and send_days.send_date = daily.metric_date
    {% if is_incremental() %}
        where sends.email_campaign_id in (select changed.email_campaign_id from changed)
    {% endif %}
)

select * from final
