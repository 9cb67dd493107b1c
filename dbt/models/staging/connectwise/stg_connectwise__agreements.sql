with source as (
    select * from {{ source('connectwise', 'agreements') }}
),

renamed as (
    select
        id as agreement_id,
        name as agreement_name,
        companyid as company_id,
        typeid as agreement_type_id,
        typename as agreement_type,
        parentagreementid as parent_agreement_id,
        agreementstatus as agreement_status,
        billamount as bill_amount,
        billingcyclename as billing_cycle,
        {{ utc('startDate') }} as start_at,
        {{ utc('endDate') }} as end_at,
        {{ utc('dateCancelled') }} as cancelled_at,
        coalesce(noendingdateflag, false) as has_no_end_date,
        coalesce(cancelledflag, false) as is_cancelled,
        applicationunits as application_units,
        {{ connectwise_record_columns() }}
    from source
)

select * from renamed
