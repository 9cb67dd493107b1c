{#-
    How many deals each forecast origin expects to be created per day over its horizon, led by new
    leads. Grain: origin (int_forecast__origins). Only what was known by the origin's end counts.
      deals_per_lead_rate = deals created / leads, both over the 365 days up to the origin
      deals_per_day       = leads of the 56 days up to the origin / 56 x deals_per_lead_rate
    New leads turn into deals (a first appointment) a few weeks later, so the leads of the last 56
    days lead the deals of the next weeks, and there are several times more leads than deals: a
    steadier rate than the deals created in the last 56 days alone, which is the fallback when no
    lead was recorded in the year (deals_created_56d / 56).
    Formulas: docs/forecast.md.
-#}
with origins as (
    select * from {{ ref('int_forecast__origins') }}
),

deal_counts as (
    select
        origins.origin_date,
        count(deals.deal_id) filter (where deals.created_date > origins.origin_date - 56)
            as deals_created_56d,
        count(deals.deal_id) as deals_created_365d
    from origins
    left join {{ ref('fct_deals') }} as deals
        on deals.created_at < origins.origin_end_utc
        and deals.created_date > origins.origin_date - 365
    group by origins.origin_date
),

lead_counts as (
    select
        origins.origin_date,
        coalesce(sum(leads.value) filter (where leads.date_day > origins.origin_date - 56), 0) as leads_56d,
        coalesce(sum(leads.value), 0) as leads_365d
    from origins
    left join {{ ref('int_metrics__daily') }} as leads
        on leads.metric_name = 'leads'
        and leads.date_day <= origins.origin_date
        and leads.date_day > origins.origin_date - 365
    group by origins.origin_date
)

select
    deal_counts.origin_date,
    deal_counts.deals_created_56d,
    deal_counts.deals_created_365d,
    cast(lead_counts.leads_56d as bigint) as leads_56d,
    cast(lead_counts.leads_365d as bigint) as leads_365d,
    cast(deal_counts.deals_created_365d as double) / nullif(lead_counts.leads_365d, 0) as deals_per_lead_rate,
    case when lead_counts.leads_365d > 0
            then cast(lead_counts.leads_56d as double) / 56 * deal_counts.deals_created_365d
                / lead_counts.leads_365d
        else cast(deal_counts.deals_created_56d as double) / 56
    end as deals_per_day
from deal_counts
inner join lead_counts
    on deal_counts.origin_date = lead_counts.origin_date
