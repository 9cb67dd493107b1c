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
        {{ utc('lastUpdated') }} as updated_at,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
