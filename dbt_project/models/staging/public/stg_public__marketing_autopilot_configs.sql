with source as (
    select * from {{ source('public', 'marketing_autopilot_config') }}
),

renamed as (
    select
        id as autopilot_config_id,
        user_id,
        monthly_budget::numeric as monthly_budget,
        is_active,
        last_optimized_at,
        created_at,
        updated_at
    from source
)

select * from renamed
