{#-
    Calendar months from the first month of the books to the month of as_of_date, so monthly marts
    show a quiet month as zeros instead of a gap (and a year-ago month always exists to compare).
-#}
with bounds as (
    select cast(date_trunc('month', min(document_date)) as date) as first_month
    from {{ ref('int_xero__documents') }}
)

select cast(month_start as date) as month_start
from bounds,
    generate_series(
        bounds.first_month,
        cast(date_trunc('month', {{ as_of_date() }}) as date),
        interval 1 month
    ) as months (month_start)
