with source as (
    select * from {{ source('xero', 'credit_notes') }}
),

renamed as (
    select
        {{ xero_document_columns(
            'CreditNote', 'credit_note',
            extra_money=[
                ('RemainingCredit', 'remaining_credit'),
                ('AppliedAmount', 'applied_amount'),
            ],
        ) }}
    from source
)

select * from renamed
