{#- Fails when the model has no row at all (a silently empty mart). -#}
{% test not_empty(model) %}
    select 'no rows' as failure
    where not exists (select 1 from {{ model }})
{% endtest %}
