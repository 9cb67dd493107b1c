{#-
    CRM contacts (people: leads, prospects, client staff) in CRM-neutral columns. Grain: one row per
    contact and source system, archived and deleted ones included (flagged). lifecycle_stage values
    and the became_*_at dates follow the lifecycle stages mapped by stg_config__funnel_stage_map.

    A second CRM adds its staging model and a `union all` branch here with the same columns.
-#}
select
    'hubspot' as source_system,
    contact_id,
    owner_id,
    associated_company_id as primary_company_id,
    first_name,
    last_name,
    email,
    phone,
    job_title,
    company_name,
    lifecycle_stage,
    lead_status,
    lead_source,
    became_lead_at,
    became_marketing_qualified_at,
    became_sales_qualified_at,
    became_opportunity_at,
    became_customer_at,
    is_archived,
    created_at,
    updated_at,
    archived_at,
    is_deleted,
    loaded_at
from {{ ref('stg_hubspot__contacts') }}
