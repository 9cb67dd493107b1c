{#-
    The forecast of the rest of each current goal period, for pacing's model-based projection.
    Grain: goal period (team goals only). A goal qualifies when its metric is forecast
    (bookings, deals_won, new_mrr, revenue), it has no filters (the forecast is for the whole
    business), and its period ends within the forecast horizon; otherwise pacing falls back to
    the run-rate projection. A forecast month only partly inside the period counts pro rata to
    its days. The months are added exactly (exact_sum), so identical data gives identical values.
    Formulas: docs/forecast.md.
-#}
with periods as (
    select *
    from {{ ref('int_goal_periods') }}
    where is_current_period
        and owner_key is null
        and metric_kind = 'flow'
        and metric_name in ('bookings', 'deals_won', 'new_mrr', 'revenue')
        and filter_service_lines is null
        and filter_lead_sources is null
        and not has_owner_filter
        and filter_deal_types is null
),

forecast as (
    select *
    from {{ ref('int_forecast__monthly') }}
    where origin_date = {{ as_of_date() }}
        and component = 'total'
),

overlapping as (
    select
        periods.goal_period_id,
        forecast.expected_value
        * (
            least(periods.period_end, forecast.forecast_window_end)
            - greatest(periods.period_start, forecast.forecast_window_start) + 1
        )
        / (forecast.forecast_window_end - forecast.forecast_window_start + 1) as expected_value
    from periods
    inner join forecast
        on periods.metric_name = forecast.metric_name
        and forecast.forecast_window_start <= periods.period_end
        and forecast.forecast_window_end >= periods.period_start
    where periods.period_end <= (select max(forecast_window_end) from forecast)
)

select goal_period_id, {{ exact_sum('expected_value') }} as expected_value
from overlapping
group by goal_period_id
