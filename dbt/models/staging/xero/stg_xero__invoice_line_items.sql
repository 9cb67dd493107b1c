with source as (
    select * from {{ source('xero', 'invoice_line_items') }}
),

renamed as (
    select
        {{ xero_line_item_model_columns('InvoiceID', 'invoice_id') }}
    from source
)

select * from renamed
