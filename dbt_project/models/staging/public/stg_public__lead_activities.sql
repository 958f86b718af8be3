with source as (
    select * from {{ source('public', 'lead_activities') }}
),

renamed as (
    select
        id as lead_activity_id,
        lead_id,
        created_by as user_id,
        activity_type,
        activity_data,
        occurred_at,
        created_at
    from source
)

select * from renamed
