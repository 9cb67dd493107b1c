{#-
    The days a 3-month forecast is made from. Grain: one row per origin. The as-of day itself
    (fct_forecast_monthly), and the month ends whose following month is complete by the as-of
    day, var('forecast_backtest_months', 12) of them (fct_forecast_accuracy scores those).
    Each origin's horizon is the months overlapping the 92 days after it: for a month-end origin,
    the next three whole months.
    Formulas: docs/forecast.md.
-#}
with origins as (
    select {{ as_of_date() }} as origin_date
    union
    select
        cast(
            date_trunc('month', {{ as_of_date() }})
            - interval (months_back - 1) month
            - interval 1 day as date
        )
    from generate_series(2, {{ var('forecast_backtest_months', 12) }} + 1) as backtest (months_back)
)

select
    origin_date,
    origin_date = {{ as_of_date() }} as is_as_of,
    {{ org_day_start_utc('origin_date + 1') }} as origin_end_utc
from origins
