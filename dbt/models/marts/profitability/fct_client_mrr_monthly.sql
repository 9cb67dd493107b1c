{#-
    Each client's monthly recurring revenue and how it moved since the previous month.

    A client is active in a month when its recurring invoices bill MRR there. Rows: every active
    month, plus the month right after an active one in which the client billed nothing (that row is
    its churn, with mrr_home 0). Months after churn carry no rows until a reactivation, so there is
    no fabricated churn and no zero padding. Categories (first match): new (first MRR ever),
    reactivation (MRR again after a churn), churn (MRR stopped), expansion / contraction (MRR up /
    down; for foreign-currency clients this includes exchange-rate moves), unchanged.
-#}
with client_months as (
    select client_id, month_start, sum(mrr_home) as mrr_home
    from {{ ref('int_xero__recurring_revenue_months') }}
    group by all
),

client_spans as (
    select client_id, min(month_start) as first_month
    from client_months
    group by client_id
),

spine as (
    select client_spans.client_id, months.month_start
    from client_spans
    inner join {{ ref('int_ledger__months') }} as months
        on months.month_start >= client_spans.first_month
),

filled as (
    select
        spine.client_id,
        spine.month_start,
        coalesce(client_months.mrr_home, 0) as mrr_home,
        coalesce(
            lag(client_months.mrr_home) over (partition by spine.client_id order by spine.month_start), 0
        )
            as previous_mrr_home,
        spine.month_start = client_spans.first_month as is_first_month
    from spine
    inner join client_spans on spine.client_id = client_spans.client_id
    left join client_months
        on spine.client_id = client_months.client_id and spine.month_start = client_months.month_start
)

select
    filled.client_id,
    filled.month_start,
    cast(filled.mrr_home as decimal(20, 8)) as mrr_home,
    cast(filled.previous_mrr_home as decimal(20, 8)) as previous_mrr_home,
    cast(filled.mrr_home - filled.previous_mrr_home as decimal(20, 8)) as mrr_change_home,
    case
        when filled.is_first_month then 'new'
        when filled.previous_mrr_home = 0 then 'reactivation'
        when filled.mrr_home = 0 then 'churn'
        when filled.mrr_home > filled.previous_mrr_home then 'expansion'
        when filled.mrr_home < filled.previous_mrr_home then 'contraction'
        else 'unchanged'
    end as change_category,
    filled.mrr_home > 0 as is_active,
    clients.hubspot_company_id,
    clients.lead_source
from filled
left join {{ ref('int_client_crosswalk') }} as clients
    on filled.client_id = clients.client_id
where filled.mrr_home > 0 or filled.previous_mrr_home > 0
