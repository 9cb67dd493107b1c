with source as (
    select * from {{ source('xero', 'credit_notes') }}
),

renamed as (
    select
        ---------- ids
        CreditNoteID as credit_note_id,
        ContactID as contact_id,
        BrandingThemeID as branding_theme_id,
        CreditNoteNumber as credit_note_number,
        Reference as reference,

        ---------- attributes
        Type as credit_note_type,
        Status as credit_note_status,
        ContactName as contact_name,
        LineAmountTypes as line_amount_types,
        SentToContact as is_sent_to_contact,
        HasAttachments as has_attachments,

        ---------- dates (organisation calendar days)
        Date as credit_note_date,
        DueDate as due_date,
        FullyPaidOnDate as fully_paid_on_date,

        ---------- money (credit note currency)
        CurrencyCode as currency_code,
        CurrencyRate as currency_rate,
        {{ money('SubTotal') }} as sub_total,
        {{ money('TotalTax') }} as total_tax,
        {{ money('Total') }} as total,
        {{ money('RemainingCredit') }} as remaining_credit,
        {{ money('AppliedAmount') }} as applied_amount,

        ---------- timestamps
        {{ utc('UpdatedDateUTC') }} as updated_at,

        ---------- landing
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
