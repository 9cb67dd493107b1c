{#-
    Gross margin per line of business and month: revenue, the cost of sales the account map puts
    on that line, and what is left. Service lines (managed services, projects) and product resale
    are the split MSP peer groups benchmark: a healthy MSP earns far more margin on its services
    than on the hardware and licences it resells.
-#}
with lines as (
    select
        month_start,
        coalesce(line_of_business, 'shared') as line_of_business,
        sum(amount_home) filter (where account_category = 'revenue') as revenue,
        sum(amount_home) filter (where account_category = 'direct_cost') as cost_of_sales
    from {{ ref('fct_ledger_lines') }}
    where account_category in ('revenue', 'direct_cost')
    group by month_start, coalesce(line_of_business, 'shared')
)

select
    month_start,
    line_of_business,
    line_of_business in ('managed_services', 'projects') as is_service,
    {{ money('coalesce(revenue, 0)') }} as revenue,
    {{ money('coalesce(cost_of_sales, 0)') }} as cost_of_sales,
    {{ money('coalesce(revenue, 0) - coalesce(cost_of_sales, 0)') }} as gross_margin,
    cast((coalesce(revenue, 0) - coalesce(cost_of_sales, 0)) / nullif(revenue, 0) as double)
        as gross_margin_rate
from lines
