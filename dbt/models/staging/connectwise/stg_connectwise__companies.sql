with source as (
    select * from {{ source('connectwise', 'companies') }}
),

renamed as (
    select
        id as company_id,
        identifier as company_identifier,
        name as company_name,
        website,
        accountnumber as account_number,
        statusname as company_status,
        typename as company_type,
        {{ utc('dateAcquired') }} as acquired_at,
        {{ utc('dateDeleted') }} as deleted_at,
        {{ connectwise_record_columns() }}
    from source
)

select * from renamed
