{#-
    What each client contributed each month once the time spent serving it is counted, and the
    overhead it carries. Grain: one row per client (accounting contact) x month with revenue, direct
    costs or labour.
    revenue and direct_costs: fct_client_profitability_monthly summed over service lines (measured
    from the books); labour_hours and labour_cost: the PSA's time entries (int_labour__time_entries, rounded once
    per client and month);
    contribution = revenue - direct_costs - labour_cost; contribution_margin_rate = contribution /
    revenue. Overhead (fct_pnl_monthly) is allocated by labour hours in months whose time entries
    reach clients (overhead_method 'labour_hours'), else by positive revenue share ('revenue_share':
    no PSA, or a month before it was used); net_profit = contribution - allocated_overhead.
    contribution_rank: 1 = the month's least contributing client.
-#}
with books as (
    select
        client_id,
        month_start,
        sum(revenue) as revenue,
        sum(direct_costs) as direct_costs
    from {{ ref('fct_client_profitability_monthly') }}
    where client_id is not null
    group by client_id, month_start
),

labour as (
    select
        client_id,
        month_start,
        sum(actual_hours) as labour_hours,
        {{ money('sum(labour_cost)') }} as labour_cost
    from {{ ref('int_labour__time_entries') }}
    where client_id is not null
    group by client_id, month_start
),

clients as (
    select
        coalesce(books.client_id, labour.client_id) as client_id,
        coalesce(books.month_start, labour.month_start) as month_start,
        coalesce(books.revenue, 0) as revenue,
        coalesce(books.direct_costs, 0) as direct_costs,
        coalesce(labour.labour_hours, 0) as labour_hours,
        coalesce(labour.labour_cost, 0) as labour_cost
    from books
    full outer join labour on books.client_id = labour.client_id and books.month_start = labour.month_start
),

shares as (
    select
        clients.*,
        pnl.overhead as month_overhead,
        sum(clients.labour_hours) over (partition by clients.month_start) > 0 as month_has_labour,
        clients.labour_hours / nullif(sum(clients.labour_hours) over (partition by clients.month_start), 0)
            as labour_share,
        greatest(clients.revenue, 0)
        / nullif(sum(greatest(clients.revenue, 0)) over (partition by clients.month_start), 0)
            as revenue_share
    from clients
    left join {{ ref('fct_pnl_monthly') }} as pnl on clients.month_start = pnl.month_start
),

allocated as (
    select
        shares.*,
        revenue - direct_costs - labour_cost as contribution_amount,
        case when month_has_labour then 'labour_hours' else 'revenue_share' end as overhead_method,
        coalesce(month_overhead * case when month_has_labour then labour_share else revenue_share end, 0)
            as overhead_share
    from shares
)

select
    concat_ws('|', allocated.client_id, cast(allocated.month_start as varchar)) as client_month_key,
    allocated.client_id,
    crosswalk.client_name,
    allocated.month_start,
    {{ money('allocated.revenue') }} as revenue,
    {{ money('allocated.direct_costs') }} as direct_costs,
    allocated.labour_hours,
    {{ money('allocated.labour_cost') }} as labour_cost,
    {{ money('allocated.contribution_amount') }} as contribution,
    allocated.contribution_amount / nullif(allocated.revenue, 0) as contribution_margin_rate,
    (allocated.revenue - allocated.direct_costs) / nullif(allocated.labour_hours, 0) as effective_hourly_rate,
    allocated.overhead_method,
    {{ money('allocated.overhead_share') }} as allocated_overhead,
    {{ money('allocated.contribution_amount - allocated.overhead_share') }} as net_profit,
    rank() over (
        partition by allocated.month_start
        order by allocated.contribution_amount asc, allocated.client_id asc
    ) as contribution_rank
from allocated
left join {{ ref('int_client_crosswalk') }} as crosswalk on allocated.client_id = crosswalk.client_id
