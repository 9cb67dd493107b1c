with source as (
    select * from {{ source('hubspot', 'deal_contacts') }}
),

renamed as (
    select
        deal_id,
        contact_id,
        association_type_id,
        association_category,
        association_label,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
