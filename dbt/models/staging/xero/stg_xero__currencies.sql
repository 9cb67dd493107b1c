with source as (
    select * from {{ source('xero', 'currencies') }}
),

renamed as (
    select
        Code as currency_code,
        Description as currency_name,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
