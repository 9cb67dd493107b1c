with source as (
    select * from {{ source('xero', 'accounts') }}
),

renamed as (
    select
        AccountID as account_id,
        Code as account_code,
        Name as account_name,
        Type as account_type,
        Class as account_class,
        Status as account_status,
        Description as description,
        TaxType as tax_type,
        CurrencyCode as currency_code,
        BankAccountNumber as bank_account_number,
        BankAccountType as bank_account_type,
        EnablePaymentsToAccount as enable_payments_to_account,
        ShowInExpenseClaims as show_in_expense_claims,
        SystemAccount as system_account,
        ReportingCode as reporting_code,
        ReportingCodeName as reporting_code_name,
        HasAttachments as has_attachments,
        {{ utc('UpdatedDateUTC') }} as updated_at,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
