{#- Rows where a value lies outside [min_value, max_value] (either bound optional; nulls pass: a comparison
    with a missing bound is null, never true). Shares of a whole (funnel conversion, credit) use 0 and 1. -#}
{% test within_range(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }} as failing_value
from {{ model }}
where
    {{ column_name }} < {{ min_value if min_value is not none else 'null' }}
    or {{ column_name }} > {{ max_value if max_value is not none else 'null' }}
{% endtest %}
