with source as (
    select * from {{ source('xero', 'invoices') }}
),

renamed as (
    select
        {{ xero_document_columns(
            'Invoice', 'invoice',
            extra_ids=[('RepeatingInvoiceID', 'repeating_invoice_id')],
            extra_attributes=[('IsDiscounted', 'is_discounted')],
            extra_dates=[
                ('ExpectedPaymentDate', 'expected_payment_date'),
                ('PlannedPaymentDate', 'planned_payment_date'),
            ],
            extra_money=[
                ('TotalDiscount', 'total_discount'),
                ('AmountDue', 'amount_due'),
                ('AmountPaid', 'amount_paid'),
                ('AmountCredited', 'amount_credited'),
            ],
        ) }}
    from source
)

select * from renamed
