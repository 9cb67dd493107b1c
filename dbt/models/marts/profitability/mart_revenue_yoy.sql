{#-
    Revenue against last year, per month: the month itself, fiscal year to date and trailing twelve
    months, each beside the same span one year earlier. For the as_of month every span ends on
    as_of_date and last year's ends on the same day a year before (29 February -> 28 February),
    so a month in progress is compared like for like, never with a whole month.
-#}
with daily as (
    select document_date, sum(amount_home) as revenue
    from {{ ref('fct_ledger_lines') }}
    where account_category = 'revenue'
    group by document_date
),

periods as (
    select
        month_start,
        least(last_day(month_start), {{ as_of_date() }}) as period_end,
        -- the fiscal year the period ends in starts in var fiscal_year_start_month
        make_date(
            year(month_start)
            - case when month(month_start) < {{ setting('fiscal_year_start_month') }} then 1 else 0 end,
            {{ setting('fiscal_year_start_month') }},
            1
        ) as fiscal_year_start
    from {{ ref('int_ledger__months') }}
),

spans as (
    select
        month_start,
        period_end,
        fiscal_year_start,
        cast(period_end - interval 1 year as date) as period_end_ly,
        cast(month_start - interval 1 year as date) as month_start_ly,
        cast(fiscal_year_start - interval 1 year as date) as fiscal_year_start_ly,
        cast(month_start - interval 11 month as date) as ttm_start
    from periods
),

measured as (
    select
        spans.month_start,
        spans.period_end,
        spans.fiscal_year_start,
        sum(
            daily.revenue) filter (
            where daily.document_date >= spans.month_start
            and daily.document_date <= spans.period_end
        ) as revenue,
        sum(
            daily.revenue) filter (
            where daily.document_date >= spans.month_start_ly
            and daily.document_date <= spans.period_end_ly
        ) as revenue_ly,
        sum(
            daily.revenue) filter (
            where daily.document_date >= spans.fiscal_year_start
            and daily.document_date <= spans.period_end
        ) as revenue_ytd,
        sum(
            daily.revenue) filter (
            where daily.document_date >= spans.fiscal_year_start_ly
            and daily.document_date <= spans.period_end_ly
        ) as revenue_lytd,
        sum(
            daily.revenue) filter (
            where daily.document_date >= spans.ttm_start
            and daily.document_date <= spans.period_end
        ) as revenue_ttm,
        sum(
            daily.revenue) filter (
            where daily.document_date >= spans.ttm_start - interval 1 year
            and daily.document_date <= spans.period_end_ly
        ) as revenue_ttm_ly
    from spans
    left join daily
        on daily.document_date >= spans.ttm_start - interval 1 year
        and daily.document_date <= spans.period_end
    group by all
),

books as (
    select cast(date_trunc('month', min(document_date)) as date) as books_start from daily
),

-- a year-ago span that starts before the books is not comparable: its value and growth stay null
comparable as (
    select
        measured.*,
        case
            when cast(month_start - interval 1 year as date) >= books_start then coalesce(revenue_ly, 0)
        end as month_ly,
        case
            when
                cast(fiscal_year_start - interval 1 year as date) >= books_start
                then coalesce(revenue_lytd, 0)
        end as ytd_ly,
        case
            when cast(month_start - interval 23 month as date) >= books_start then coalesce(revenue_ttm_ly, 0)
        end as ttm_ly
    from measured, books
)

select
    month_start,
    period_end,
    fiscal_year_start,
    {{ money('coalesce(revenue, 0)') }} as revenue,
    {{ money('month_ly') }} as revenue_ly,
    cast(revenue / nullif(month_ly, 0) - 1 as double) as revenue_yoy_growth,
    {{ money('coalesce(revenue_ytd, 0)') }} as revenue_ytd,
    {{ money('ytd_ly') }} as revenue_lytd,
    cast(revenue_ytd / nullif(ytd_ly, 0) - 1 as double) as revenue_ytd_growth,
    {{ money('coalesce(revenue_ttm, 0)') }} as revenue_ttm,
    {{ money('ttm_ly') }} as revenue_ttm_ly,
    cast(revenue_ttm / nullif(ttm_ly, 0) - 1 as double) as revenue_ttm_growth
from comparable
