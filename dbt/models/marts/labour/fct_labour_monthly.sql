{#-
    Measured labour per client, agreement and month: hours and their cost from the PSA's time
    entries (int_labour__time_entries: the entry's own cost rate, else the member's). Grain: one row
    per month x PSA company x agreement (agreement_id null: time not covered by an agreement).
    client_id is null for companies not matched to a client (the MSP's own, prospects).
-#}
select
    concat_ws(
        '|',
        cast(month_start as varchar),
        cast(company_id as varchar),
        coalesce(cast(agreement_id as varchar), '-')
    )
        as labour_key,
    month_start,
    company_id,
    client_id,
    agreement_id,
    count(*) as time_entries,
    sum(actual_hours) as hours,
    coalesce(sum(actual_hours) filter (where is_billable), 0) as billable_hours,
    coalesce(sum(actual_hours) filter (where is_reactive), 0) as reactive_hours,
    coalesce(sum(actual_hours) filter (where is_utilised), 0) as utilised_hours,
    {{ money('sum(labour_cost)') }} as labour_cost
from {{ ref('int_labour__time_entries') }}
group by month_start, company_id, client_id, agreement_id
