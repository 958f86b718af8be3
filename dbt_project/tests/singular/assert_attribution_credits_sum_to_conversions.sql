{{ config(meta={'dagster': {'ref': {'name': 'fct_attribution'}}}) }}

-- Every attribution model hands out exactly one conversion per converted lead: per lead each model's
-- credits add up to 1, so each model's total is the number of converted leads.
with credits as (
    select
        lead_id,
        sum(first_touch_credit) as first_touch,
        sum(last_touch_credit) as last_touch,
        sum(linear_credit) as linear,
        sum(time_decay_credit) as time_decay
    from {{ ref('fct_attribution') }}
    group by lead_id
),

conversions as (
    select lead_id
    from {{ ref('dim_leads') }}
    where converted_at is not null
)

select
    coalesce(conversions.lead_id, credits.lead_id) as lead_id,
    credits.first_touch,
    credits.last_touch,
    credits.linear,
    credits.time_decay
from conversions
full outer join credits on conversions.lead_id = credits.lead_id
where
    conversions.lead_id is null
    or credits.lead_id is null
    or abs(credits.first_touch - 1) > 1e-9
    or abs(credits.last_touch - 1) > 1e-9
    or abs(credits.linear - 1) > 1e-9
    or abs(credits.time_decay - 1) > 1e-9
