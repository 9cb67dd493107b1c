{#-
    Backtest of the forecast against three fair baselines, every horizon. Grain: origin_date x
    horizon_month x metric_name (bookings, deals_won, new_mrr), for the month-end backtest
    origins of int_forecast__origins whose target month is complete by the as-of day.
    forecast_*: the model's total (int_forecast__monthly).
    weighted_pipeline_value: the whole CRM weighted pipeline open at the origin x a scale factor
      learnt without look-ahead: sum of actuals / sum of weighted pipelines over the earlier
      origins of the same horizon and metric whose target month was complete by this origin
      (null when there is none yet).
    trailing_3m_mean_value: the mean of the three complete months up to the origin's month.
    seasonal_naive_value: the same month a year before the target month.
    Actuals: the metric registry summed over the month (0 for a month without any), exactly.
    Formulas and scores: docs/forecast.md.
-#}
with forecast as (
    select
        origin_date,
        target_month,
        horizon_month,
        metric_name,
        sum(expected_value) filter (where component = 'total') as forecast_value,
        sum(p10_value) filter (where component = 'total') as forecast_p10_value,
        sum(p90_value) filter (where component = 'total') as forecast_p90_value,
        sum(weighted_pipeline_total) filter (where component = 'open_pipeline') as weighted_pipeline_total
    from {{ ref('int_forecast__monthly') }}
    where not origin_date = {{ as_of_date() }}
        and metric_name in ('bookings', 'deals_won', 'new_mrr')
    group by all
),

complete_months as (
    select distinct month_start
    from {{ ref('dim_date') }}
    where month_end <= {{ as_of_date() }}
),

daily_totals as (
    select
        metric_name,
        cast(date_trunc('month', date_day) as date) as month_start,
        {{ exact_sum('value') }} as actual_value
    from {{ ref('int_metrics__daily') }}
    where metric_name in ('bookings', 'deals_won', 'new_mrr')
    group by all
),

monthly_actuals as (
    select
        complete_months.month_start,
        metric_names.metric_name,
        coalesce(daily_totals.actual_value, 0) as actual_value
    from complete_months
    cross join (values ('bookings'), ('deals_won'), ('new_mrr')) as metric_names (metric_name)
    left join daily_totals
        on complete_months.month_start = daily_totals.month_start
        and metric_names.metric_name = daily_totals.metric_name
),

scored as (
    select
        forecast.*,
        actual.actual_value
    from forecast
    inner join monthly_actuals as actual
        on forecast.metric_name = actual.metric_name
        and forecast.target_month = actual.month_start
),

-- the scale factor of an origin: what earlier origins' weighted pipelines turned into, counting
-- only target months that were over by this origin (no look-ahead)
calibration as (
    select
        later.origin_date,
        later.horizon_month,
        later.metric_name,
        {{ exact_sum('earlier.actual_value') }}
        / nullif({{ exact_sum('earlier.weighted_pipeline_total') }}, 0) as scale_factor
    from forecast as later
    inner join scored as earlier
        on later.metric_name = earlier.metric_name
        and later.horizon_month = earlier.horizon_month
        and earlier.origin_date < later.origin_date
        and earlier.target_month + interval 1 month <= later.origin_date + 1
    group by all
),

trailing_means as (
    select
        origins.origin_date,
        monthly_actuals.metric_name,
        {{ exact_avg('monthly_actuals.actual_value') }} as trailing_3m_mean_value,
        count(*) as months_seen
    from (select distinct origin_date from forecast) as origins
    inner join monthly_actuals
        on monthly_actuals.month_start <= origins.origin_date
        and monthly_actuals.month_start > origins.origin_date - interval 3 month
    group by all
)

select
    scored.origin_date,
    scored.horizon_month,
    scored.target_month,
    scored.metric_name,
    scored.actual_value,
    scored.forecast_value,
    scored.forecast_p10_value,
    scored.forecast_p90_value,
    scored.weighted_pipeline_total,
    calibration.scale_factor as weighted_pipeline_scale_factor,
    scored.weighted_pipeline_total * calibration.scale_factor as weighted_pipeline_value,
    case when trailing_means.months_seen = 3 then trailing_means.trailing_3m_mean_value end
        as trailing_3m_mean_value,
    last_year.actual_value as seasonal_naive_value,
    scored.actual_value between scored.forecast_p10_value and scored.forecast_p90_value as is_within_p10_p90
from scored
left join calibration
    on scored.origin_date = calibration.origin_date
    and scored.horizon_month = calibration.horizon_month
    and scored.metric_name = calibration.metric_name
left join trailing_means
    on scored.origin_date = trailing_means.origin_date
    and scored.metric_name = trailing_means.metric_name
left join monthly_actuals as last_year
    on scored.metric_name = last_year.metric_name
    and last_year.month_start = scored.target_month - interval 12 month
