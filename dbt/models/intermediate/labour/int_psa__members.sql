{#-
    The PSA's members in a vendor-neutral shape: who they are, their current cost rate and their
    working capacity. The one model the labour layer reads members from.
-#}
select
    member_id,
    member_identifier,
    trim(concat_ws(' ', first_name, last_name)) as member_name,
    hourly_cost,
    daily_capacity_hours,
    cast(hired_at as date) as hire_date,
    cast(inactive_at as date) as inactive_date
from {{ ref('stg_connectwise__members') }}
where not is_deleted
