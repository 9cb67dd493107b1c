with source as (
    select * from {{ source('xero', 'repeating_invoice_line_items') }}
),

renamed as (
    select
        {{ xero_line_item_model_columns('RepeatingInvoiceID', 'repeating_invoice_id', has_updated_at=false) }}
    from source
)

select * from renamed
