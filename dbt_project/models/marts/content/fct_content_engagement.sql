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

    -- every post first recorded on a changed day was recorded on that day: the candidates, from the day's
    -- recordings (a range of the recorded_at index), with their first day from all their recordings
    day_posts as (
        select distinct
            changed_days.platform,
            day_recordings.post_id
        from changed_days
        cross join lateral (
            select engagements.post_id
            from engagements
            where
                engagements.platform = changed_days.platform
                and engagements.recorded_at >= {{ utc_midnight('changed_days.post_date') }}
                and engagements.recorded_at < {{ utc_midnight('changed_days.post_date + 1') }}
            -- a fence: the planner must not flatten this into a join over the whole table
            offset 0  -- noqa: AM09
        ) as day_recordings
    ),

    posts as (
        select post_days.*
        from ({{ post_first_days('engagements', 'day_posts') }}) as post_days
        inner join changed_days
            on post_days.platform = changed_days.platform and post_days.post_date = changed_days.post_date
    ),

    -- every recording of those posts, post by post through the (platform, post_id, recorded_at) index
    post_recordings as (
        select
            posts.*,
            recordings.*
        from posts
        cross join lateral (
            select
                engagements.social_engagement_id,
                engagements.engagement_type,
                engagements.engagement_count,
                engagements.recorded_at
            from engagements
            where engagements.platform = posts.platform and engagements.post_id = posts.post_id
            -- a fence: the planner must not flatten this into a join over the whole table
            offset 0  -- noqa: AM09
        ) as recordings
    ),
{% else %}
    posts as (
        {{ post_first_days('engagements') }}
    ),

    post_recordings as (
        select
            posts.*,
            engagements.social_engagement_id,
            engagements.engagement_type,
            engagements.engagement_count,
            engagements.recorded_at
        from engagements
        inner join posts on engagements.platform = posts.platform and engagements.post_id = posts.post_id
    ),
{% endif %}

latest_per_post as (
    select distinct on (platform, post_id, engagement_type)
        platform,
        post_id,
        engagement_type,
        engagement_count,
        recorded_at,
        post_date
    from post_recordings
    order by
        platform asc,
        post_id asc,
        engagement_type asc,
        recorded_at desc,
        social_engagement_id desc
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
