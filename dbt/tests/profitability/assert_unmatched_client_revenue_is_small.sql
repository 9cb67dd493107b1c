{{ config(severity='error', warn_if='>=1', error_if='>=2') }}
-- Revenue the crosswalk cannot tie to a HubSpot company, over the last 12 months: one row (WARN)
-- from 2% of revenue, a second row (ERROR) from 10%. Unmatched clients have no lead source, so
-- beyond that the lead-source and lifetime-value marts stop being trustworthy.
with last_12_months as (
    select sum(revenue_unmatched_to_crm) / nullif(sum(revenue), 0) as unmatched_share
    from {{ ref('fct_pnl_monthly') }}
    where month_start > cast(date_trunc('month', {{ as_of_date() }}) as date) - interval 12 month
)

select threshold, unmatched_share
from last_12_months, (values (0.02), (0.10)) as thresholds(threshold)
where unmatched_share >= threshold
