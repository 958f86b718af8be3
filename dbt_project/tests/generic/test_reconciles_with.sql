{#- The total of `column_name` equals the total of `compare_column` in `compare_model` (both optionally
    filtered), within `tolerance`: a mart neither loses nor invents a measure of its source. -#}
{% test reconciles_with(model, column_name, compare_model, compare_column=none, where_model='true',
                        where_compare='true', tolerance=0) %}
    with model_total as (
        select coalesce(sum({{ column_name }}), 0) as total
        from {{ model }}
        where {{ where_model }}
    ),

    compare_total as (
        select coalesce(sum({{ compare_column or column_name }}), 0) as total
        from {{ compare_model }}
        where {{ where_compare }}
    )

    select
        model_total.total as model_total,
        compare_total.total as compare_total
    from model_total
    cross join compare_total
    where abs(model_total.total - compare_total.total) > {{ tolerance }}
{% endtest %}
