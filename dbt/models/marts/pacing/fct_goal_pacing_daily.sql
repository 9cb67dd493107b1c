{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['goal_target_id', 'as_of_date'],
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rows_after_as_of_date('as_of_date') }}",
    )
}}
{#-
    Goal pacing as of each day: where every goal (and every rep of a per-owner goal) stands in
    its period. Grain: goal target x as_of_date (the goal's latest period started by that day).

    Each run evaluates the last var('pacing_window_days', 56) days as of the as-of day, from
    today's data, and writes the last var('pacing_history_days', 28) of them (delete+insert): a
    row depends only on the data and its as_of_date, so a rerun or backfill reproduces it, while
    days that fell out of the window keep the values they were written with. Drift and the
    off-track streak are computed inside the window, so they exist from the first build. A run
    first deletes the rows dated after its as-of day (the pre_hook): after a rebuild of an earlier
    day, the table holds no day from a later build, only what that day's build would write.

    Math (T target, A actual to date, w curve, D and d days):
      expected   flow T·w | level B + (T - B)·w (B = value the day before the period) | ratio T
      pace index flow A/E | level (A - B)/(E - B) | ratio A/T   (inverted for `decrease`)
      projection run-rate: flow A/w | level B + (A - B)/w | ratio A;  model: A + forecast of the
                 rest of the period (fct_forecast_monthly, team goals on bookings, deals won,
                 new MRR and revenue without filters); projected_finish = model, else run-rate
      run-rates  required (T - A)/(D - d) vs trailing 28-day rate, per week
      status     first match: achieved, not_assessed (guards), ahead, on_track, off_track
                 ((PI < at_risk and attainment < projected_at_risk) or required rate above
                 max_acceleration x best 28-day rate of the last year), at_risk; counts capped by
                 the Poisson z (off_track needs z <= -2, at_risk z <= -1); ratios use a Wilson 90 %
                 interval (off_track when its upper bound is below on_track x T).
    Formulas: docs/pacing.md.
-#}
{%- set window_days = var('pacing_window_days', 56) -%}
{%- set history_days = var('pacing_history_days', 28) -%}
{%- set wilson_z = 1.6448536 -%}

with goal_periods as (
    select * from {{ ref('int_goal_periods') }}
    where owner_key is null or owner_id is not null
),

evaluation_days as (
    select date_day as as_of_date
    from {{ ref('dim_date') }}
    where date_day between {{ as_of_date() }} - {{ window_days - 1 }} and {{ as_of_date() }}
),

-- each goal target's latest period started by each evaluation day
evaluated as (
    select
        evaluation_days.as_of_date,
        goal_periods.*,
        least(evaluation_days.as_of_date, goal_periods.period_end) as assessed_through,
        least(evaluation_days.as_of_date, goal_periods.period_end)
        - goal_periods.period_start
        + 1 as days_elapsed,
        evaluation_days.as_of_date >= goal_periods.period_end as is_period_complete
    from evaluation_days
    inner join goal_periods
        on goal_periods.period_start <= evaluation_days.as_of_date
    qualify row_number() over (
            partition by goal_periods.goal_target_id, evaluation_days.as_of_date
            order by goal_periods.period_start desc
        ) = 1
),

series as (
    select * from {{ ref('int_goal_metric_daily') }}
),

measured as (
    select
        evaluated.*,
        curve.curve_model,
        curve.pace_curve_w,
        now_point.cumulative_value - before_point.cumulative_value as flow_to_date,
        now_point.cumulative_numerator - before_point.cumulative_numerator as ratio_numerator,
        now_point.cumulative_denominator - before_point.cumulative_denominator as ratio_denominator,
        now_point.value as level_now,
        before_point.value as level_baseline,
        now_point.run_rate_28d,
        now_point.best_run_rate_28d_365d
    from evaluated
    inner join {{ ref('int_pacing_curve') }} as curve
        on evaluated.goal_id = curve.goal_id
        and evaluated.period_start = curve.period_start
        and evaluated.days_elapsed = curve.day_of_period
    inner join series as now_point
        on evaluated.goal_id = now_point.goal_id
        and evaluated.owner_id is not distinct from now_point.scope_owner_id
        and evaluated.assessed_through = now_point.date_day
    inner join series as before_point
        on evaluated.goal_id = before_point.goal_id
        and evaluated.owner_id is not distinct from before_point.scope_owner_id
        and evaluated.period_start - 1 = before_point.date_day
),

paced as (
    select
        *,
        case metric_kind
            when 'flow' then flow_to_date
            when 'level' then level_now
            else ratio_numerator / nullif(ratio_denominator, 0)
        end as actual_to_date,
        case when metric_kind = 'level' then level_baseline end as baseline_value,
        case metric_kind
            when 'flow' then target * pace_curve_w
            when 'level' then level_baseline + (target - level_baseline) * pace_curve_w
            else target
        end as expected_to_date
    from measured
),

indexed as (
    select
        *,
        case
            when metric_kind = 'level'
                then (actual_to_date - baseline_value) / nullif(expected_to_date - baseline_value, 0)
            when direction = 'increase' then actual_to_date / nullif(expected_to_date, 0)
            else expected_to_date / nullif(actual_to_date, 0)
        end as pace_index,
        case metric_kind
            when 'flow' then actual_to_date / nullif(pace_curve_w, 0)
            -- a level is extrapolated, so a falling one could cross its floor (MRR below 0): clamp it
            when 'level'
                then
                    case
                        when baseline_value + (actual_to_date - baseline_value) / nullif(pace_curve_w, 0)
                            < metric_lower_bound
                            then metric_lower_bound
                        else baseline_value + (actual_to_date - baseline_value) / nullif(pace_curve_w, 0)
                    end
            else actual_to_date
        end as projected_finish_rr,
        period_days - days_elapsed as days_remaining,
        -- Poisson z of a count against its expectation; Wilson 90 % bounds of a rate
        case
            when metric_unit = 'count' and metric_kind = 'flow' and expected_to_date > 0
                then (actual_to_date - expected_to_date) / sqrt(expected_to_date)
        end as count_z_score,
        case when metric_kind = 'ratio' and ratio_denominator > 0 then
                (
                    actual_to_date + {{ wilson_z ** 2 }} / (2 * ratio_denominator)
                    + {{ wilson_z }} * sqrt(
                        actual_to_date * (1 - actual_to_date) / ratio_denominator
                        + {{ wilson_z ** 2 }} / (4 * ratio_denominator * ratio_denominator)
                    )
                ) / (1 + {{ wilson_z ** 2 }} / ratio_denominator)
        end as wilson_upper_rate,
        case when metric_kind = 'ratio' and ratio_denominator > 0 then
                (
                    actual_to_date + {{ wilson_z ** 2 }} / (2 * ratio_denominator)
                    - {{ wilson_z }} * sqrt(
                        actual_to_date * (1 - actual_to_date) / ratio_denominator
                        + {{ wilson_z ** 2 }} / (4 * ratio_denominator * ratio_denominator)
                    )
                ) / (1 + {{ wilson_z ** 2 }} / ratio_denominator)
        end as wilson_lower_rate
    from paced
),

forecast_remaining as (
    select * from {{ ref('int_forecast__remaining_period') }}
),

projected as (
    select
        indexed.*,
        case
            when indexed.as_of_date <> {{ as_of_date() }} then null
            when indexed.actual_to_date + forecast_remaining.expected_value < indexed.metric_lower_bound
                then indexed.metric_lower_bound
            else indexed.actual_to_date + forecast_remaining.expected_value
        end as projected_finish_model,
        case when metric_kind <> 'ratio' and days_remaining > 0
                then (target - actual_to_date) / days_remaining * 7
        end as required_run_rate_per_week,
        case when metric_kind <> 'ratio' then run_rate_28d * 7 end as current_run_rate_per_week,
        case when metric_kind <> 'ratio' then best_run_rate_28d_365d * 7 end as best_run_rate_per_week
    from indexed
    left join forecast_remaining
        on indexed.goal_period_id = forecast_remaining.goal_period_id
),

attained as (
    select
        *,
        coalesce(projected_finish_model, projected_finish_rr) as projected_finish,
        case when projected_finish_model is not null then 'model' else 'run_rate' end as projection_method,
        case when direction = 'increase'
                then coalesce(projected_finish_model, projected_finish_rr) / target
            else target / nullif(coalesce(projected_finish_model, projected_finish_rr), 0)
        end as projected_attainment,
        case when direction = 'increase'
                then projected_finish_rr / target
            else target / nullif(projected_finish_rr, 0)
        end as projected_attainment_rr,
        required_run_rate_per_week / nullif(current_run_rate_per_week, 0) as acceleration_needed,
        direction = 'increase' and metric_kind <> 'ratio' and days_remaining > 0
        and required_run_rate_per_week > threshold_max_acceleration * best_run_rate_per_week
        and best_run_rate_per_week > 0 as is_infeasible
    from projected
),

banded as (
    select
        *,
        case
            when (direction = 'increase' and metric_kind <> 'ratio' and actual_to_date >= target)
                or (is_period_complete and direction = 'increase' and actual_to_date >= target)
                or (is_period_complete and direction = 'decrease' and actual_to_date <= target)
                then 'achieved'
            when not is_period_complete and (
                    (metric_kind = 'ratio' and days_elapsed / period_days < guard_min_elapsed_fraction)
                    or (metric_kind <> 'ratio' and pace_curve_w < guard_min_elapsed_fraction)
                    or (
                        metric_unit = 'count'
                        and metric_kind = 'flow'
                        and expected_to_date < guard_min_expected_count
                    )
                    or (metric_kind = 'ratio' and ratio_denominator < guard_min_sample)
                ) then 'not_assessed'
            when pace_index is null and actual_to_date = 0 and direction = 'decrease' then 'ahead'
            when pace_index >= threshold_ahead then 'ahead'
            when metric_kind = 'ratio'
                then
                    case
                        when
                            direction = 'increase' and actual_to_date >= threshold_on_track * target
                            then 'on_track'
                        when
                            direction = 'decrease' and actual_to_date <= target / threshold_on_track
                            then 'on_track'
                        when
                            direction = 'increase' and wilson_upper_rate < threshold_on_track * target
                            then 'off_track'
                        when
                            direction = 'decrease' and wilson_lower_rate > target / threshold_on_track
                            then 'off_track'
                        else 'at_risk'
                    end
            when pace_index >= threshold_on_track or projected_attainment >= 1 then 'on_track'
            when is_infeasible then 'off_track'
            when pace_index < threshold_at_risk and projected_attainment < threshold_projected_at_risk
                then case  -- a count this far below expectation may still be noise
                        when count_z_score > -1 then 'on_track'
                        when count_z_score > -2 then 'at_risk'
                        else 'off_track'
                    end
            when count_z_score > -1 then 'on_track'
            else 'at_risk'
        end as status
    from attained
),

explained as (
    select
        *,
        case status
            when 'achieved' then 'target reached'
            when 'not_assessed'
                then case
                        when metric_kind = 'ratio' and ratio_denominator < guard_min_sample
                            then 'sample too small: '
                                || cast(ratio_denominator as integer)
                                || ' < '
                                || guard_min_sample
                        when metric_unit = 'count'
                            and metric_kind = 'flow'
                            and expected_to_date < guard_min_expected_count
                            then 'too few expected so far: '
                                || round(expected_to_date, 1)
                                || ' < '
                                || guard_min_expected_count
                        else 'too early in the period'
                    end
            when 'off_track'
                then case
                        when
                            is_infeasible
                            then 'required run-rate exceeds '
                                || threshold_max_acceleration
                                || 'x the best 28-day rate of the last year'
                        else 'behind pace and projected short'
                    end
            when 'at_risk' then 'behind pace'
            when 'on_track'
                then case
                        when
                            pace_index < threshold_on_track and projected_attainment >= 1
                            then 'behind pace, projected to finish'
                        when pace_index < threshold_on_track then 'behind pace within noise'
                        else 'on pace'
                    end
            else 'ahead of pace'
        end as status_reason
    from banded
),

streaks as (
    select
        *,
        projected_attainment_rr - lag(projected_attainment_rr, 7) over target_days as drift_7d_raw,
        projected_attainment_rr - lag(projected_attainment_rr, 14) over target_days as drift_14d_raw,
        lag(period_start, 7) over target_days as period_start_7d_ago,
        lag(period_start, 14) over target_days as period_start_14d_ago,
        as_of_date - coalesce(
            max(case when status <> 'off_track' then as_of_date end)
                over (target_period_days rows unbounded preceding),
            greatest({{ as_of_date() }} - {{ window_days }}, period_start - 1)
        ) as off_track_streak
    from explained
    window
        target_days as (partition by goal_target_id order by as_of_date),
        -- The period is the unit of the streak: day 1 of a new period is at most 1 day off track.
        target_period_days as (partition by goal_target_id, period_start order by as_of_date)
)

select
    goal_target_id,
    as_of_date,
    goal_id,
    goal_name,
    goal_period_id,
    metric_name,
    metric_kind,
    metric_unit,
    direction,
    period_type,
    period_start,
    period_end,
    period_days,
    days_elapsed,
    days_remaining,
    is_period_complete,
    owner_key,
    owner_id,
    target,
    actual_to_date,
    baseline_value,
    ratio_numerator,
    ratio_denominator,
    curve_model,
    pace_curve_w,
    expected_to_date,
    pace_index,
    projected_finish_rr,
    projected_finish_model,
    projected_finish,
    projection_method,
    projected_attainment,
    projected_attainment_rr,
    required_run_rate_per_week,
    current_run_rate_per_week,
    best_run_rate_per_week,
    acceleration_needed,
    is_infeasible,
    count_z_score,
    wilson_lower_rate,
    wilson_upper_rate,
    status,
    status_reason,
    case when period_start_7d_ago = period_start then drift_7d_raw end as drift_7d,
    case when period_start_14d_ago = period_start then drift_14d_raw end as drift_14d,
    case when status = 'off_track' then off_track_streak else 0 end as consecutive_off_track_days
from streaks
where as_of_date > {{ as_of_date() }} - {{ history_days }}
