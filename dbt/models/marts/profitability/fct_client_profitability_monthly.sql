{#-
    Profit per client, month and service line.

    Revenue and direct costs are measured: revenue by the invoiced client, direct costs by the
    client a bill or spend line is tracked to (Client tracking category) -- costs no client is
    tracked to stay in a row with a null client_id, so the table adds up to the P&L.
    Overhead is NOT measured per client, it is allocated (an estimate, not a fact): each month's
    overhead is spread over that month's rows in proportion to their revenue (rows with no or
    negative revenue take none), the rounding remainder going to the largest row, so the
    allocation sums exactly to the month's overhead. Revenue share is the usual proxy when there is
    no time tracking; it charges a client for overhead as if every revenue dollar cost the same to
    serve. Months without positive revenue keep their overhead unallocated (it stays in the P&L).
    Other income is not client business and is left out.
-#}
with client_lines as (
    select
        client_id,
        month_start,
        service_line,
        sum(amount_home) filter (where account_category = 'revenue') as revenue,
        sum(amount_home) filter (where account_category = 'revenue' and is_recurring) as recurring_revenue,
        sum(amount_home) filter (where account_category = 'direct_cost') as direct_costs
    from {{ ref('fct_ledger_lines') }}
    where account_category in ('revenue', 'direct_cost')
    group by all
),

client_rows as (
    select
        client_id,
        month_start,
        service_line,
        {{ money('coalesce(revenue, 0)') }} as revenue,
        {{ money('coalesce(recurring_revenue, 0)') }} as recurring_revenue,
        {{ money('coalesce(direct_costs, 0)') }} as direct_costs
    from client_lines
),

overhead as (
    select month_start, overhead
    from {{ ref('fct_pnl_monthly') }}
),

shares as (
    select
        client_rows.*,
        overhead.overhead
        * greatest(client_rows.revenue, 0)
        / nullif(sum(greatest(client_rows.revenue, 0)) over (partition by client_rows.month_start), 0)
            as overhead_share,
        overhead.overhead as month_overhead,
        row_number() over (
            partition by client_rows.month_start
            order by client_rows.revenue desc, client_rows.client_id asc, client_rows.service_line asc
        ) as revenue_rank
    from client_rows
    left join overhead on client_rows.month_start = overhead.month_start
),

allocated as (
    select
        shares.*,
        {{ money('coalesce(overhead_share, 0)') }} as rounded_share,
        coalesce(max(overhead_share) over (partition by month_start) is not null, false) as month_is_allocated
    from shares
),

-- the cents lost to rounding each share go to the month's largest row
final as (
    select
        allocated.*,
        rounded_share + case
            when revenue_rank = 1 and month_is_allocated
                then month_overhead - sum(rounded_share) over (partition by month_start)
            else 0
        end as allocated_overhead
    from allocated
)

select
    client_id,
    month_start,
    service_line,
    revenue,
    recurring_revenue,
    revenue - recurring_revenue as non_recurring_revenue,
    direct_costs,
    revenue - direct_costs as gross_margin,
    {{ money('allocated_overhead') }} as allocated_overhead,
    {{ money('revenue - direct_costs - allocated_overhead') }} as true_profit
from final
