{#- Watermarks of incremental runs, as SQL literals: the newest value of `column` already in `relation` (the
    model itself by default) minus the `lookback_days` window, so rows that arrive a few days late are
    re-processed. The value is read with run_query when the model runs and written into the SQL as a
    constant: a comparison with a constant is estimated from the column's statistics (the planner then
    picks the index for a few days out of a year), while `>= (select max(…) …)` would be estimated at a
    third of the table and read all of it. -#}
{% macro watermark_value(column, relation) -%}
    {{ return(watermark_values([column], relation).get(column)) }}
{%- endmacro %}

{#- The newest values of several columns of `relation` in one scan: {column: value}. -#}
{% macro watermark_values(columns, relation) -%}
    {%- if not execute -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set maxima = [] -%}
    {%- for column in columns -%}
        {%- do maxima.append('max(' ~ column ~ ')') -%}
    {%- endfor -%}
    {%- set row = run_query('select ' ~ maxima | join(', ') ~ ' from ' ~ relation).rows[0] -%}
    {%- set values = {} -%}
    {%- for column in columns -%}
        {%- do values.update({column: row[loop.index0]}) -%}
    {%- endfor -%}
    {{ return(values) }}
{%- endmacro %}

{#- First day to re-process, for a date column of `relation`. -#}
{% macro incremental_window_start(date_column, relation=this) -%}
    {%- set newest = watermark_value(date_column, relation) -%}
    {%- if newest is none -%}
        '1900-01-01'::date
    {%- else -%}
        ('{{ newest }}'::date - {{ var('lookback_days') }})
    {%- endif -%}
{%- endmacro %}

{#- First moment to re-process, for a timestamptz column of `relation`. -#}
{% macro incremental_window_start_ts(ts_column, relation=this) -%}
    {{ return(incremental_window_starts_ts([ts_column], relation)[ts_column]) }}
{%- endmacro %}

{#- The same for several timestamptz columns of `relation`, read in one scan: {column: SQL literal}. -#}
{% macro incremental_window_starts_ts(ts_columns, relation=this) -%}
    {%- set newest = watermark_values(ts_columns, relation) -%}
    {%- set starts = {} -%}
    {%- for column in ts_columns -%}
        {%- do starts.update({column: timestamp_window_start(newest.get(column), var('lookback_days') ~ ' days')}) -%}
    {%- endfor -%}
    {{ return(starts) }}
{%- endmacro %}

{#- A timestamp watermark `newest` (none when the model holds no row yet: everything) minus `lookback` (an
    interval such as '3 days'), as a SQL timestamptz literal. -#}
{% macro timestamp_window_start(newest, lookback) -%}
    {%- if newest is none -%}
        {{ return("'1900-01-01 00:00:00+00'::timestamptz") }}
    {%- else -%}
        {{ return("('" ~ newest.isoformat() ~ "'::timestamptz - interval '" ~ lookback ~ "')") }}
    {%- endif -%}
{%- endmacro %}

{#- First moment to re-process for a column of arrival times (`created_at`/`updated_at` that the database
    sets when a row is written, not when the event happened): the newest arrival `expression` holds in
    `relation` minus `arrival_lookback_minutes`. A row that arrives late for its event time still arrives
    after the last run, so the window needs no look-back in days; the minutes cover the transactions
    still open when the last run read the table (their rows carry their start time). -#}
{% macro arrival_window_start_ts(expression, relation=this) -%}
    {{ return(timestamp_window_start(
        watermark_value(expression, relation), var('arrival_lookback_minutes') ~ ' minutes'
    )) }}
{%- endmacro %}

{#- A rebuilt table is written in this order (time first): the rows an incremental run deletes and
    re-inserts (recent days, weeks, cohorts) then sit together in the table's last pages instead of on
    every page, and so do the rows later runs append. Fewer pages changed is less WAL: after each
    checkpoint the first change of a page writes the whole page to the WAL. -#}
{% macro stored_in_order_of(columns) -%}
    {%- if not is_incremental() %}
        order by {{ columns | join(', ') }}
    {%- endif %}
{%- endmacro %}
