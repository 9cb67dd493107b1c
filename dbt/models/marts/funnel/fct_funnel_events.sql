{#-
    The funnel as dated events, the input of the metric registry (int_metrics__daily). Grain: one
    row per event: a contact becoming a lead or reaching qualified (monotone reach, so once per
    contact), a completed first appointment, a deal first reaching the proposal stage (or passing
    it: won without a proposal visit still counts, a regression back into it does not count
    again), and a deal closing won or lost. Dates are org-local, up to as_of_date.

    amount_home is the bookings value (first-year value) of a won deal and null otherwise;
    mrr_amount_home is the won deal's monthly recurring value. Appointments carry no contact, deal
    or lead source: meeting associations are not landed (see the model's YAML).
-#}
with reached as (
    select * from {{ ref('int_funnel__contact_reached') }}
),

deals as (
    select * from {{ ref('fct_deals') }}
),

contact_events as (
    select
        case funnel_stage when 'lead' then 'lead' else 'qualified_lead' end as event_type,
        reached_date as event_date,
        cast(contact_id as varchar) as entity_id,
        contact_id,
        cast(null as bigint) as deal_id,
        owner_id,
        lead_source,
        cast(null as decimal(18, 2)) as amount_home,
        cast(null as decimal(18, 2)) as mrr_amount_home
    from reached
    where funnel_stage in ('lead', 'qualified')
),

appointment_events as (
    select
        'first_appointment' as event_type,
        activity_date as event_date,
        activity_id as entity_id,
        cast(null as bigint) as contact_id,
        cast(null as bigint) as deal_id,
        owner_id,
        cast(null as varchar) as lead_source,
        cast(null as decimal(18, 2)) as amount_home,
        cast(null as decimal(18, 2)) as mrr_amount_home
    from {{ ref('fct_sales_activities') }}
    where is_first_appointment
),

deal_proposals as (
    select deal_id, min(entered_at) as proposal_at
    from {{ ref('int_crm__deal_stage_events') }}
    where funnel_stage in ('proposal', 'won')
    group by deal_id
),

proposal_events as (
    select
        'proposal' as event_type,
        {{ org_date('deal_proposals.proposal_at') }} as event_date,
        cast(deals.deal_id as varchar) as entity_id,
        cast(null as bigint) as contact_id,
        deals.deal_id,
        deals.owner_id,
        deals.lead_source,
        cast(null as decimal(18, 2)) as amount_home,
        cast(null as decimal(18, 2)) as mrr_amount_home
    from deal_proposals
    inner join deals
        on deal_proposals.deal_id = deals.deal_id
),

close_events as (
    select
        case when is_won then 'deal_won' else 'deal_lost' end as event_type,
        closed_date as event_date,
        cast(deal_id as varchar) as entity_id,
        cast(null as bigint) as contact_id,
        deal_id,
        owner_id,
        lead_source,
        case when is_won then first_year_value_home end as amount_home,
        case when is_won then mrr_amount_home end as mrr_amount_home
    from deals
    where is_closed
),

events as (
    select * from contact_events
    union all
    select * from appointment_events
    union all
    select * from proposal_events
    union all
    select * from close_events
)

select
    event_type || '-' || entity_id as event_id,
    event_date,
    event_type,
    contact_id,
    deal_id,
    owner_id,
    lead_source,
    amount_home,
    mrr_amount_home
from events
where event_date <= {{ as_of_date() }}
