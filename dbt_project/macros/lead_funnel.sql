{#- The lead funnel of the leads in `lifecycle` (a relation or CTE of int_lead_lifecycle rows), one row per
    user × cohort week (× `extra_columns`) × funnel stage (new, contacted, qualified, converted), also for
    stages nobody reached (0 leads). Leads reaching a stage, conversion from the previous stage and from
    the top (new), leads lost after this was their furthest stage, and the median and 90th percentile of
    the hours from creation to reaching the stage. -#}
{% macro lead_funnel(lifecycle, extra_columns=[]) -%}
    {%- set group_columns = ['user_id', 'cohort_week'] + extra_columns %}
    {#- A lead's furthest stage (not counting lost) is the stage row it never left for a further stage: it
        exited to `lost`, or not at all. It is lost if its status is, current otherwise. -#}
    reached as (
        select
            {% for column in group_columns %}lifecycle.{{ column }}, {% endfor %}
            lifecycle.stage,
            lifecycle.hours_to_reach,
            {{ lead_last_change() }} as lead_last_change_at,
            (
                lifecycle.exited_to = 'lost'
                or (lifecycle.exited_to is null and lifecycle.lead_status = 'lost')
            ) as lost_here,
            (lifecycle.exited_to is null and lifecycle.lead_status is distinct from 'lost') as current_here
        from {{ lifecycle }} as lifecycle
        where lifecycle.stage <> 'lost'
    ),

    per_stage as (
        select
            {% for column in group_columns %}{{ column }}, {% endfor %}
            stage,
            count(*) as leads_reached,
            count(*) filter (where lost_here) as leads_lost,
            count(*) filter (where current_here) as leads_current,
            percentile_cont(0.5) within group (order by hours_to_reach) as median_hours_to_reach,
            percentile_cont(0.9) within group (order by hours_to_reach) as p90_hours_to_reach,
            max(lead_last_change_at) as last_lead_change_at
        from reached
        group by {{ group_columns | join(', ') }}, stage
    ),

    {#- From the stage rows rather than a second pass over `lifecycle` (which would then be materialized:
        hundreds of thousands of rows written to a temporary store on an incremental run). Every lead of a
        cohort has entered `new`, once: its creation made it one of the cohort. The columns of
        lead_last_change() are the lead's, the same on each of its stage rows, and every lead has a `new`
        row, so the newest change over the stage rows is the newest over all of its rows (`lost` too). -#}
    cohorts as (
        select
            {% for column in group_columns %}{{ column }}, {% endfor %}
            coalesce(sum(leads_reached) filter (where stage = 'new'), 0)::bigint as leads_in_cohort,
            max(last_lead_change_at) as last_lead_change_at
        from per_stage
        group by {{ group_columns | join(', ') }}
    ),

    spine as (
        select
            cohorts.*,
            stages.stage,
            stages.stage_rank
        from cohorts
        cross join (
            values ('new', 1), ('contacted', 2), ('qualified', 3), ('converted', 4)
        ) as stages (stage, stage_rank)
    ),

    funnel as (
        select
            {% for column in group_columns %}spine.{{ column }}, {% endfor %}
            spine.stage,
            spine.stage_rank,
            spine.leads_in_cohort,
            coalesce(per_stage.leads_reached, 0) as leads_reached,
            coalesce(per_stage.leads_lost, 0) as leads_lost,
            coalesce(per_stage.leads_current, 0) as leads_current,
            per_stage.median_hours_to_reach,
            per_stage.p90_hours_to_reach,
            spine.last_lead_change_at
        from spine
        left join per_stage
            on
                {% for column in group_columns %}spine.{{ column }} = per_stage.{{ column }} and {% endfor %}
                spine.stage = per_stage.stage
    )

    select
        {% for column in group_columns %}{{ column }}, {% endfor %}
        stage,
        stage_rank,
        leads_in_cohort,
        leads_reached,
        {{ safe_divide(
            'leads_reached',
            'lag(leads_reached) over (partition by ' ~ group_columns | join(', ') ~ ' order by stage_rank)'
        ) }} as conversion_from_previous,
        {{ safe_divide('leads_reached', 'leads_in_cohort') }} as conversion_from_top,
        leads_lost,
        leads_current,
        median_hours_to_reach,
        p90_hours_to_reach,
        last_lead_change_at
    from funnel
{%- endmacro %}
