with source as (
    select * from {{ source('connectwise', 'time_entry_ids') }}
),

renamed as (
    select
        id as time_entry_id,
        timestartday as time_start_day,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
