-- A later funnel stage never holds more leads of a cohort than the stage before it, and the top stage
-- holds the whole cohort.
with funnel as (
    select
        user_id,
        cohort_week,
        stage,
        stage_rank,
        leads_in_cohort,
        leads_reached,
        lag(leads_reached) over (partition by user_id, cohort_week order by stage_rank) as previous_reached
    from {{ ref('fct_lead_funnel') }}
)

select *
from funnel
where
    leads_reached > previous_reached
    or (stage = 'new' and leads_reached <> leads_in_cohort)
