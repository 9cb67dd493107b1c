with source as (
    select * from {{ source('connectwise', 'agreement_additions') }}
),

renamed as (
    select
        id as addition_id,
        agreementid as agreement_id,
        productid as product_id,
        productidentifier as product_identifier,
        description as addition_description,
        quantity,
        lessincluded as less_included,
        unitprice as unit_price,
        unitcost as unit_cost,
        extprice as extended_price,
        extcost as extended_cost,
        billcustomer as bill_customer,
        {{ utc('effectiveDate') }} as effective_at,
        {{ utc('cancelledDate') }} as cancelled_at,
        {{ connectwise_record_columns() }}
    from source
)

select * from renamed
