{#- numerator / denominator, null when the denominator is zero or null: ratios never divide by zero. -#}
{% macro safe_divide(numerator, denominator) -%}
    ({{ numerator }})::numeric / nullif(({{ denominator }})::numeric, 0)
{%- endmacro %}
