with source as (
    select * from {{ source('hubspot', 'deal_contacts') }}
),

renamed as (
    select
        {{ hubspot_association_columns('deal_id', 'contact_id') }}
    from source
)

select * from renamed
