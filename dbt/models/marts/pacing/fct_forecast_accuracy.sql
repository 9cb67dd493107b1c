{#-
    Backtest of the forecast: for each of the last var('forecast_backtest_months', 12) complete
    months, the forecast made at the end of the month before (horizon 1) against what happened,
    beside the CRM weighted-pipeline baseline. Grain: target month x metric_name (bookings,
    deals_won, new_mrr). The baseline is the whole weighted pipeline open at the origin (amount
    x HubSpot stage probability), read as next month's expectation, for bookings only.
    Errors are forecast - actual; absolute percentage errors are over the actual. Actuals are
    summed exactly (exact_sum), so identical data gives identical values.
    Formulas: docs/forecast.md.
-#}
with forecast as (
    select *
    from {{ ref('int_forecast__monthly') }}
    where not origin_date = {{ as_of_date() }}
        and horizon_month = 1
        and metric_name in ('bookings', 'deals_won', 'new_mrr')
),

totals as (
    select
        origin_date,
        target_month,
        metric_name,
        sum(expected_value) filter (where component = 'total') as forecast_value,
        sum(p10_value) filter (where component = 'total') as forecast_p10_value,
        sum(p90_value) filter (where component = 'total') as forecast_p90_value,
        sum(weighted_pipeline_total) filter (where component = 'open_pipeline' and metric_name = 'bookings')
            as baseline_value
    from forecast
    group by all
),

actuals as (
    select
        metric_name,
        cast(date_trunc('month', date_day) as date) as target_month,
        {{ exact_sum('value') }} as actual_value
    from {{ ref('int_metrics__daily') }}
    where metric_name in ('bookings', 'deals_won', 'new_mrr')
    group by all
)

select
    totals.target_month,
    totals.metric_name,
    totals.origin_date,
    coalesce(actuals.actual_value, 0) as actual_value,
    totals.forecast_value,
    totals.forecast_p10_value,
    totals.forecast_p90_value,
    totals.baseline_value,
    totals.forecast_value - coalesce(actuals.actual_value, 0) as forecast_error,
    totals.baseline_value - coalesce(actuals.actual_value, 0) as baseline_error,
    abs(totals.forecast_value - coalesce(actuals.actual_value, 0)) / nullif(actuals.actual_value, 0)
        as forecast_abs_pct_error_rate,
    abs(totals.baseline_value - coalesce(actuals.actual_value, 0)) / nullif(actuals.actual_value, 0)
        as baseline_abs_pct_error_rate,
    coalesce(actuals.actual_value, 0) between totals.forecast_p10_value and totals.forecast_p90_value
        as is_within_p10_p90
from totals
left join actuals
    on totals.metric_name = actuals.metric_name
    and totals.target_month = actuals.target_month
where totals.target_month + interval 1 month <= {{ as_of_date() }} + 1
