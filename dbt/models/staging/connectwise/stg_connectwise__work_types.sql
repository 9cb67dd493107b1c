with source as (
    select * from {{ source('connectwise', 'work_types') }}
),

renamed as (
    select
        id as work_type_id,
        name as work_type_name,
        billtime as bill_time,
        costmultiplier as cost_multiplier,
        coalesce(utilizationflag, false) as counts_toward_utilisation,
        coalesce(inactiveflag, false) as is_inactive,
        {{ connectwise_record_columns() }}
    from source
)

select * from renamed
