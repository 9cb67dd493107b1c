with source as (
    select * from {{ source('hubspot', 'contact_companies') }}
),

renamed as (
    select
        contact_id,
        company_id,
        association_type_id,
        association_category,
        association_label,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
