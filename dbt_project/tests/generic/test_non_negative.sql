{#- Rows where a measure is negative (nulls pass: not_null says whether they are allowed). -#}
{% test non_negative(model, column_name) %}
    select {{ column_name }} as failing_value
    from {{ model }}
    where {{ column_name }} < 0
{% endtest %}
