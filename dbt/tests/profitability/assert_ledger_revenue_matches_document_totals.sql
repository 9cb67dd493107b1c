{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_ledger_lines'}}}) }}
-- Revenue from the ledger lines (the journals) equals the sales documents' own SubTotals (a second
-- path, through the document headers, each / CurrencyRate) per month, within half a cent per
-- journal line (Xero rounds each line to the cent in home currency) and never more than 0.01 for
-- a month whose lines are all in home currency. A WARN, not an error: a sales document may
-- legitimately carry a line on a balance-sheet account (a deposit), which the P&L leaves out.
with documents as (
    select
        cast(date_trunc('month', documents.document_date) as date) as month_start,
        sum(
            case when documents.document_type = 'ACCREC' then 1 else -1 end
            * coalesce(invoices.sub_total, credit_notes.sub_total) / documents.currency_rate
        ) as revenue
    from {{ ref('int_xero__documents') }} as documents
    left join {{ ref('stg_xero__invoices') }} as invoices on documents.document_id = invoices.invoice_id
    left join {{ ref('stg_xero__credit_notes') }} as credit_notes
        on documents.document_id = credit_notes.credit_note_id
    where documents.document_type in ('ACCREC', 'ACCRECCREDIT')
    group by all
),

foreign_documents as (
    select document_id
    from {{ ref('int_xero__documents') }}
    where currency_rate <> 1
),

ledger as (
    select
        month_start,
        sum(amount_home) as revenue,
        count(*) filter (where document_id in (select document_id from foreign_documents)) as foreign_lines
    from {{ ref('fct_ledger_lines') }}
    where document_type in ('ACCREC', 'ACCRECCREDIT') and account_category = 'revenue'
    group by month_start
)

select documents.month_start, documents.revenue as document_revenue, ledger.revenue as ledger_revenue
from documents
full outer join ledger on documents.month_start = ledger.month_start
where abs(coalesce(documents.revenue, 0) - coalesce(ledger.revenue, 0))
    > greatest(0.01, 0.005 * coalesce(ledger.foreign_lines, 0))
