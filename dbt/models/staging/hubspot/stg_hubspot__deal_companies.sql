with source as (
    select * from {{ source('hubspot', 'deal_companies') }}
),

renamed as (
    select
        {{ hubspot_association_columns('deal_id', 'company_id') }}
    from source
)

select * from renamed
