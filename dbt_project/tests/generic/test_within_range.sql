{#- Rows where a value lies outside [min_value, max_value] (either bound optional; nulls pass). Ratios that
    are shares of a whole (funnel conversion, attribution credit) use 0 and 1. -#}
{% test within_range(model, column_name, min_value=none, max_value=none) %}
    select {{ column_name }} as failing_value
    from {{ model }}
    where
        false
        {% if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
        {% if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
{% endtest %}
