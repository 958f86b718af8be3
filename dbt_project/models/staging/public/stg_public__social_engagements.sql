with source as (
    select * from {{ source('public', 'social_engagement') }}
),

renamed as (
    select
        id as social_engagement_id,
        post_id,
        platform,
        engagement_type,
        engagement_count::integer as engagement_count,
        recorded_at
    from source
)

select * from renamed
