{#- Each post's first recorded day (UTC) from `engagements` (a relation or CTE of social engagement rows):
    of every post, or only of the posts in `posts` (a relation or CTE with platform and post_id). The day a
    post was first recorded is its day in fct_content_engagement. -#}
{% macro post_first_days(engagements, posts=none) -%}
    select
        engagements.platform,
        engagements.post_id,
        min({{ utc_date('engagements.recorded_at') }}) as post_date
    from {{ engagements }} as engagements
    {%- if posts %}
        inner join {{ posts }} as posts
            on engagements.platform = posts.platform and engagements.post_id = posts.post_id
    {%- endif %}
    group by engagements.platform, engagements.post_id
{%- endmacro %}
