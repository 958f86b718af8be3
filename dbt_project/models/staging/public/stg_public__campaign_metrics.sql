with source as (
    select * from {{ source('public', 'campaign_metrics') }}
),

renamed as (
    select
        id as campaign_metric_id,
        campaign_id,
        metric_type,
        metric_value::numeric as metric_value,
        metric_date::date as metric_date,
        additional_data,
        created_at
    from source
)

select * from renamed
