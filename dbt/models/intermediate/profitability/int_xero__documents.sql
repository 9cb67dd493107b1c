{#-
    Every Xero document that can post to the profit and loss, one shape for all: sales invoices and
    bills, credit notes of both kinds, and spend/receive money. `ledger_sign` turns a line amount into
    "money in" (+1) or "money out" (-1), so later models sign any line by its document alone.
-#}
with invoices as (
    select
        invoice_id as document_id,
        'invoice' as document_source,
        invoice_type as document_type,
        invoice_number as document_number,
        invoice_status as document_status,
        invoice_date as document_date,
        contact_id,
        repeating_invoice_id,
        currency_code,
        currency_rate,
        line_amount_types,
        reference,
        is_deleted
    from {{ ref('stg_xero__invoices') }}
),

credit_notes as (
    select
        credit_note_id,
        'credit_note',
        credit_note_type,
        credit_note_number,
        credit_note_status,
        credit_note_date,
        contact_id,
        null,
        currency_code,
        currency_rate,
        line_amount_types,
        reference,
        is_deleted
    from {{ ref('stg_xero__credit_notes') }}
),

bank_transactions as (
    select
        bank_transaction_id,
        'bank_transaction',
        bank_transaction_type,
        reference,
        bank_transaction_status,
        transaction_date,
        contact_id,
        null,
        currency_code,
        currency_rate,
        line_amount_types,
        reference,
        is_deleted
    from {{ ref('stg_xero__bank_transactions') }}
    -- prepayments, overpayments and transfers move balance-sheet money only
    where bank_transaction_type in ('SPEND', 'RECEIVE')
),

documents as (
    select * from invoices
    union all
    select * from credit_notes
    union all
    select * from bank_transactions
)

select
    document_id,
    document_source,
    document_type,
    document_number,
    document_status,
    document_date,
    contact_id,
    repeating_invoice_id,
    currency_code,
    -- Xero's direction: 1 unit of home currency = currency_rate units of the document currency
    coalesce(currency_rate, 1.0) as currency_rate,
    line_amount_types,
    reference,
    case when document_type in ('ACCREC', 'ACCPAYCREDIT', 'RECEIVE') then 1 else -1 end as ledger_sign
from documents
where not is_deleted
    -- drafts and voided documents never reached the books; bank transactions are AUTHORISED
    and document_status in ('AUTHORISED', 'PAID')
    and document_date <= {{ as_of_date() }}
