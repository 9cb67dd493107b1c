{#-
    The monthly profit and loss in home currency, straight from fct_ledger_lines (the journals):
    revenue, direct costs, gross margin, overhead (split into operating expenses, depreciation and
    amortisation, interest and income tax by the account map's statement lines), EBITDA, other
    income and net profit. Journal lines are already cents, so the sums are exact; a singular test
    holds every month and account to Xero's own P&L report.
-#}
with ledger as (
    select
        month_start,
        sum(amount_home) filter (where account_category = 'revenue') as revenue,
        sum(amount_home) filter (where account_category = 'revenue' and is_recurring) as recurring_revenue,
        sum(amount_home) filter (where account_category = 'direct_cost') as direct_costs,
        sum(amount_home) filter (where account_category = 'overhead') as overhead,
        sum(amount_home) filter (where statement_line = 'operating_expenses') as operating_expenses,
        sum(amount_home) filter (where statement_line = 'depreciation_amortisation')
            as depreciation_amortisation,
        sum(amount_home) filter (where statement_line = 'interest') as interest,
        sum(amount_home) filter (where statement_line = 'income_tax') as income_tax,
        sum(amount_home) filter (where account_category = 'other_income') as other_income,
        -- revenue of clients the crosswalk could not tie to a HubSpot company
        sum(amount_home) filter (where account_category = 'revenue' and hubspot_company_id is null)
            as revenue_unmatched_to_crm
    from {{ ref('fct_ledger_lines') }}
    group by month_start
),

monthly as (
    select
        months.month_start,
        coalesce(ledger.revenue, 0) as revenue,
        coalesce(ledger.recurring_revenue, 0) as recurring_revenue,
        coalesce(ledger.direct_costs, 0) as direct_costs,
        coalesce(ledger.overhead, 0) as overhead,
        coalesce(ledger.operating_expenses, 0) as operating_expenses,
        coalesce(ledger.depreciation_amortisation, 0) as depreciation_amortisation,
        coalesce(ledger.interest, 0) as interest,
        coalesce(ledger.income_tax, 0) as income_tax,
        coalesce(ledger.other_income, 0) as other_income,
        coalesce(ledger.revenue_unmatched_to_crm, 0) as revenue_unmatched_to_crm
    from {{ ref('int_ledger__months') }} as months
    left join ledger on months.month_start = ledger.month_start
),

rounded as (
    select
        month_start,
        {{ money('revenue') }} as revenue,
        {{ money('recurring_revenue') }} as recurring_revenue,
        {{ money('direct_costs') }} as direct_costs,
        {{ money('overhead') }} as overhead,
        {{ money('operating_expenses') }} as operating_expenses,
        {{ money('depreciation_amortisation') }} as depreciation_amortisation,
        {{ money('interest') }} as interest,
        {{ money('income_tax') }} as income_tax,
        {{ money('other_income') }} as other_income,
        {{ money('revenue_unmatched_to_crm') }} as revenue_unmatched_to_crm
    from monthly
)

select
    month_start,
    revenue,
    recurring_revenue,
    direct_costs,
    revenue - direct_costs as gross_margin,
    cast((revenue - direct_costs) / nullif(revenue, 0) as double) as gross_margin_rate,
    overhead,
    operating_expenses,
    revenue - direct_costs - operating_expenses + other_income as ebitda,
    cast((revenue - direct_costs - operating_expenses + other_income) / nullif(revenue, 0) as double)
        as ebitda_rate,
    depreciation_amortisation,
    interest,
    income_tax,
    other_income,
    revenue - direct_costs - overhead + other_income as net_profit,
    cast((revenue - direct_costs - overhead + other_income) / nullif(revenue, 0) as double)
        as net_margin_rate,
    revenue_unmatched_to_crm,
    cast(revenue_unmatched_to_crm / nullif(revenue, 0) as double) as revenue_unmatched_to_crm_rate
from rounded
