with source as (
    select * from {{ source('connectwise', 'members') }}
),

renamed as (
    select
        id as member_id,
        identifier as member_identifier,
        firstname as first_name,
        lastname as last_name,
        hourlycost as hourly_cost,
        hourlyrate as hourly_rate,
        dailycapacity as daily_capacity_hours,
        billableforecast as billable_forecast,
        coalesce(inactiveflag, false) as is_inactive,
        {{ utc('inactiveDate') }} as inactive_at,
        {{ utc('hireDate') }} as hired_at,
        typename as member_type,
        {{ connectwise_record_columns() }}
    from source
)

select * from renamed
