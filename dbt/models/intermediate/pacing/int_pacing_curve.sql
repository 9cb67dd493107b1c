{#-
    The expected-progress curve of every goal period in the pacing window: w(d), the share of the
    target expected by day d of the period. Grain: goal x period x day_of_period.

    - linear: w = d / D.
    - seasonal_last_year (flow goals): w_s = C_LY(d') / C_LY(D_LY), C_LY the goal's metric (team
      scope, goal filters applied) cumulated over the same period last year, d' = round(d·D_LY/D)
      so periods of different length (leap February, 53-week quirks) still end at 1; a running
      max keeps w non-decreasing when credit notes push a day negative. Blended with the line:
      w = (1 - λ)·w_s + λ·d/D (λ = linear_blend_rate).
    - linear_fallback: seasonal was asked for but last year's period is not fully covered by
      data (it starts before the metric's first recorded day) or its total is not positive.
    Level and ratio goals always pace linearly (a level's expected path is B + (T - B)·w; a
    ratio's expected value is the target itself).
    Formulas: docs/pacing.md.
-#}
{%- set window_days = var('pacing_window_days', 56) -%}

with goal_periods as (
    select distinct
        goal_id, metric_name, metric_kind, period_type, period_start, period_end, period_days,
        pacing_curve, linear_blend_rate
    from {{ ref('int_goal_periods') }}
    where period_end >= {{ as_of_date() }} - {{ window_days }}
),

series as (
    select * from {{ ref('int_goal_metric_daily') }}
    where scope_owner_id is null
),

metric_first_days as (
    select metric_name, min(date_day) as first_day
    from {{ ref('int_metrics__daily') }}
    group by metric_name
),

last_year as (
    select
        goal_periods.*,
        ly.period_start as ly_period_start,
        ly.period_end as ly_period_end,
        ly.period_days as ly_period_days,
        goal_periods.metric_kind = 'flow'
        and goal_periods.pacing_curve = 'seasonal_last_year' as wants_seasonal,
        ly.period_start >= metric_first_days.first_day as has_full_last_year
    from goal_periods
    inner join {{ ref('int_date_periods') }} as ly
        on goal_periods.period_type = ly.period_type
        and ly.date_day = case
            when goal_periods.period_type = 'week' then goal_periods.period_start - 364
            else cast(goal_periods.period_start - interval 1 year as date)
        end
    left join metric_first_days
        on goal_periods.metric_name = metric_first_days.metric_name
),

ly_cumulative as (
    select
        last_year.goal_id,
        last_year.period_start,
        series.date_day - last_year.ly_period_start + 1 as ly_day,
        series.cumulative_value - first_value(series.cumulative_value - series.value) over (
            partition by last_year.goal_id, last_year.period_start order by series.date_day
        ) as ly_cumulative_value
    from last_year
    inner join series
        on last_year.goal_id = series.goal_id
        and series.date_day between last_year.ly_period_start and last_year.ly_period_end
    where last_year.wants_seasonal and last_year.has_full_last_year
),

ly_totals as (
    select goal_id, period_start, max_by(ly_cumulative_value, ly_day) as ly_total
    from ly_cumulative
    group by all
),

days as (
    select
        last_year.*,
        day_of_period,
        day_of_period / period_days as linear_w,
        cast(round(day_of_period * ly_period_days / period_days) as integer) as ly_day
    from last_year,
        generate_series(1, last_year.period_days) as day_numbers (day_of_period)
),

curve as (
    select
        days.goal_id,
        days.metric_name,
        days.period_start,
        days.period_end,
        days.period_days,
        days.day_of_period,
        days.linear_w,
        days.linear_blend_rate,
        case
            when not days.wants_seasonal then 'linear'
            when ly_totals.ly_total > 0 then 'seasonal_last_year'
            else 'linear_fallback'
        end as curve_model,
        -- running max: last year's cumulative can dip (credit notes); w never goes backwards
        max(least(greatest(coalesce(ly_cumulative.ly_cumulative_value, 0) / ly_totals.ly_total, 0), 1)) over (
            partition by days.goal_id, days.period_start order by days.day_of_period
        ) as seasonal_w
    from days
    left join ly_totals
        on days.goal_id = ly_totals.goal_id
        and days.period_start = ly_totals.period_start
    left join ly_cumulative
        on days.goal_id = ly_cumulative.goal_id
        and days.period_start = ly_cumulative.period_start
        and days.ly_day = ly_cumulative.ly_day
)

select
    goal_id || '|' || strftime(period_start, '%Y-%m-%d') || '|' || day_of_period as curve_point_id,
    goal_id,
    period_start,
    period_end,
    period_days,
    day_of_period,
    curve_model,
    linear_w,
    case when curve_model = 'seasonal_last_year' then seasonal_w end as seasonal_w,
    case
        when curve_model = 'seasonal_last_year'
            then (1 - linear_blend_rate) * seasonal_w + linear_blend_rate * linear_w
        else linear_w
    end as pace_curve_w
from curve
