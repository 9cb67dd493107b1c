{#-
    CRM deals (opportunities) in CRM-neutral columns, amounts in the deal's currency. Grain: one row
    per deal and source system, archived and deleted ones included (flagged). deal_type uses the
    neutral vocabulary newbusiness | existingbusiness (HubSpot's own values; another CRM maps to it).

    A second CRM adds its staging model and a `union all` branch here with the same columns.
-#}
select
    'hubspot' as source_system,
    deal_id,
    owner_id,
    pipeline_id,
    deal_stage_id,
    deal_name,
    deal_type,
    lead_source,
    closed_lost_reason,
    is_closed,
    is_closed_won,
    deal_stage_probability_rate,
    currency_code,
    amount,
    mrr_amount,
    project_amount,
    close_at,
    is_archived,
    created_at,
    updated_at,
    archived_at,
    is_deleted,
    loaded_at
from {{ ref('stg_hubspot__deals') }}
