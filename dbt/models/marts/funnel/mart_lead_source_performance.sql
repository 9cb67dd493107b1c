{#-
    Which lead sources pay off. Grain: lead source x org-local month, every source every month
    from the first month with any activity to the month of as_of_date.

    Flow columns count the month's funnel events (won deals by the deal's lead source). Cohort
    columns follow the month's leads to the end of as_of_date. Money columns come from the ledger
    (fct_ledger_lines): marketing_spend is the overhead posted to the source's accounts
    (lead_source_marketing_accounts seed), client_revenue the revenue of clients the source
    brought (their acquisition lead source, through the client crosswalk). cost_per_lead and
    cost_per_new_client divide the month's spend by the month's leads and new-business wins.
-#}
with events as (
    select
        events.lead_source,
        cast(date_trunc('month', events.event_date) as date) as month_start,
        count_if(events.event_type = 'lead') as leads,
        count_if(events.event_type = 'qualified_lead') as qualified_leads,
        count_if(events.event_type = 'proposal') as proposals,
        count_if(events.event_type = 'deal_won') as deals_won,
        count_if(events.event_type = 'deal_won' and deals.deal_type = 'newbusiness') as new_clients_won,
        count_if(events.event_type = 'deal_lost') as deals_lost,
        sum(events.amount_home) filter (where events.event_type = 'deal_won') as won_amount,
        sum(events.mrr_amount_home) filter (where events.event_type = 'deal_won') as won_mrr
    from {{ ref('fct_funnel_events') }} as events
    left join {{ ref('fct_deals') }} as deals
        on events.deal_id = deals.deal_id
    where events.lead_source is not null
    group by all
),

cohorts as (
    select
        lead_source,
        cohort_month as month_start,
        count_if(funnel_stage = 'won') as cohort_won_count
    from {{ ref('int_funnel__contact_reached') }}
    group by all
),

ledger as (
    select
        coalesce(accounts.lead_source, ledger.lead_source, 'unknown') as lead_source,
        ledger.month_start,
        sum(ledger.amount_home) filter (where accounts.lead_source is not null) as marketing_spend,
        sum(ledger.amount_home) filter (where ledger.account_category = 'revenue') as client_revenue
    from {{ ref('fct_ledger_lines') }} as ledger
    left join {{ ref('lead_source_marketing_accounts') }} as accounts
        on ledger.account_code = accounts.account_code
    where accounts.lead_source is not null
        or ledger.account_category = 'revenue'
    group by all
),

sources as (
    select lead_source from events
    union
    select lead_source from ledger
),

months as (
    select cast(month_start as date) as month_start
    from generate_series(
            (select least(min(events.month_start), min(ledger.month_start)) from events, ledger),
            cast(date_trunc('month', {{ as_of_date() }}) as date),
            interval 1 month
        ) as spine (month_start)
),

joined as (
    select
        sources.lead_source,
        months.month_start,
        coalesce(events.leads, 0) as leads,
        coalesce(events.qualified_leads, 0) as qualified_leads,
        coalesce(events.proposals, 0) as proposals,
        coalesce(events.deals_won, 0) as deals_won,
        coalesce(events.new_clients_won, 0) as new_clients_won,
        coalesce(events.deals_lost, 0) as deals_lost,
        coalesce(events.won_amount, 0) as won_amount,
        coalesce(events.won_mrr, 0) as won_mrr,
        coalesce(cohorts.cohort_won_count, 0) as cohort_won_count,
        coalesce(ledger.marketing_spend, 0) as marketing_spend,
        coalesce(ledger.client_revenue, 0) as client_revenue
    from sources
    cross join months
    left join events
        on sources.lead_source = events.lead_source
        and months.month_start = events.month_start
    left join cohorts
        on sources.lead_source = cohorts.lead_source
        and months.month_start = cohorts.month_start
    left join ledger
        on sources.lead_source = ledger.lead_source
        and months.month_start = ledger.month_start
)

select
    lead_source,
    month_start,
    cast(leads as bigint) as leads,
    cast(qualified_leads as bigint) as qualified_leads,
    cast(proposals as bigint) as proposals,
    cast(deals_won as bigint) as deals_won,
    cast(new_clients_won as bigint) as new_clients_won,
    cast(deals_lost as bigint) as deals_lost,
    case when deals_won + deals_lost > 0 then deals_won / (deals_won + deals_lost) end as close_rate,
    cast(won_amount as decimal(18, 2)) as won_amount,
    cast(won_mrr as decimal(18, 2)) as won_mrr,
    cast(cohort_won_count as bigint) as cohort_won_count,
    case when leads > 0 then cohort_won_count / leads end as cohort_lead_to_won_rate,
    {{ cohort_is_matured('month_start') }} as is_cohort_matured,
    cast(marketing_spend as decimal(18, 2)) as marketing_spend,
    cast(case when leads > 0 then marketing_spend / leads end as decimal(18, 2)) as cost_per_lead,
    cast(case when new_clients_won > 0 then marketing_spend / new_clients_won end as decimal(18, 2))
        as cost_per_new_client,
    cast(client_revenue as decimal(18, 2)) as client_revenue
from joined
