{#-
    Which companies each deal is associated with, now. Grain: one row per source system, deal and
    company with at least one live (not deleted) association, whatever its type or label.

    A second CRM adds its staging model and a `union all` branch here with the same columns.
-#}
select distinct
    'hubspot' as source_system,
    deal_id,
    company_id
from {{ ref('stg_hubspot__deal_companies') }}
where not is_deleted
