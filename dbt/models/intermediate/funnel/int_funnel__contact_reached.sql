{#-
    Monotone funnel reach of every lead. Grain: one row per lead contact and funnel stage it reached
    (lead, qualified, appointment, proposal, won) by the end of as_of_date.

    A stage's raw time is the earliest signal of it: the contact's lifecycle dates and the stage
    visits of the newbusiness deals it is associated with, both mapped through stg_config__funnel_stage_map
    seed. Reach is then made monotone: reached_at of stage k is the earliest raw time of stage k or
    any later stage, so a skipped stage counts as passed (when the later one was reached) and a deal
    that regresses and re-enters a stage is counted once, at its first entry.

    Leads are contacts live at the end of as_of_date with a lead date; the cohort is the org-local month of that date.
-#}
with leads as (
    select
        contact_id,
        owner_id,
        coalesce(lead_source, 'unknown') as lead_source,
        became_lead_at as lead_at,
        became_lead_at,
        became_marketing_qualified_at,
        became_sales_qualified_at,
        became_opportunity_at,
        became_customer_at
    from {{ ref('int_crm__contacts') }}
    where {{ live_as_of() }}
        and became_lead_at < {{ as_of_end_utc() }}
),

stage_map as (
    select stage_id, funnel_stage, funnel_stage_order
    from {{ ref('stg_config__funnel_stage_map') }}
    where source_object = 'contact'
),

funnel_stages as (
    select distinct funnel_stage, funnel_stage_order
    from {{ ref('stg_config__funnel_stage_map') }}
    where funnel_stage_order is not null
),

lifecycle_signals as (
    select leads.contact_id, stage_map.funnel_stage, lifecycle.entered_at
    from leads
    cross join
        unnest([
            {'stage_id': 'lead', 'entered_at': leads.became_lead_at},
            {'stage_id': 'marketingqualifiedlead', 'entered_at': leads.became_marketing_qualified_at},
            {'stage_id': 'salesqualifiedlead', 'entered_at': leads.became_sales_qualified_at},
            {'stage_id': 'opportunity', 'entered_at': leads.became_opportunity_at},
            {'stage_id': 'customer', 'entered_at': leads.became_customer_at}
        ]) as signal (lifecycle)
    inner join stage_map
        on lifecycle.stage_id = stage_map.stage_id
    where lifecycle.entered_at < {{ as_of_end_utc() }}
),

deal_signals as (
    select deal_contacts.contact_id, visits.funnel_stage, visits.entered_at
    from {{ ref('int_crm__deal_contacts') }} as deal_contacts
    inner join {{ ref('int_crm__deals') }} as deals
        on deal_contacts.deal_id = deals.deal_id
    inner join {{ ref('int_crm__deal_stage_events') }} as visits
        on deal_contacts.deal_id = visits.deal_id
    where deals.deal_type = 'newbusiness'
        and visits.funnel_stage_order is not null
),

first_signals as (
    select contact_id, funnel_stage, min(entered_at) as first_signal_at
    from (
        select * from lifecycle_signals
        union all
        select * from deal_signals
    ) as signals
    group by all
),

monotone as (
    select
        leads.contact_id,
        leads.owner_id,
        leads.lead_source,
        leads.lead_at,
        funnel_stages.funnel_stage,
        funnel_stages.funnel_stage_order,
        min(first_signals.first_signal_at) over (
            partition by leads.contact_id
            order by funnel_stages.funnel_stage_order desc
            rows between unbounded preceding and current row
        ) as reached_at
    from leads
    cross join funnel_stages
    left join first_signals
        on leads.contact_id = first_signals.contact_id
        and funnel_stages.funnel_stage = first_signals.funnel_stage
)

select
    contact_id,
    funnel_stage,
    funnel_stage_order,
    reached_at,
    {{ org_date('reached_at') }} as reached_date,
    lead_at,
    cast(date_trunc('month', {{ org_date('lead_at') }}) as date) as cohort_month,
    lead_source,
    owner_id
from monotone
where reached_at is not null
