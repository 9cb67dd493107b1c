{#-
    The CRM's users records are assigned to (sales reps and other owners), in CRM-neutral columns.
    Grain: one row per owner and source system, archived and deleted ones included (flagged).

    A second CRM adds its staging model and a `union all` branch here with the same columns.
-#}
select
    'hubspot' as source_system,
    owner_id,
    email,
    first_name,
    last_name,
    full_name,
    owner_type,
    primary_team_name,
    is_archived,
    created_at,
    updated_at,
    is_deleted,
    loaded_at
from {{ ref('stg_hubspot__owners') }}
