with source as (
    select * from {{ source('xero', 'manual_journal_lines') }}
),

renamed as (
    select
        ManualJournalID as manual_journal_id,
        LineNumber as line_number,
        {{ money('LineAmount') }} as line_amount,
        AccountCode as account_code,
        AccountID as account_id,
        Description as description,
        TaxType as tax_type,
        {{ money('TaxAmount') }} as tax_amount,
        {{ xero_tracking_columns() }},
        {{ utc('UpdatedDateUTC') }} as updated_at,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
