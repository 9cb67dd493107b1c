{#-
    Agreement gross profit per month, as PSA tools compute it. Grain: one row per agreement x
    month it was active, through the as-of month (int_psa__agreement_months).
    revenue = the month's bill amount + billable additions; costs = additions' extended cost +
    labour cost of the time covered by the agreement; gross_profit = revenue - costs;
    gross_margin_rate = gross_profit / revenue; effective_hourly_rate = (revenue - additions' cost)
    / hours worked on the agreement. Amounts in the PSA's own currency for the agreement.
-#}
with labour as (
    select
        agreement_id,
        month_start,
        sum(actual_hours) as hours,
        sum(labour_cost) as labour_cost
    from {{ ref('int_labour__time_entries') }}
    where agreement_id is not null
    group by agreement_id, month_start
),

combined as (
    select
        agreements.agreement_id,
        agreements.month_start,
        agreements.agreement_name,
        agreements.agreement_type,
        agreements.company_id,
        agreements.bill_revenue + agreements.additions_revenue as revenue,
        agreements.additions_cost,
        coalesce(labour.labour_cost, 0) as labour_cost,
        coalesce(labour.hours, 0) as hours
    from {{ ref('int_psa__agreement_months') }} as agreements
    left join labour
        on agreements.agreement_id = labour.agreement_id and agreements.month_start = labour.month_start
)

select
    concat_ws('|', cast(combined.agreement_id as varchar), cast(combined.month_start as varchar))
        as agreement_month_key,
    combined.agreement_id,
    combined.month_start,
    combined.agreement_name,
    combined.agreement_type,
    combined.company_id,
    companies.client_id,
    {{ money('combined.revenue') }} as revenue,
    {{ money('combined.additions_cost') }} as additions_cost,
    {{ money('combined.labour_cost') }} as labour_cost,
    combined.hours,
    {{ money('combined.revenue - combined.additions_cost - combined.labour_cost') }} as gross_profit,
    (combined.revenue - combined.additions_cost - combined.labour_cost) / nullif(combined.revenue, 0)
        as gross_margin_rate,
    (combined.revenue - combined.additions_cost) / nullif(combined.hours, 0) as effective_hourly_rate
from combined
left join {{ ref('int_psa__company_clients') }} as companies on combined.company_id = companies.company_id
