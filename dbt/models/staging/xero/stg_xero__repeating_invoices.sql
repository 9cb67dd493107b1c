with source as (
    select * from {{ source('xero', 'repeating_invoices') }}
),

renamed as (
    select
        ---------- ids
        RepeatingInvoiceID as repeating_invoice_id,
        ContactID as contact_id,
        Reference as reference,

        ---------- attributes
        Type as invoice_type,
        Status as repeating_invoice_status,
        ContactName as contact_name,
        LineAmountTypes as line_amount_types,
        ApprovedForSending as is_approved_for_sending,
        SendCopy as is_send_copy,
        MarkAsSent as is_mark_as_sent,
        IncludePDF as is_include_pdf,
        HasAttachments as has_attachments,

        ---------- schedule
        SchedulePeriod as schedule_period,
        ScheduleUnit as schedule_unit,
        ScheduleDueDate as schedule_due_day,
        ScheduleDueDateType as schedule_due_date_type,
        ScheduleStartDate as schedule_start_date,
        ScheduleNextScheduledDate as schedule_next_scheduled_date,
        ScheduleEndDate as schedule_end_date,

        ---------- money (invoice currency)
        CurrencyCode as currency_code,
        {{ money('SubTotal') }} as sub_total,
        {{ money('TotalTax') }} as total_tax,
        {{ money('Total') }} as total,

        ---------- landing
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
