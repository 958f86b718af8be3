{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='email_campaign_id',
        on_schema_change='fail',
        indexes=[{'columns': ['email_campaign_id'], 'unique': True}],
    )
}}

{#- Which campaign and day each e-mail send (public.email_campaigns row) belongs to: the campaign metric rows
    of a send day name the send in additional_data.email_campaign_id. -#}

with metrics as (
    select
        campaign_id,
        metric_date,
        additional_data ->> 'email_campaign_id' as email_campaign_id_text
    from {{ ref('stg_public__campaign_metrics') }}
    where
        campaign_id is not null
        and additional_data ->> 'email_campaign_id' is not null
        {% if is_incremental() %}
            and metric_date >= {{ incremental_window_start('send_date') }}
        {% endif %}
),

sends as (
    select
        email_campaign_id_text::uuid as email_campaign_id,
        min(campaign_id::text)::uuid as campaign_id,
        min(metric_date) as send_date
    from metrics
    where email_campaign_id_text ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    group by email_campaign_id_text::uuid
)

select * from sends
