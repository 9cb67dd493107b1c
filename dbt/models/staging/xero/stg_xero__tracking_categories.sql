with source as (
    select * from {{ source('xero', 'tracking_categories') }}
),

renamed as (
    select
        TrackingCategoryID as tracking_category_id,
        Name as tracking_category_name,
        Status as tracking_category_status,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
