{#-
    CRM companies (prospect and client organisations) in CRM-neutral columns. Grain: one row per
    company and source system, archived and deleted ones included (flagged).
    accounting_contact_id is the accounting system's contact the CRM record names (HubSpot's
    `xero_contact_id` property), the strongest rule of the client-identity spine (int_client_crosswalk).

    A second CRM adds its staging model and a `union all` branch here with the same columns.
-#}
select
    'hubspot' as source_system,
    company_id,
    owner_id,
    xero_contact_id as accounting_contact_id,
    company_name,
    domain,
    industry,
    number_of_employees,
    city,
    state,
    country,
    lifecycle_stage,
    lead_source,
    is_archived,
    created_at,
    updated_at,
    archived_at,
    is_deleted,
    loaded_at
from {{ ref('stg_hubspot__companies') }}
