with source as (
    select * from {{ source('hubspot', 'contacts') }}
),

renamed as (
    select
        ---------- ids
        id as contact_id,
        try_cast(hubspot_owner_id as bigint) as owner_id,
        cast(associatedcompanyid as bigint) as associated_company_id,
        hs_merged_object_ids as merged_object_ids,

        ---------- attributes
        firstname as first_name,
        lastname as last_name,
        email,
        phone,
        jobtitle as job_title,
        company as company_name,
        lifecyclestage as lifecycle_stage,
        hs_lead_status as lead_status,
        hs_analytics_source as analytics_source,
        {{ custom_property(source('hubspot', 'contacts'), 'lead_source') }} as lead_source,
        hubspotscore as hubspot_score,
        archived as is_archived,

        ---------- lifecycle timestamps
        {{ utc('hs_lifecyclestage_lead_date') }} as became_lead_at,
        {{ utc('hs_lifecyclestage_marketingqualifiedlead_date') }} as became_marketing_qualified_at,
        {{ utc('hs_lifecyclestage_salesqualifiedlead_date') }} as became_sales_qualified_at,
        {{ utc('hs_lifecyclestage_opportunity_date') }} as became_opportunity_at,
        {{ utc('hs_lifecyclestage_customer_date') }} as became_customer_at,

        ---------- timestamps
        {{ hubspot_record_columns() }}
    from source
)

select * from renamed
