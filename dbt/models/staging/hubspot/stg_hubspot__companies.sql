with source as (
    select * from {{ source('hubspot', 'companies') }}
),

renamed as (
    select
        ---------- ids
        id as company_id,
        try_cast(hubspot_owner_id as bigint) as owner_id,
        nullif({{ custom_property(source('hubspot', 'companies'), 'xero_contact_id') }}, '')
            as xero_contact_id,
        hs_merged_object_ids as merged_object_ids,

        ---------- attributes
        name as company_name,
        lower(domain) as domain,
        industry,
        cast(numberofemployees as integer) as number_of_employees,
        city,
        state,
        country,
        lifecyclestage as lifecycle_stage,
        {{ custom_property(source('hubspot', 'companies'), 'lead_source') }} as lead_source,
        archived as is_archived,

        ---------- timestamps
        {{ hubspot_record_columns() }}
    from source
)

select * from renamed
