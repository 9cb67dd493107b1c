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
        {{ utc('lastUpdated') }} as updated_at,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
