with source as (
    select * from {{ source('xero', 'bank_transactions') }}
),

renamed as (
    select
        ---------- ids
        BankTransactionID as bank_transaction_id,
        ContactID as contact_id,
        BankAccountID as bank_account_id,
        BankAccountCode as bank_account_code,
        Reference as reference,

        ---------- attributes
        Type as bank_transaction_type,
        Status as bank_transaction_status,
        ContactName as contact_name,
        BankAccountName as bank_account_name,
        LineAmountTypes as line_amount_types,
        IsReconciled as is_reconciled,
        HasAttachments as has_attachments,
        Date as transaction_date,

        ---------- money (transaction currency)
        CurrencyCode as currency_code,
        CurrencyRate as currency_rate,
        {{ money('SubTotal') }} as sub_total,
        {{ money('TotalTax') }} as total_tax,
        {{ money('Total') }} as total,

        ---------- timestamps
        {{ utc('UpdatedDateUTC') }} as updated_at,

        ---------- landing
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
