with source as (
    select * from {{ source('xero', 'tracking_options') }}
),

renamed as (
    select
        TrackingCategoryID as tracking_category_id,
        TrackingOptionID as tracking_option_id,
        Name as tracking_option_name,
        Status as tracking_option_status,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
