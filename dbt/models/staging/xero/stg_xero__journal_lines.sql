with source as (
    select * from {{ source('xero', 'journal_lines') }}
),

renamed as (
    select
        JournalID as journal_id,
        JournalLineID as journal_line_id,
        AccountID as account_id,
        AccountCode as account_code,
        AccountType as account_type,
        AccountName as account_name,
        Description as description,
        {{ money('NetAmount') }} as net_amount,
        {{ money('GrossAmount') }} as gross_amount,
        {{ money('TaxAmount') }} as tax_amount,
        TaxType as tax_type,
        TaxName as tax_name,
        {{ xero_tracking_columns() }},
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
