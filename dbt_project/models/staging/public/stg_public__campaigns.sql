with source as (
    select * from {{ source('public', 'campaigns') }}
),

renamed as (
    select
        id as campaign_id,
        created_by as user_id,
        name as campaign_name,
        type as campaign_type,
        channel,
        status as campaign_status,
        total_budget::numeric as total_budget,
        budget_allocated::numeric as budget_allocated,
        budget_spent::numeric as budget_spent,
        start_date as starts_at,
        end_date as ends_at,
        primary_objective,
        channels,
        auto_managed as is_auto_managed,
        created_at,
        updated_at
    from source
)

select * from renamed
