{#-
    Where revenue comes from, per month, along several dimensions at once (one long table):
    service_line, acquisition lead_source, revenue_type (recurring / non_recurring), crm_match
    (matched / unmatched: revenue the crosswalk could not tie to a HubSpot company, made visible),
    currency, and client. Within a month and dimension the shares sum to 1; value_rank and
    cumulative_share_rate give concentration (top-10 client share = cumulative_share_rate at
    value_rank 10 of dimension client), and dimension_hhi is the Herfindahl index of the
    dimension's shares (1 = all revenue from one value). A value whose credits exceed its invoices
    in a month has a negative share. The squared shares are added exactly (exact_sum): a DOUBLE
    sum over a window partition depends on the order its rows arrive in.
-#}
with revenue_lines as (
    select
        ledger.month_start,
        ledger.amount_home,
        coalesce(ledger.service_line, 'unassigned') as service_line,
        coalesce(ledger.lead_source, 'unknown') as lead_source,
        case when ledger.is_recurring then 'recurring' else 'non_recurring' end as revenue_type,
        case when ledger.hubspot_company_id is null then 'unmatched' else 'matched' end as crm_match,
        ledger.currency_code,
        ledger.client_id
    from {{ ref('fct_ledger_lines') }} as ledger
    where ledger.account_category = 'revenue'
),

by_dimension as (
    unpivot (
        select
            month_start,
            amount_home,
            service_line,
            lead_source,
            revenue_type,
            crm_match,
            currency_code as currency,
            client_id as client
        from revenue_lines
    )
    on service_line, lead_source, revenue_type, crm_match, currency, client
    into name dimension value dimension_key
),

totals as (
    select
        month_start,
        dimension,
        dimension_key,
        sum(amount_home) as revenue_home
    from by_dimension
    group by all
),

shared as (
    select
        totals.*,
        revenue_home / nullif(sum(revenue_home) over (partition by month_start, dimension), 0) as share
    from totals
),

ranked as (
    select
        shared.*,
        row_number() over (partition by month_start, dimension order by revenue_home desc, dimension_key asc)
            as value_rank
    from shared
)

select
    month_start,
    dimension,
    dimension_key as dimension_value,
    coalesce(clients.client_name, dimension_key) as dimension_label,
    {{ money('revenue_home') }} as revenue_home,
    cast(share as double) as revenue_share_rate,
    cast(value_rank as integer) as value_rank,
    cast(sum(share) over (
        partition by month_start, dimension
        order by value_rank rows between unbounded preceding and current row
    ) as double) as cumulative_share_rate,
    {{ exact_sum('share * share', scale=18, over='partition by month_start, dimension') }} as dimension_hhi
from ranked
left join {{ ref('int_client_crosswalk') }} as clients
    on ranked.dimension = 'client' and ranked.dimension_key = clients.client_id
