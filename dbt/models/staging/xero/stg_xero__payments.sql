with source as (
    select * from {{ source('xero', 'payments') }}
),

renamed as (
    select
        ---------- ids
        PaymentID as payment_id,
        InvoiceID as invoice_id,
        CreditNoteID as credit_note_id,
        AccountID as account_id,
        BatchPaymentID as batch_payment_id,
        InvoiceNumber as invoice_number,
        CreditNoteNumber as credit_note_number,
        AccountCode as account_code,
        Reference as reference,

        ---------- attributes
        PaymentType as payment_type,
        Status as payment_status,
        InvoiceType as invoice_type,
        IsReconciled as is_reconciled,
        Date as payment_date,

        ---------- money
        CurrencyRate as currency_rate,
        {{ money('Amount') }} as amount,
        {{ money('BankAmount') }} as bank_amount,

        ---------- timestamps
        {{ utc('UpdatedDateUTC') }} as updated_at,

        ---------- landing
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
