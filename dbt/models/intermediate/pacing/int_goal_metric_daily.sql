{#-
    Each goal's metric as a dense daily series, with the goal's filters applied, plus the running
    sums and trailing rates pacing needs. Grain: goal x scope owner x date_day, where scope owner
    is the rep of a per-owner goal row, or null for the whole team (every goal has a team series:
    the seasonal curve is shaped on it, even for per-rep goals, because one rep's history is noise).

    The series covers the pacing window (var('pacing_window_days', 56) days back from the as-of
    day), last year's copy of every period in it, and the 365 days before the window that the
    best trailing 28-day rate looks at. Days without activity are zeros (for mrr: no MRR that day).

    Sums are exact: values are summed and cumulated as DECIMAL(38, 8) and leave as DOUBLE at the
    end. Every value pacing adds up is a count or an amount of at most 8 decimals (the cast is
    exact; close_rate's daily ratio is rounded, but pacing sums its numerator and denominator,
    never its value). DOUBLE sums depend on the order rows arrive in, which changed the pacing
    marts between two builds of the same data and gave a flat level a change of +-1e-11 (that
    acceleration_needed, a division by the run rate, blew up with a random sign).
    Formulas: docs/pacing.md.
-#}
{%- set window_days = var('pacing_window_days', 56) -%}

with goal_periods as (
    select * from {{ ref('int_goal_periods') }}
    where owner_key is null or owner_id is not null
),

metrics as (
    select * from {{ ref('int_metrics__daily') }}
),

goal_filters as (
    select distinct
        goal_id, metric_name, metric_kind, owner_id, filter_service_lines, filter_lead_sources,
        has_owner_filter, filter_owner_ids, filter_deal_types
    from goal_periods
),

scopes as (
    select * from goal_filters
    union
    select * replace (cast(null as bigint) as owner_id) from goal_filters
),

bounds as (
    select
        least(
            min(period_start) - interval 1 year - interval 7 day,
            {{ as_of_date() }} - interval ({{ window_days }} + 400) day
        )::date as series_start
    from goal_periods
    where period_end >= {{ as_of_date() }} - {{ window_days }}
),

matched as (
    select
        scopes.goal_id,
        scopes.owner_id as scope_owner_id,
        metrics.date_day,
        sum(cast(metrics.value as decimal(38, 8))) as value,
        sum(cast(metrics.numerator as decimal(38, 8))) as numerator,
        sum(cast(metrics.denominator as decimal(38, 8))) as denominator
    from scopes
    inner join metrics
        on scopes.metric_name = metrics.metric_name
    cross join bounds
    where metrics.date_day >= bounds.series_start
        and (scopes.owner_id is null or metrics.owner_id = scopes.owner_id)
        and (not scopes.has_owner_filter or list_contains(scopes.filter_owner_ids, metrics.owner_id))
        and (
            scopes.filter_service_lines is null
            or list_contains(scopes.filter_service_lines, metrics.service_line)
        )
        and (
            scopes.filter_lead_sources is null
            or list_contains(scopes.filter_lead_sources, metrics.lead_source)
        )
        and (scopes.filter_deal_types is null or list_contains(scopes.filter_deal_types, metrics.deal_type))
    group by all
),

dense as (
    select
        scopes.goal_id,
        scopes.owner_id as scope_owner_id,
        scopes.metric_kind,
        days.date_day,
        coalesce(matched.value, 0) as value,
        coalesce(matched.numerator, 0) as numerator,
        coalesce(matched.denominator, 0) as denominator
    from scopes
    cross join bounds
    inner join {{ ref('dim_date') }} as days
        on days.date_day between bounds.series_start and {{ as_of_date() }}
    left join matched
        on scopes.goal_id = matched.goal_id
        and scopes.owner_id is not distinct from matched.scope_owner_id
        and days.date_day = matched.date_day
),

running as (
    select
        *,
        sum(value) over scope_days as cumulative_value,
        sum(numerator) over scope_days as cumulative_numerator,
        sum(denominator) over scope_days as cumulative_denominator
    from dense
    window scope_days as (
        partition by goal_id, scope_owner_id
        order by date_day rows between unbounded preceding and current row
    )
),

rates as (
    select
        *,
        -- per day over the trailing 28 days: a flow's average, a level's change (exactly 0 for a
        -- flat level: the difference is taken in DECIMAL, divided once)
        cast((
            case when metric_kind = 'level' then value else cumulative_value end
            - lag(case when metric_kind = 'level' then value else cumulative_value end, 28)
                over (partition by goal_id, scope_owner_id order by date_day)
        ) as double) / 28 as run_rate_28d
    from running
)

select
    goal_id,
    scope_owner_id,
    date_day,
    cast(value as double) as value,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(cumulative_value as double) as cumulative_value,
    cast(cumulative_numerator as double) as cumulative_numerator,
    cast(cumulative_denominator as double) as cumulative_denominator,
    run_rate_28d,
    max(run_rate_28d) over (
        partition by goal_id, scope_owner_id order by date_day rows between 364 preceding and current row
    ) as best_run_rate_28d_365d
from rates
