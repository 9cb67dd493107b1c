with source as (
    select * from {{ source('hubspot', 'contact_companies') }}
),

renamed as (
    select
        {{ hubspot_association_columns('contact_id', 'company_id') }}
    from source
)

select * from renamed
