with source as (
    select * from {{ source('connectwise', 'work_roles') }}
),

renamed as (
    select
        id as work_role_id,
        name as work_role_name,
        hourlyrate as hourly_rate,
        coalesce(inactiveflag, false) as is_inactive,
        {{ connectwise_record_columns() }}
    from source
)

select * from renamed
