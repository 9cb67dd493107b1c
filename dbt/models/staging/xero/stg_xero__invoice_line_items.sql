with source as (
    select * from {{ source('xero', 'invoice_line_items') }}
),

renamed as (
    select
        InvoiceID as invoice_id,
        {{ xero_line_item_columns() }},
        {{ utc('UpdatedDateUTC') }} as updated_at,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
