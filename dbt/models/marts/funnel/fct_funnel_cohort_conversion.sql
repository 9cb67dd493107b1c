{#-
    Stage-to-stage conversion of lead cohorts. Grain: cohort month (org-local month of the lead
    date) x funnel stage x lead source x owner (the contact's), for every group with leads; all
    five stages appear, with zero counts where nobody got that far.

    entered_count: leads of the cohort that reached the stage by the end of as_of_date (monotone
    reach, int_funnel__contact_reached). advanced_count: those of them that reached the next stage
    within var('funnel_conversion_horizon_days') (180 days) of their lead date. Anchoring the
    window on the lead date (not on entering the stage) makes maturity exact: is_matured is true
    once every lead of the cohort has had the whole window, i.e. cohort month end + horizon <=
    as_of_date. Rates of immature cohorts are still shown, but understate the final conversion.
-#}
{%- set horizon_days = var('funnel_conversion_horizon_days') | int -%}

with reached as (
    select * from {{ ref('int_funnel__contact_reached') }}
),

stages as (
    select
        funnel_stage,
        funnel_stage_order,
        lead(funnel_stage) over (order by funnel_stage_order) as next_funnel_stage
    from (
        select distinct funnel_stage, funnel_stage_order
        from {{ ref('stg_config__funnel_stage_map') }}
        where funnel_stage_order is not null
    )
),

leads as (
    select contact_id, lead_at, cohort_month, lead_source, owner_id
    from reached
    where funnel_stage = 'lead'
),

contact_stages as (
    select
        leads.cohort_month,
        leads.lead_source,
        leads.owner_id,
        stages.funnel_stage,
        here.reached_at is not null as has_entered,
        next.reached_at < leads.lead_at + interval ({{ horizon_days }}) day as has_advanced
    from leads
    cross join stages
    left join reached as here
        on leads.contact_id = here.contact_id
        and stages.funnel_stage = here.funnel_stage
    left join reached as next
        on leads.contact_id = next.contact_id
        and stages.next_funnel_stage = next.funnel_stage
),

counts as (
    select
        cohort_month,
        lead_source,
        owner_id,
        funnel_stage,
        count_if(has_entered) as entered_count,
        count_if(has_entered and coalesce(has_advanced, false)) as advanced_count
    from contact_stages
    group by all
)

select
    counts.cohort_month,
    counts.funnel_stage,
    stages.funnel_stage_order,
    stages.next_funnel_stage,
    counts.lead_source,
    counts.owner_id,
    cast(counts.entered_count as bigint) as entered_count,
    cast(case when stages.next_funnel_stage is not null then counts.advanced_count end as bigint)
        as advanced_count,
    case
        when stages.next_funnel_stage is not null and counts.entered_count > 0
            then counts.advanced_count / counts.entered_count
    end as conversion_rate,
    {{ cohort_is_matured('counts.cohort_month') }} as is_matured
from counts
inner join stages
    on counts.funnel_stage = stages.funnel_stage
