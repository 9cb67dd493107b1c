{#-
    Sales reps and other CRM owners records are assigned to (int_crm__owners). Grain: one row per
    owner, archived ones included (a rep who left still owns their history), flagged by is_active.
-#}
select
    owner_id,
    email,
    coalesce(full_name, email) as owner_name,
    owner_type,
    primary_team_name,
    not(is_archived or is_deleted) as is_active
from {{ ref('int_crm__owners') }}
