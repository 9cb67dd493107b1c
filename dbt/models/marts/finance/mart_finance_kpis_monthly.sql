{#-
    The finance KPIs MSP owners and their peer groups run on, one row per month of the books, in
    home currency. Every figure comes from the journals (fct_ledger_lines, fct_general_ledger)
    through the account map, except client counts, which count counted sales invoices
    (int_xero__documents): a voided invoice's posting and reversal must not make a client active.
    Formulas: docs/finance.md. The as_of month is month to date (`is_month_to_date`).
-#}
{%- set service_lines = "('managed_services', 'projects')" %}
with months as (
    select month_start from {{ ref('int_ledger__months') }}
),

pnl as (
    select month_start, revenue, gross_margin, ebitda, ebitda_rate
    from {{ ref('fct_pnl_monthly') }}
),

ledger as (
    select
        month_start,
        sum(amount_home) filter (
            where account_category = 'revenue' and line_of_business in {{ service_lines }}
        ) as service_revenue,
        sum(amount_home) filter (
            where account_category = 'direct_cost' and line_of_business in {{ service_lines }}
        ) as service_cost_of_sales,
        sum(amount_home) filter (
            where account_category = 'revenue' and line_of_business = 'product_resale'
        ) as product_revenue,
        sum(amount_home) filter (
            where account_category = 'direct_cost' and line_of_business = 'product_resale'
        ) as product_cost_of_sales,
        sum(amount_home) filter (where statement_line = 'cost_of_sales' and cost_type = 'labour')
            as service_payroll,
        sum(amount_home) filter (where cost_type = 'sales_and_marketing') as sales_and_marketing,
        sum(amount_home) filter (where account_category = 'revenue' and is_recurring) as recurring_revenue
    from {{ ref('fct_ledger_lines') }}
    group by month_start
),

client_recurring as (
    select month_start, client_id, sum(amount_home) as recurring_revenue
    from {{ ref('fct_ledger_lines') }}
    where account_category = 'revenue' and is_recurring
    group by month_start, client_id
),

-- the ten largest clients' recurring revenue (ties at the tenth place add the same amount)
top_clients as (
    select month_start, sum(recurring_revenue) as top10_recurring_revenue
    from (
        select
            month_start,
            recurring_revenue,
            row_number() over (
                partition by month_start order by recurring_revenue desc, client_id asc
            ) as client_rank
        from client_recurring
    ) as ranked
    where client_rank <= 10
    group by month_start
),

sales_invoices as (
    select distinct contact_id, cast(date_trunc('month', document_date) as date) as month_start
    from {{ ref('int_xero__documents') }}
    where document_type = 'ACCREC'
),

active_clients as (
    select month_start, count(*) as active_clients
    from sales_invoices
    group by month_start
),

new_clients as (
    select month_start, count(*) as new_clients
    from (
        select contact_id, min(month_start) as month_start
        from sales_invoices
        group by contact_id
    ) as first_invoices
    group by month_start
),

receivable_movements as (
    select month_start, sum(net_amount) as movement
    from {{ ref('fct_general_ledger') }}
    where system_account = 'DEBTORS'
    group by month_start
),

-- accounts receivable at the end of each month: every movement up to it
receivables as (
    select months.month_start, coalesce(sum(receivable_movements.movement), 0) as ar_balance
    from months
    left join receivable_movements on receivable_movements.month_start <= months.month_start
    group by months.month_start
),

combined as (
    select
        months.month_start,
        months.month_start = cast(date_trunc('month', {{ as_of_date() }}) as date) as is_month_to_date,
        least(last_day(months.month_start), {{ as_of_date() }}) - months.month_start + 1 as days_in_period,
        pnl.revenue,
        pnl.gross_margin,
        pnl.ebitda,
        pnl.ebitda_rate,
        {{ money('coalesce(ledger.service_revenue, 0)') }} as service_revenue,
        {{ money('coalesce(ledger.service_revenue, 0) - coalesce(ledger.service_cost_of_sales, 0)') }}
            as service_gross_margin,
        {{ money('coalesce(ledger.product_revenue, 0)') }} as product_revenue,
        {{ money('coalesce(ledger.product_revenue, 0) - coalesce(ledger.product_cost_of_sales, 0)') }}
            as product_gross_margin,
        {{ money('coalesce(ledger.service_payroll, 0)') }} as service_payroll,
        {{ money('coalesce(ledger.sales_and_marketing, 0)') }} as sales_and_marketing,
        {{ money('coalesce(ledger.recurring_revenue, 0)') }} as recurring_revenue,
        {{ money('coalesce(top_clients.top10_recurring_revenue, 0)') }} as top10_recurring_revenue,
        coalesce(active_clients.active_clients, 0) as active_clients,
        coalesce(new_clients.new_clients, 0) as new_clients,
        {{ money('receivables.ar_balance') }} as ar_balance
    from months
    left join pnl on months.month_start = pnl.month_start
    left join ledger on months.month_start = ledger.month_start
    left join top_clients on months.month_start = top_clients.month_start
    left join active_clients on months.month_start = active_clients.month_start
    left join new_clients on months.month_start = new_clients.month_start
    left join receivables on months.month_start = receivables.month_start
)

select
    month_start,
    is_month_to_date,
    days_in_period,
    revenue,
    service_revenue,
    product_revenue,
    service_gross_margin,
    cast(service_gross_margin / nullif(service_revenue, 0) as double) as service_gross_margin_rate,
    product_gross_margin,
    cast(product_gross_margin / nullif(product_revenue, 0) as double) as product_gross_margin_rate,
    ebitda,
    ebitda_rate,
    service_payroll,
    cast(service_payroll / nullif(service_revenue, 0) as double) as service_payroll_ratio,
    cast(service_revenue / nullif(service_payroll, 0) as double) as multiple_of_service,
    ar_balance,
    cast(ar_balance / nullif(revenue, 0) * days_in_period as double) as dso_days,
    recurring_revenue,
    top10_recurring_revenue,
    cast(top10_recurring_revenue / nullif(recurring_revenue, 0) as double) as top10_recurring_share,
    sales_and_marketing,
    new_clients,
    cast(sales_and_marketing / nullif(new_clients, 0) as double) as customer_acquisition_cost,
    active_clients,
    cast(revenue / nullif(active_clients, 0) as double) as revenue_per_client,
    {{ employees_setting() }} as employees,
    cast(revenue / nullif({{ employees_setting() }}, 0) as double) as revenue_per_employee
from combined
