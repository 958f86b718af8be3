{#- Each post's first recorded day (UTC) from `engagements` (a relation or CTE of social engagement rows):
    of every post, or only of the posts in `posts` (a relation or CTE with platform and post_id), each one
    then through the (platform, post_id, recorded_at) index: its first recording is the index's first entry.
    The day a post was first recorded is its day in fct_content_engagement. -#}
{% macro post_first_days(engagements, posts=none) -%}
    {%- if posts %}
        select
            posts.platform,
            posts.post_id,
            {{ utc_date('first_recording.recorded_at') }} as post_date
        from {{ posts }} as posts
        cross join lateral (
            select min(engagements.recorded_at) as recorded_at
            from {{ engagements }} as engagements
            where engagements.platform = posts.platform and engagements.post_id = posts.post_id
        ) as first_recording
    {%- else %}
        select
            engagements.platform,
            engagements.post_id,
            min({{ utc_date('engagements.recorded_at') }}) as post_date
        from {{ engagements }} as engagements
        group by engagements.platform, engagements.post_id
    {%- endif %}
{%- endmacro %}
