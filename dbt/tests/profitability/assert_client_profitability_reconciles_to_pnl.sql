{{ config(meta={'dagster': {'ref': {'name': 'fct_client_profitability_monthly'}}}) }}
-- Client profitability adds up to the P&L every month: allocated overhead exactly (to the cent)
-- in every month with revenue to allocate by, revenue and direct costs within the rounding of
-- their rows (half a cent each).
with clients as (
    select
        month_start,
        count(*) as row_count,
        sum(revenue) as revenue,
        sum(direct_costs) as direct_costs,
        sum(allocated_overhead) as allocated_overhead,
        bool_or(revenue > 0) as has_revenue
    from {{ ref('fct_client_profitability_monthly') }}
    group by month_start
)

select pnl.month_start, pnl.overhead, clients.allocated_overhead, pnl.revenue, clients.revenue
from {{ ref('fct_pnl_monthly') }} as pnl
left join clients on pnl.month_start = clients.month_start
where (coalesce(clients.has_revenue, false) and clients.allocated_overhead <> pnl.overhead)
    or abs(pnl.revenue - coalesce(clients.revenue, 0)) > 0.005 * coalesce(clients.row_count, 1)
    or abs(pnl.direct_costs - coalesce(clients.direct_costs, 0)) > 0.005 * coalesce(clients.row_count, 1)
