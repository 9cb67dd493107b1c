with source as (
    select * from {{ source('hubspot', 'deal_companies') }}
),

renamed as (
    select
        deal_id,
        company_id,
        association_type_id,
        association_category,
        association_label,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
