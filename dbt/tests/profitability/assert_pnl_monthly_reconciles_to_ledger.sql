{{ config(meta={'dagster': {'ref': {'name': 'fct_pnl_monthly'}}}) }}
-- Every month of fct_pnl_monthly equals the ledger lines of that month, per category, within 0.01;
-- and no ledger month is missing from the P&L.
with ledger as (
    select
        month_start,
        coalesce(sum(amount_home) filter (where account_category = 'revenue'), 0) as revenue,
        coalesce(sum(amount_home) filter (where account_category = 'direct_cost'), 0) as direct_costs,
        coalesce(sum(amount_home) filter (where account_category = 'overhead'), 0) as overhead,
        coalesce(sum(amount_home) filter (where account_category = 'other_income'), 0) as other_income
    from {{ ref('fct_ledger_lines') }}
    group by month_start
)

select
    coalesce(pnl.month_start, ledger.month_start) as month_start,
    pnl.revenue as pnl_revenue,
    ledger.revenue as ledger_revenue,
    pnl.net_profit as pnl_net_profit,
    ledger.revenue - ledger.direct_costs - ledger.overhead + ledger.other_income as ledger_net_profit
from {{ ref('fct_pnl_monthly') }} as pnl
full outer join ledger on pnl.month_start = ledger.month_start
where pnl.month_start is null
    or abs(pnl.revenue - coalesce(ledger.revenue, 0)) > 0.01
    or abs(pnl.direct_costs - coalesce(ledger.direct_costs, 0)) > 0.01
    or abs(pnl.overhead - coalesce(ledger.overhead, 0)) > 0.01
    or abs(pnl.other_income - coalesce(ledger.other_income, 0)) > 0.01
    or abs(pnl.net_profit
           - coalesce(ledger.revenue - ledger.direct_costs - ledger.overhead + ledger.other_income, 0)) > 0.02
