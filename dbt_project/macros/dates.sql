{#- Calendar day and ISO week (Monday start) of a timestamptz in UTC, whatever the session time zone. -#}
{% macro utc_date(ts_column) -%}
    (({{ ts_column }}) at time zone 'UTC')::date
{%- endmacro %}

{% macro iso_week_start(date_expression) -%}
    date_trunc('week', ({{ date_expression }})::timestamp)::date
{%- endmacro %}

{% macro iso_week_label(date_expression) -%}
    to_char(({{ date_expression }})::date, 'IYYY-"W"IW')
{%- endmacro %}

{#- Hours between two timestamps, as an exact numeric. -#}
{% macro hours_between(start_ts, end_ts) -%}
    (extract(epoch from (({{ end_ts }}) - ({{ start_ts }}))) / 3600.0)
{%- endmacro %}

{#- The first moment (timestamptz) of a UTC day: the lower bound of the day's range for a timestamptz index. -#}
{% macro utc_midnight(date_expression) -%}
    (({{ date_expression }})::timestamp at time zone 'UTC')
{%- endmacro %}
