{#-
    The scorecard of finished periods: how each goal line ended every period that closed on or
    before as_of_date, and what its status said along the way. Grain: goal target x period_start
    (a goal, or one rep of a per-owner goal, per period), for every period whose last day
    fct_goal_pacing_daily holds a row for (as_of_date >= period_end), for the goals goals.yml
    holds now. The fact keeps every day a run ever wrote, so the scorecard reaches back to the
    first daily run; a single fresh build holds var('pacing_history_days', 28) days.

    Final numbers are the period's first complete row of the fact (the row dated period_end; for
    a one-off goal whose last day has left the history, its first later row, which paces the same
    finished period with the same numbers):
      outcome     achieved: increase and A >= T, or decrease and A <= T; else missed (a ratio
                  with nothing to divide, A null, is missed)
      attainment  increase A / T | decrease T / A (as projected_attainment)
      margin      increase A - T | decrease T - A: signed, in the metric's unit, > 0 beats the target
    Checkpoints: the status on day ceil(p x D) of the period, p = 25, 50, 75 % (null when the fact
    has no row for that day). Early warning: the period's first at_risk / off_track day.
    Formulas: docs/pacing.md, "Period outcomes".
-#}
with pacing as (
    select * from {{ ref('fct_goal_pacing_daily') }}
    where goal_target_id in (select goal_target_id from {{ ref('int_goal_periods') }})
        and as_of_date <= {{ as_of_date() }}
),

final_rows as (
    select *
    from pacing
    where is_period_complete
    qualify row_number() over (
            partition by goal_target_id, period_start
            order by as_of_date
        ) = 1
),

checkpoints as (
    select
        *,
        period_start + cast(ceil(period_days * 0.25) as integer) - 1 as checkpoint_25_date,
        period_start + cast(ceil(period_days * 0.50) as integer) - 1 as checkpoint_50_date,
        period_start + cast(ceil(period_days * 0.75) as integer) - 1 as checkpoint_75_date
    from final_rows
),

-- the period's own days in the history: checkpoints, warnings and how much of it the fact holds
period_days_seen as (
    select
        checkpoints.goal_target_id,
        checkpoints.period_start,
        min(pacing.as_of_date) as history_start_date,
        count(*) as history_days,
        max(case when pacing.as_of_date = checkpoints.checkpoint_25_date then pacing.status end)
            as status_at_25pct,
        max(case when pacing.as_of_date = checkpoints.checkpoint_50_date then pacing.status end)
            as status_at_50pct,
        max(case when pacing.as_of_date = checkpoints.checkpoint_75_date then pacing.status end)
            as status_at_75pct,
        min(case when pacing.status in ('at_risk', 'off_track') then pacing.as_of_date end)
            as first_warning_date,
        min(case when pacing.status = 'off_track' then pacing.as_of_date end) as first_off_track_date
    from checkpoints
    inner join pacing
        on checkpoints.goal_target_id = pacing.goal_target_id
        and checkpoints.period_start = pacing.period_start
        and pacing.as_of_date between checkpoints.period_start and checkpoints.period_end
    group by checkpoints.goal_target_id, checkpoints.period_start
),

scored as (
    select
        checkpoints.*,
        case
            when checkpoints.direction = 'increase' and checkpoints.actual_to_date >= checkpoints.target
                then 'achieved'
            when checkpoints.direction = 'decrease' and checkpoints.actual_to_date <= checkpoints.target
                then 'achieved'
            else 'missed'
        end as outcome,
        case when checkpoints.direction = 'increase'
                then checkpoints.actual_to_date / nullif(checkpoints.target, 0)
            else checkpoints.target / nullif(checkpoints.actual_to_date, 0)
        end as attainment,
        case when checkpoints.direction = 'increase'
                then checkpoints.actual_to_date - checkpoints.target
            else checkpoints.target - checkpoints.actual_to_date
        end as margin
    from checkpoints
)

select
    scored.goal_target_id,
    scored.period_start,
    scored.goal_id,
    scored.goal_name,
    scored.goal_period_id,
    scored.owner_key,
    scored.owner_id,
    scored.metric_name,
    scored.metric_kind,
    scored.metric_unit,
    scored.direction,
    scored.period_type,
    scored.period_end,
    scored.period_days,
    scored.target,
    scored.actual_to_date as final_actual,
    scored.baseline_value,
    scored.attainment,
    scored.outcome,
    scored.margin,
    scored.status as final_status,
    scored.as_of_date as final_row_date,
    scored.checkpoint_25_date,
    seen.status_at_25pct,
    scored.checkpoint_50_date,
    seen.status_at_50pct,
    scored.checkpoint_75_date,
    seen.status_at_75pct,
    seen.first_warning_date,
    seen.first_off_track_date,
    scored.period_end - seen.first_warning_date as warning_lead_days,
    seen.history_start_date,
    coalesce(seen.history_days, 0) as history_days,
    coalesce(seen.history_days, 0) = scored.period_days as is_history_complete
from scored
left join period_days_seen as seen
    on scored.goal_target_id = seen.goal_target_id
    and scored.period_start = seen.period_start
