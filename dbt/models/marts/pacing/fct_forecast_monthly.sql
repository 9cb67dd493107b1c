{#-
    The 3-month forecast as of the as-of day, every month whole. Grain: target month x component x
    metric_name (components open_pipeline, new_pipeline, recurring and their total; metrics
    bookings, deals_won, new_mrr, revenue). When the as-of day is not a month end, the first
    month is what already happened in it up to the as-of day (actual_to_date_value, on the total
    rows: the metric registry's value from the month's first day to the as-of day) plus the
    model's forecast of the days after it (forecast_rest_value, int_forecast__monthly). The band
    is the forecast part's band shifted by the actual to date: the actual carries no uncertainty.
    Component rows carry no actual (0): they are the parts of the forecast, so a first month's
    components add up to the total's forecast_rest_value, not to its expected_value.
    Pacing reads int_forecast__monthly (the rest only), never this mart, so actuals are not
    counted twice. Formulas: docs/forecast.md.
-#}
with forecast as (
    select *
    from {{ ref('int_forecast__monthly') }}
    where origin_date = {{ as_of_date() }}
),

actual_to_date as (
    select
        metrics.metric_name,
        cast(date_trunc('month', metrics.date_day) as date) as target_month,
        {{ exact_sum('metrics.value') }} as actual_value
    from {{ ref('int_metrics__daily') }} as metrics
    where metrics.metric_name in ('bookings', 'deals_won', 'new_mrr', 'revenue')
        and metrics.date_day >= date_trunc('month', {{ as_of_date() }})
        and metrics.date_day <= {{ as_of_date() }}
    group by all
),

parts as (
    select
        forecast.*,
        case
            when forecast.component = 'total' and forecast.forecast_window_start > forecast.target_month
                then cast(coalesce(actual_to_date.actual_value, 0) as double)
            else cast(0 as double)
        end as actual_to_date_value
    from forecast
    left join actual_to_date
        on forecast.metric_name = actual_to_date.metric_name
        and forecast.target_month = actual_to_date.target_month
)

select
    origin_date as as_of_date,
    target_month,
    horizon_month,
    forecast_window_start,
    forecast_window_end,
    forecast_window_start > target_month as has_actual_to_date,
    component,
    metric_name,
    actual_to_date_value,
    expected_value as forecast_rest_value,
    actual_to_date_value + expected_value as expected_value,
    actual_to_date_value + p10_value as p10_value,
    actual_to_date_value + p90_value as p90_value,
    weighted_pipeline_crm
from parts
