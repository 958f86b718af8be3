{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['user_id', 'week_start'],
        on_schema_change='fail',
        indexes=[{'columns': ['user_id', 'week_start'], 'unique': True}],
    )
}}

{#- One row per user × ISO week, from the user's first week with campaign metrics or leads up to the
    newest week in the data (the "as of" comes from the data, never from the clock, so a rebuild gives the
    same rows). ROI = (revenue - spend) / spend; the top channel is the one with the most revenue that
    week (then conversions, then name), none when no channel spent or earned anything.
    Incremental: the weeks from the look-back window on; every week when a user's autopilot configuration
    changed (its id is on every row). -#}

with configs as (
    select * from {{ ref('stg_public__marketing_autopilot_configs') }}
),

{% if is_incremental() %}
    stored_users as (
        select
            this_model.user_id,
            min(this_model.week_start) as first_week,
            max(this_model.autopilot_config_id::text) as autopilot_config_id
        from {{ this }} as this_model
        group by this_model.user_id
    ),
{% endif %}

cutoff as (
    select
        {% if is_incremental() %}
            case
                -- counted rather than exists(): the planner plans exists() to stop at a first match, as
                -- nested loops over users x configurations (80 ms), while usually nothing has changed
                when
                    (
                        select count(*)
                        from stored_users
                        left join configs on stored_users.user_id = configs.user_id
                        where stored_users.autopilot_config_id is distinct from configs.autopilot_config_id::text
                    ) > 0
                    then '1900-01-01'::date
                else {{ iso_week_start(incremental_window_start('week_start')) }}
            end
        {% else %}
            '1900-01-01'::date
        {% endif %} as from_week
),

channel_weeks as (
    select * from {{ ref('fct_channel_performance_weekly') }}
    where week_start >= (select cutoff.from_week from cutoff)
),

-- the three columns used, read twice (one lead is counted in its created week and its converted week):
-- materializing whole dim_leads rows once to read them twice costs more than two narrow scans
leads as not materialized (
    select
        user_id,
        cohort_week,
        converted_at
    from {{ ref('dim_leads') }}
    where user_id is not null
),

leads_created as (
    select
        user_id,
        cohort_week as week_start,
        count(*) as leads_generated
    from leads
    where cohort_week >= (select cutoff.from_week from cutoff)
    group by user_id, cohort_week
),

leads_converted as (
    select
        user_id,
        {{ iso_week_start(utc_date('converted_at')) }} as week_start,
        count(*) as leads_converted
    from leads
    where {{ utc_date('converted_at') }} >= (select cutoff.from_week from cutoff)
    group by user_id, week_start
),

performance as (
    select
        user_id,
        week_start,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(conversions) as conversions,
        sum(spend) as spend,
        sum(revenue) as revenue
    from channel_weeks
    group by user_id, week_start
),

top_channels as (
    select distinct on (user_id, week_start)
        user_id,
        week_start,
        channel as top_channel
    from channel_weeks
    where spend > 0 or revenue > 0 or conversions > 0
    order by user_id asc, week_start asc, revenue desc, conversions desc, channel asc
),

user_weeks as (
    select
        user_id,
        week_start
    from performance
    union
    select
        user_id,
        week_start
    from leads_created
    union
    select
        user_id,
        week_start
    from leads_converted
),

first_weeks as (
    select
        user_weeks.user_id,
        min(user_weeks.week_start) as first_week
    from user_weeks
    group by user_weeks.user_id
    {% if is_incremental() %}
        union all
        select
            stored_users.user_id,
            stored_users.first_week
        from stored_users
    {% endif %}
),

bounds as (
    select
        first_weeks.user_id,
        greatest(min(first_weeks.first_week), (select cutoff.from_week from cutoff)) as from_week
    from first_weeks
    group by first_weeks.user_id
),

spine as (
    select
        bounds.user_id,
        weeks.week_start::date as week_start
    from bounds
    cross join lateral generate_series(
        bounds.from_week::timestamp,
        (select max(user_weeks.week_start) from user_weeks)::timestamp,
        interval '7 days'
    ) as weeks (week_start)
),

weekly as (
    select
        spine.user_id,
        configs.autopilot_config_id,
        spine.week_start,
        (spine.week_start + 6) as week_end,
        {{ iso_week_label('spine.week_start') }} as iso_week,
        coalesce(leads_created.leads_generated, 0)::integer as leads_generated,
        coalesce(leads_converted.leads_converted, 0)::integer as leads_converted,
        coalesce(performance.impressions, 0) as impressions,
        coalesce(performance.clicks, 0) as clicks,
        coalesce(performance.conversions, 0) as conversions,
        coalesce(performance.spend, 0) as spend,
        coalesce(performance.revenue, 0) as revenue,
        top_channels.top_channel
    from spine
    left join configs on spine.user_id = configs.user_id
    left join leads_created on spine.user_id = leads_created.user_id and spine.week_start = leads_created.week_start
    left join leads_converted
        on spine.user_id = leads_converted.user_id and spine.week_start = leads_converted.week_start
    left join performance on spine.user_id = performance.user_id and spine.week_start = performance.week_start
    left join top_channels on spine.user_id = top_channels.user_id and spine.week_start = top_channels.week_start
),

final as (
    select
        *,
        round({{ safe_divide('revenue - spend', 'spend') }}, 4) as roi,
        concat_ws(
            ' ',
            'Week ' || iso_week || ':',
            leads_generated || ' new lead' || case when leads_generated = 1 then '' else 's' end || ',',
            leads_converted || ' converted;',
            'spend ' || to_char(spend, 'FM999G999G990D00') || ', revenue ' || to_char(revenue, 'FM999G999G990D00'),
            case
                when spend > 0
                    then '(ROI ' || to_char(round(100 * (revenue - spend) / spend, 1), 'FM999G990D0') || '%)'
                else '(no spend)'
            end || ';',
            coalesce('top channel ' || top_channel || '.', 'no channel active.')
        ) as summary
    from weekly
)

select
    user_id,
    autopilot_config_id,
    week_start,
    week_end,
    iso_week,
    leads_generated,
    leads_converted,
    impressions,
    clicks,
    conversions,
    spend,
    revenue,
    roi,
    top_channel,
    summary
from final
{{ stored_in_order_of(['week_start', 'user_id']) }}
