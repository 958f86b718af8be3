with source as (
    select * from {{ source('public', 'leads') }}
),

renamed as (
    select
        id as lead_id,
        created_by as user_id,
        source as lead_source,
        status as lead_status,
        lead_score::integer as lead_score,
        company,
        company_size,
        industry,
        job_title,
        created_at,
        updated_at
    from source
)

select * from renamed
