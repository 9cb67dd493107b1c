with source as (
    select * from {{ source('xero', 'invoices') }}
),

renamed as (
    select
        ---------- ids
        InvoiceID as invoice_id,
        ContactID as contact_id,
        RepeatingInvoiceID as repeating_invoice_id,
        BrandingThemeID as branding_theme_id,
        InvoiceNumber as invoice_number,
        Reference as reference,

        ---------- attributes
        Type as invoice_type,
        Status as invoice_status,
        ContactName as contact_name,
        LineAmountTypes as line_amount_types,
        SentToContact as is_sent_to_contact,
        HasAttachments as has_attachments,
        IsDiscounted as is_discounted,

        ---------- dates (organisation calendar days)
        Date as invoice_date,
        DueDate as due_date,
        ExpectedPaymentDate as expected_payment_date,
        PlannedPaymentDate as planned_payment_date,
        FullyPaidOnDate as fully_paid_on_date,

        ---------- money (invoice currency)
        CurrencyCode as currency_code,
        CurrencyRate as currency_rate,
        {{ money('SubTotal') }} as sub_total,
        {{ money('TotalTax') }} as total_tax,
        {{ money('Total') }} as total,
        {{ money('TotalDiscount') }} as total_discount,
        {{ money('AmountDue') }} as amount_due,
        {{ money('AmountPaid') }} as amount_paid,
        {{ money('AmountCredited') }} as amount_credited,

        ---------- timestamps
        {{ utc('UpdatedDateUTC') }} as updated_at,

        ---------- landing
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
