with source as (
    select * from {{ source('public', 'email_campaigns') }}
),

renamed as (
    select
        id as email_campaign_id,
        name as send_name,
        subject_line,
        status as send_status,
        scheduled_for,
        sent_at,
        open_rate::numeric as reported_open_rate_pct,
        click_rate::numeric as reported_click_rate_pct,
        created_at,
        updated_at
    from source
)

select * from renamed
