{#-
    MRR as a daily level, for the metric registry's `mrr` metric: a month's MRR stands for every
    day of that month (monthly repeating invoices are dated the 1st and bill the whole month),
    up to as_of_date. Only days a client has MRR are rows; summing mrr_home over clients for a
    day gives the MRR at the end of that day.
-#}
select
    mrr.client_id,
    cast(days.date_day as date) as date_day,
    mrr.mrr_home,
    mrr.hubspot_company_id,
    mrr.lead_source
from {{ ref('fct_client_mrr_monthly') }} as mrr,
    generate_series(
        mrr.month_start,
        least(cast(mrr.month_start + interval 1 month - interval 1 day as date), {{ as_of_date() }}),
        interval 1 day
    ) as days (date_day)
where mrr.is_active
