with source as (
    select * from {{ source('connectwise', 'projects') }}
),

renamed as (
    select
        id as project_id,
        name as project_name,
        billingmethod as billing_method,
        companyid as company_id,
        agreementid as agreement_id,
        statusname as project_status,
        budgethours as budget_hours,
        actualhours as actual_hours,
        {{ utc('estimatedStart') }} as estimated_start_at,
        {{ utc('actualStart') }} as actual_start_at,
        {{ utc('actualEnd') }} as actual_end_at,
        coalesce(closedflag, false) as is_closed,
        {{ connectwise_record_columns() }}
    from source
)

select * from renamed
