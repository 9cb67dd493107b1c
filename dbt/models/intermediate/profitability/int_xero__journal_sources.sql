{#-
    What each journal's source_id points at, in one shape: the document that posted it (invoice,
    bill, credit note, bank transaction, whatever its status today: a voided invoice's posting and
    its reversal must both find it), the document a payment settled, or a manual journal. Documents
    stay the source of client and recurring attribution; the journals carry the amounts.
-#}
with invoices as (
    select
        invoice_id as source_id,
        invoice_id as document_id,
        invoice_type as document_type,
        invoice_number as document_number,
        contact_id,
        repeating_invoice_id,
        currency_code,
        cast(null as varchar) as narration
    from {{ ref('stg_xero__invoices') }}
),

credit_notes as (
    select
        credit_note_id,
        credit_note_id,
        credit_note_type,
        credit_note_number,
        contact_id,
        cast(null as varchar),
        currency_code,
        cast(null as varchar)
    from {{ ref('stg_xero__credit_notes') }}
),

bank_transactions as (
    select
        bank_transaction_id,
        bank_transaction_id,
        bank_transaction_type,
        reference,
        contact_id,
        cast(null as varchar),
        currency_code,
        cast(null as varchar)
    from {{ ref('stg_xero__bank_transactions') }}
),

documents as (
    select * from invoices
    union all
    select * from credit_notes
    union all
    select * from bank_transactions
),

payments as (
    select
        payments.payment_id,
        documents.document_id,
        documents.document_type,
        documents.document_number,
        documents.contact_id,
        documents.repeating_invoice_id,
        documents.currency_code,
        cast(null as varchar)
    from {{ ref('stg_xero__payments') }} as payments
    inner join documents
        on coalesce(payments.invoice_id, payments.credit_note_id) = documents.document_id
),

manual_journals as (
    select
        manual_journal_id,
        cast(null as varchar),
        'MANJOURNAL',
        cast(null as varchar),
        cast(null as varchar),
        cast(null as varchar),
        '{{ setting("home_currency") }}',
        narration
    from {{ ref('stg_xero__manual_journals') }}
)

select * from documents
union all
select * from payments
union all
select * from manual_journals
