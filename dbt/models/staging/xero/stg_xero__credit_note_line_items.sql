with source as (
    select * from {{ source('xero', 'credit_note_line_items') }}
),

renamed as (
    select
        {{ xero_line_item_model_columns('CreditNoteID', 'credit_note_id') }}
    from source
)

select * from renamed
