{#-
    Who owes what, and for how long, as of as_of_date: accounts receivable per client and ageing
    bucket. A document's open balance is what the journals left on the receivables (DEBTORS)
    account for it -- its posting less the payments that settled it (a payment's journal finds
    its invoice through the payment) -- so the buckets add up to the receivables in the ledger.
    Invoices age by days past their due date; credit notes not yet applied sit in their own
    bucket, `unapplied_credit`.
-#}
with open_documents as (
    select
        document_id,
        max(document_type) as document_type,
        max(contact_id) as contact_id,
        sum(net_amount) as open_amount
    from {{ ref('fct_general_ledger') }}
    where system_account = 'DEBTORS' and document_id is not null
    group by document_id
    having sum(net_amount) <> 0
),

aged as (
    select
        open_documents.*,
        {{ as_of_date() }} - invoices.due_date as days_overdue
    from open_documents
    left join {{ ref('stg_xero__invoices') }} as invoices
        on open_documents.document_id = invoices.invoice_id
),

bucketed as (
    select
        contact_id,
        open_amount,
        case
            when document_type <> 'ACCREC' then 'unapplied_credit'
            when days_overdue is null or days_overdue <= 0 then 'current'
            when days_overdue <= 30 then '1_30'
            when days_overdue <= 60 then '31_60'
            when days_overdue <= 90 then '61_90'
            else 'over_90'
        end as ageing_bucket
    from aged
)

select
    {{ as_of_date() }} as as_of_date,
    bucketed.contact_id as client_id,
    clients.client_name,
    bucketed.ageing_bucket,
    case bucketed.ageing_bucket
        when 'current' then 1
        when '1_30' then 2
        when '31_60' then 3
        when '61_90' then 4
        when 'over_90' then 5
        else 6
    end as bucket_order,
    count(*) as open_documents,
    {{ money('sum(bucketed.open_amount)') }} as amount_home
from bucketed
left join {{ ref('int_client_crosswalk') }} as clients
    on bucketed.contact_id = clients.client_id
group by bucketed.contact_id, clients.client_name, bucketed.ageing_bucket
