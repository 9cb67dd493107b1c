{#-
    The calendar every pacing model shares: one row per day, with calendar and fiscal periods.
    Fiscal years start on the 1st of setting('fiscal_year_start_month') (goals.yml) and are labelled by
    the calendar year they end in (FY2027 = Jul 2026 - Jun 2027 when the start month is 7); fiscal
    quarters count from the fiscal year start. Weeks start on Monday (ISO).

    The range is whole fiscal years: var('date_spine_years_back', 10) before the as-of day's fiscal
    year through the fiscal year after it, so every goal period and last-year comparison fits.
    Formulas: docs/pacing.md.
-#}
{%- set start_month = setting('fiscal_year_start_month') | int -%}

with bounds as (
    select
        make_date(
            year({{ as_of_date() }})
            - case when month({{ as_of_date() }}) < {{ start_month }} then 1 else 0 end,
            {{ start_month }},
            1
        ) as as_of_fiscal_year_start
),

days as (
    select cast(generate_series as date) as date_day
    from bounds,
        generate_series(
            as_of_fiscal_year_start - interval ({{ var('date_spine_years_back', 10) }}) year,
            as_of_fiscal_year_start + interval 2 year - interval 1 day,
            interval 1 day
        )
),

fiscal as (
    select
        date_day,
        make_date(
            year(date_day) - case when month(date_day) < {{ start_month }} then 1 else 0 end,
            {{ start_month }},
            1
        ) as fiscal_year_start,
        (month(date_day) - {{ start_month }} + 12) % 12 // 3 + 1 as fiscal_quarter
    from days
)

select
    date_day,
    isodow(date_day) as day_of_week,
    dayname(date_day) as day_name,
    isodow(date_day) >= 6 as is_weekend,
    cast(date_trunc('week', date_day) as date) as week_start,
    cast(date_trunc('month', date_day) as date) as month_start,
    cast(date_trunc('month', date_day) + interval 1 month - interval 1 day as date) as month_end,
    cast(date_trunc('quarter', date_day) as date) as calendar_quarter_start,
    cast(date_trunc('year', date_day) as date) as year_start,
    year(fiscal_year_start + interval 11 month) as fiscal_year,
    fiscal_year_start,
    cast(fiscal_year_start + interval 1 year - interval 1 day as date) as fiscal_year_end,
    fiscal_quarter,
    cast(fiscal_year_start + to_months(3 * (fiscal_quarter - 1)) as date) as fiscal_quarter_start,
    cast(fiscal_year_start + to_months(3 * fiscal_quarter) - interval 1 day as date) as fiscal_quarter_end,
    date_day <= {{ as_of_date() }} as is_on_or_before_as_of
from fiscal
