with source as (
    select * from {{ source('xero', 'bank_transaction_line_items') }}
),

renamed as (
    select
        {{ xero_line_item_model_columns('BankTransactionID', 'bank_transaction_id') }}
    from source
)

select * from renamed
