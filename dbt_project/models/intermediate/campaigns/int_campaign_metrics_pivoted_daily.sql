{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['campaign_id', 'metric_date'],
        on_schema_change='fail',
        indexes=[
            {'columns': ['campaign_id', 'metric_date'], 'unique': True},
            {'columns': ['metric_date']},
        ],
    )
}}

{%- set metric_types = [
    'impressions', 'clicks', 'conversions', 'spend', 'revenue', 'email_opens', 'email_clicks', 'unsubscribes',
] %}

with metrics as (
    select
        campaign_id,
        metric_date,
        metric_type,
        metric_value
    from {{ ref('stg_public__campaign_metrics') }}
    where
        campaign_id is not null
        {% if is_incremental() %}
            and metric_date >= {{ incremental_window_start('metric_date') }}
        {% endif %}
),

campaigns as (
    select
        campaign_id,
        user_id
    from {{ ref('stg_public__campaigns') }}
),

pivoted as (
    select
        campaign_id,
        metric_date,
        {% for metric_type in metric_types %}
            coalesce(sum(metric_value) filter (where metric_type = '{{ metric_type }}'), 0) as {{ metric_type }},
        {% endfor %}
        count(*) as source_rows
    from metrics
    group by campaign_id, metric_date
),

final as (
    select
        pivoted.campaign_id,
        campaigns.user_id,
        pivoted.metric_date,
        {% for metric_type in metric_types %}
            pivoted.{{ metric_type }},
        {% endfor %}
        pivoted.source_rows
    from pivoted
    inner join campaigns on pivoted.campaign_id = campaigns.campaign_id
)

select * from final
{{ stored_in_order_of(['metric_date', 'campaign_id']) }}
