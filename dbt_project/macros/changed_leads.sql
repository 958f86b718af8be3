{#- Leads an incremental lead-grain model re-processes: leads created or changed (updated_at, which the
    operational schema's trigger moves on every update, e.g. a status change) and leads with an activity
    (a touch, a status change) since the newest ones the model `relation` holds (its columns
    `updated_column` and `activity_column`), minus the look-back window. -#}
{% macro changed_leads(relation=this, updated_column='lead_updated_at', activity_column='last_activity_at') -%}
    select source_leads.lead_id
    from {{ ref('stg_public__leads') }} as source_leads
    where
        source_leads.updated_at >= {{ incremental_window_start_ts(updated_column, relation) }}
        or (
            source_leads.updated_at is null
            and source_leads.created_at >= {{ incremental_window_start_ts(updated_column, relation) }}
        )
    union
    select source_activities.lead_id
    from {{ ref('stg_public__lead_activities') }} as source_activities
    where
        source_activities.lead_id is not null
        and source_activities.occurred_at >= {{ incremental_window_start_ts(activity_column, relation) }}
{%- endmacro %}
