with source as (
    select * from {{ source('connectwise', 'work_roles') }}
),

renamed as (
    select
        id as work_role_id,
        name as work_role_name,
        hourlyrate as hourly_rate,
        coalesce(inactiveflag, false) as is_inactive,
        {{ utc('lastUpdated') }} as updated_at,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
