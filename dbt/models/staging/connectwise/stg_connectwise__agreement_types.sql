with source as (
    select * from {{ source('connectwise', 'agreement_types') }}
),

renamed as (
    select
        id as agreement_type_id,
        name as agreement_type_name,
        billtime as bill_time,
        applicationunits as application_units,
        coalesce(inactiveflag, false) as is_inactive,
        {{ connectwise_record_columns() }}
    from source
)

select * from renamed
