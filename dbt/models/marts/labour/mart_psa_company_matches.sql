{#-
    Every PSA company and the client it was matched to (int_psa__company_clients), with the hours
    logged against it in the last 90 days up to the as-of day, so the unmatched and ambiguous ones
    that carry time -- labour no client contribution counts -- are listed for someone to fix (give
    the company the client's web site, or its exact name). Grain: one row per PSA company.
-#}
with recent as (
    select company_id, sum(actual_hours) as hours_last_90_days
    from {{ ref('int_labour__time_entries') }}
    where work_date > {{ as_of_date() }} - interval 90 day
    group by company_id
)

select
    companies.company_id,
    companies.company_name,
    companies.company_type,
    companies.is_deleted,
    companies.client_id,
    companies.match_method,
    coalesce(recent.hours_last_90_days, 0) as hours_last_90_days
from {{ ref('int_psa__company_clients') }} as companies
left join recent on companies.company_id = recent.company_id
