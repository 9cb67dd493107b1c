{#-
    Every day in every kind of goal period: (period_type, date_day) -> the period containing it.
    The period types are goals.yml's: year (calendar), fiscal_year, quarter (fiscal), month and
    week (Monday start). One long table so a goal's period type is a join key, not a CASE in
    every model.
    Formulas: docs/pacing.md.
-#}
with dates as (
    select * from {{ ref('dim_date') }}
),

starts as (
    select
        date_day, 'year' as period_type, year_start as period_start,
        cast(year_start + interval 1 year - interval 1 day as date) as period_end
    from dates
    union all
    select date_day, 'fiscal_year', fiscal_year_start, fiscal_year_end from dates
    union all
    select date_day, 'quarter', fiscal_quarter_start, fiscal_quarter_end from dates
    union all
    select date_day, 'month', month_start, month_end from dates
    union all
    select date_day, 'week', week_start, cast(week_start + 6 as date) from dates
)

select
    period_type,
    date_day,
    period_start,
    period_end,
    period_end - period_start + 1 as period_days,
    date_day - period_start + 1 as day_of_period
from starts
