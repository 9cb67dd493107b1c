with source as (
    select * from {{ source('xero', 'repeating_invoice_line_items') }}
),

renamed as (
    select
        RepeatingInvoiceID as repeating_invoice_id,
        {{ xero_line_item_columns() }},
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
