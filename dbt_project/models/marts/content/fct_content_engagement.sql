{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['platform', 'post_date'],
        on_schema_change='fail',
        indexes=[{'columns': ['platform', 'engagement_type', 'post_date'], 'unique': True}],
    )
}}

{#- Grain: platform × engagement type × day the post was first recorded. Counters are per post and may be
    recorded more than once (a later recording supersedes an earlier one), so each post counts with its
    latest count. Social counters carry no owner, so this mart is platform-wide. Incremental: the platform
    days of posts recorded in the look-back window are re-computed whole. -#}

-- read where used (each use filters it differently), not copied once in full
with engagements as not materialized (
    select * from {{ ref('stg_public__social_engagements') }}
),

{% if is_incremental() %}
    -- posts recorded in the look-back window, and the days they were first recorded: those days change
    recent_posts as (
        select distinct
            engagements.platform,
            engagements.post_id
        from engagements
        where engagements.recorded_at >= {{ incremental_window_start_ts('last_recorded_at') }}
    ),

    changed_days as (
        select distinct
            first_seen.platform,
            first_seen.post_date
        from ({{ post_first_days('engagements', 'recent_posts') }}) as first_seen
    ),

    -- every post first recorded on a changed day was recorded on that day: the candidates, with their
    -- first day from all their recordings
    day_posts as (
        select distinct
            engagements.platform,
            engagements.post_id
        from engagements
        inner join changed_days
            on
                engagements.platform = changed_days.platform
                and {{ utc_date('engagements.recorded_at') }} = changed_days.post_date
    ),

    post_days as (
        {{ post_first_days('engagements', 'day_posts') }}
    ),

    posts as (
        select post_days.*
        from post_days
        inner join changed_days
            on post_days.platform = changed_days.platform and post_days.post_date = changed_days.post_date
    ),
{% else %}
    posts as (
        {{ post_first_days('engagements') }}
    ),
{% endif %}

latest_per_post as (
    select distinct on (engagements.platform, engagements.post_id, engagements.engagement_type)
        engagements.platform,
        engagements.post_id,
        engagements.engagement_type,
        engagements.engagement_count,
        engagements.recorded_at,
        posts.post_date
    from engagements
    inner join posts on engagements.platform = posts.platform and engagements.post_id = posts.post_id
    order by
        engagements.platform asc,
        engagements.post_id asc,
        engagements.engagement_type asc,
        engagements.recorded_at desc,
        engagements.social_engagement_id desc
),

daily as (
    select
        platform,
        engagement_type,
        post_date,
        count(*) as posts,
        sum(engagement_count) as engagements,
        max(recorded_at) as last_recorded_at
    from latest_per_post
    group by platform, engagement_type, post_date
),

final as (
    select
        platform,
        engagement_type,
        post_date,
        {{ iso_week_start('post_date') }} as week_start,
        posts,
        engagements,
        {{ safe_divide('engagements', 'posts') }} as engagements_per_post,
        {{ safe_divide(
            'engagements',
            'sum(engagements) over (partition by platform, post_date)'
        ) }} as share_of_platform_engagements,
        last_recorded_at
    from daily
)

select * from final
