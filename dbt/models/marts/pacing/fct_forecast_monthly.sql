{#-
    The 3-month forecast as of the as-of day. Grain: target month x component x metric_name
    (components open_pipeline, new_pipeline, recurring and their total; metrics bookings,
    deals_won, new_mrr, revenue). The first month covers only the days after the as-of day when
    the as-of day is not a month end. Method: int_forecast__monthly.
    Formulas: docs/forecast.md.
-#}
select
    origin_date as as_of_date,
    target_month,
    horizon_month,
    forecast_window_start,
    forecast_window_end,
    is_partial_month,
    component,
    metric_name,
    expected_value,
    p10_value,
    p90_value,
    weighted_pipeline_crm
from {{ ref('int_forecast__monthly') }}
where origin_date = {{ as_of_date() }}
