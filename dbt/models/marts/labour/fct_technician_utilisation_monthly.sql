{#-
    Each technician's month: capacity (int_labour__member_capacity_daily), hours logged, the
    utilised share and realisation. Grain: one row per member x month with capacity or time.
    utilisation_rate = utilised hours (utilisation work types, charged to clients) / capacity hours;
    realisation_rate = billed hours / hours worked on billable entries.
-#}
with capacity as (
    select member_id, month_start, sum(capacity_hours) as capacity_hours
    from {{ ref('int_labour__member_capacity_daily') }}
    group by member_id, month_start
),

logged as (
    select
        member_id,
        month_start,
        sum(actual_hours) as hours,
        coalesce(sum(actual_hours) filter (where is_utilised), 0) as utilised_hours,
        coalesce(sum(actual_hours) filter (where is_billable), 0) as billable_hours,
        coalesce(sum(billed_hours) filter (where is_billable), 0) as billed_hours,
        sum(labour_cost) as labour_cost
    from {{ ref('int_labour__time_entries') }}
    where member_id is not null
    group by member_id, month_start
),

members as (
    select member_id, member_identifier, member_name
    from {{ ref('int_psa__members') }}
),

months as (
    select
        coalesce(capacity.member_id, logged.member_id) as member_id,
        coalesce(capacity.month_start, logged.month_start) as month_start,
        coalesce(capacity.capacity_hours, 0) as capacity_hours,
        coalesce(logged.hours, 0) as hours,
        coalesce(logged.utilised_hours, 0) as utilised_hours,
        coalesce(logged.billable_hours, 0) as billable_hours,
        coalesce(logged.billed_hours, 0) as billed_hours,
        coalesce(logged.labour_cost, 0) as labour_cost
    from capacity
    full outer join
        logged
        on capacity.member_id = logged.member_id and capacity.month_start = logged.month_start
)

select
    concat_ws('|', cast(months.member_id as varchar), cast(months.month_start as varchar))
        as member_month_key,
    months.member_id,
    members.member_identifier,
    members.member_name,
    months.month_start,
    months.capacity_hours,
    months.hours,
    months.utilised_hours,
    months.billable_hours,
    months.billed_hours,
    {{ money('months.labour_cost') }} as labour_cost,
    months.utilised_hours / nullif(months.capacity_hours, 0) as utilisation_rate,
    months.billed_hours / nullif(months.billable_hours, 0) as realisation_rate
from months
left join members on months.member_id = members.member_id
