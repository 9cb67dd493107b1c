{#-
    Goals expanded into the periods they cover, with the target of each period and, for per-owner
    goals, one row per rep. Grain: goal x period x owner (owner_key null for team goals).

    Only periods that have started by the as-of day are listed: a recurring goal runs from the
    period containing period_from to the period containing period_to (open-ended: the as-of day's).
    A period's target is its override (goals.yml `overrides`, keyed by a day inside the period)
    when there is one, else the rep's target (`per_owner`), else the goal's. Reps are named by
    email or HubSpot owner id; a name that matches no owner keeps its rows with a null owner_id
    (a warning test flags it) and is left out of pacing.
    Formulas: docs/pacing.md.
-#}
with goals as (
    select * from {{ ref('stg_config__goals') }}
),

metrics as (
    select * from {{ ref('goal_metrics') }}
),

periods as (
    select * from {{ ref('int_date_periods') }}
),

owners as (
    select owner_id, lower(email) as email
    from {{ ref('int_crm__owners') }}
    where not is_deleted
),

bounded as (
    select
        goals.*,
        first_period.period_start as first_period_start,
        case
            when goals.is_recurring then last_period.period_start
            else first_period.period_start
        end as last_period_start
    from goals
    inner join periods as first_period
        on goals.period_type = first_period.period_type
        and goals.period_from = first_period.date_day
    left join periods as last_period
        on goals.period_type = last_period.period_type
        and least(coalesce(goals.period_to, {{ as_of_date() }}), {{ as_of_date() }}) = last_period.date_day
),

goal_periods as (
    select distinct
        bounded.goal_id,
        periods.period_start,
        periods.period_end,
        periods.period_days
    from bounded
    inner join periods
        on bounded.period_type = periods.period_type
        and periods.period_start between bounded.first_period_start and bounded.last_period_start
    where periods.period_start <= {{ as_of_date() }}
),

overrides as (
    select
        entries.goal_id,
        periods.period_start,
        entries.override_target
    from (
        select
            goal_id, period_type, unnest(map_keys(target_overrides)) as override_day,
            unnest(map_values(target_overrides)) as override_target
        from goals
    ) as entries
    inner join periods
        on entries.period_type = periods.period_type
        and entries.override_day = periods.date_day
),

owner_targets as (
    select goal_id, null as owner_key, target from goals
    where target is not null
    union all
    select goal_id, unnest(map_keys(per_owner_targets)), unnest(map_values(per_owner_targets))
    from goals
    where target is null
),

filter_owner_ids as (
    select
        goals.goal_id,
        list(distinct owners.owner_id order by owners.owner_id) as owner_ids
    from goals
    inner join owners
        on list_contains(list_transform(goals.filter_owners, lambda name: lower(name)), owners.email)
        or list_contains(goals.filter_owners, cast(owners.owner_id as varchar))
    group by goals.goal_id
)

select
    goals.goal_id || '|' || strftime(goal_periods.period_start, '%Y-%m-%d')
    || coalesce('|' || owner_targets.owner_key, '') as goal_period_id,
    goals.goal_id || coalesce('|' || owner_targets.owner_key, '') as goal_target_id,
    goals.goal_id,
    goals.goal_name,
    goals.metric_name,
    goals.metric_kind,
    metrics.unit as metric_unit,
    metrics.lower_bound as metric_lower_bound,
    goals.period_type,
    goal_periods.period_start,
    goal_periods.period_end,
    goal_periods.period_days,
    {{ as_of_date() }} between goal_periods.period_start and goal_periods.period_end as is_current_period,
    owner_targets.owner_key,
    owners.owner_id,
    cast(coalesce(overrides.override_target, owner_targets.target) as double) as target,
    overrides.override_target is not null as is_target_overridden,
    goals.direction,
    goals.filter_service_lines,
    goals.filter_lead_sources,
    goals.filter_owners is not null as has_owner_filter,
    coalesce(filter_owner_ids.owner_ids, []) as filter_owner_ids,
    goals.filter_deal_types,
    goals.pacing_curve,
    goals.linear_blend_rate,
    goals.threshold_ahead,
    goals.threshold_on_track,
    goals.threshold_at_risk,
    goals.threshold_projected_at_risk,
    goals.threshold_max_acceleration,
    goals.guard_min_elapsed_fraction,
    goals.guard_min_expected_count,
    goals.guard_min_sample
from goals
inner join metrics
    on goals.metric_name = metrics.metric_name
inner join goal_periods
    on goals.goal_id = goal_periods.goal_id
inner join owner_targets
    on goals.goal_id = owner_targets.goal_id
left join overrides
    on goal_periods.goal_id = overrides.goal_id
    and goal_periods.period_start = overrides.period_start
left join owners
    on lower(owner_targets.owner_key) = owners.email
    or owner_targets.owner_key = cast(owners.owner_id as varchar)
left join filter_owner_ids
    on goals.goal_id = filter_owner_ids.goal_id
