{#-
    Every time entry that counts as of the as-of day, costed and placed: live (not deleted, and
    not found hard-deleted by the id listing, stg_connectwise__time_entry_ids), started before the
    as-of day ends, bucketed by the
    organisation-local date it started. Cost rate: the entry's own hourly_cost (the member's rate on
    that day), else the member's current hourly_cost; labour_cost = actual_hours x that rate, as an
    exact decimal (rounded to cents only where it is summed, half away from zero).
    is_utilised: the work type counts toward utilisation and the time is charged to a client;
    is_billable: billable_option Billable; is_reactive: charged to a service ticket.
-#}
with listed_deleted as (
    select time_entry_id from {{ ref('stg_connectwise__time_entry_ids') }}
    where is_deleted
),

entries as (
    select * from {{ ref('stg_connectwise__time_entries') }}
    where
        not is_deleted
        and time_entry_id not in (select time_entry_id from listed_deleted)
        and time_start_at < {{ as_of_end_utc() }}
),

members as (
    select member_id, hourly_cost from {{ ref('int_psa__members') }}
),

work_types as (
    select work_type_id, counts_toward_utilisation from {{ ref('stg_connectwise__work_types') }}
),

companies as (
    select company_id, client_id from {{ ref('int_psa__company_clients') }}
),

costed as (
    select
        entries.time_entry_id,
        entries.member_id,
        entries.company_id,
        companies.client_id,
        entries.agreement_id,
        entries.ticket_id,
        entries.project_id,
        entries.charge_to_type,
        entries.work_type_name,
        {{ org_date('entries.time_start_at') }} as work_date,
        coalesce(entries.actual_hours, 0) as actual_hours,
        coalesce(entries.billed_hours, 0) as billed_hours,
        entries.hourly_rate,
        coalesce(entries.hourly_cost, members.hourly_cost) as cost_rate,
        entries.hourly_cost is not null as has_entry_cost,
        entries.billable_option = 'Billable' as is_billable,
        entries.charge_to_type = 'ServiceTicket' as is_reactive,
        coalesce(work_types.counts_toward_utilisation, false)
        and companies.client_id is not null as is_utilised
    from entries
    left join members on entries.member_id = members.member_id
    left join work_types on entries.work_type_id = work_types.work_type_id
    left join companies on entries.company_id = companies.company_id
)

select
    costed.*,
    cast(date_trunc('month', work_date) as date) as month_start,
    {{ money('actual_hours', 4) }} * {{ money('cost_rate', 4) }} as labour_cost
from costed
