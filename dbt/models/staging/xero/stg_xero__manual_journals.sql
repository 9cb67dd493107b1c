with source as (
    select * from {{ source('xero', 'manual_journals') }}
),

renamed as (
    select
        ManualJournalID as manual_journal_id,
        Narration as narration,
        Date as journal_date,
        Status as manual_journal_status,
        LineAmountTypes as line_amount_types,
        ShowOnCashBasisReports as show_on_cash_basis_reports,
        HasAttachments as has_attachments,
        {{ utc('UpdatedDateUTC') }} as updated_at,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
