{#-
    The weekly pipeline report: how many came in at each funnel step each week, how the week
    converted, and how that compares with the eight weeks before. Grain: week (Monday start,
    org-local) x breakdown x breakdown_value, where breakdown is 'all' (value 'all') or 'owner'
    (the owner id, 'unassigned' when empty); every week from the first funnel event to the week of
    as_of_date for every value. The as-of week runs only to as_of_date (is_partial_week).

    Rates are the week's flow, not a cohort's: qualified_rate = qualified leads / leads,
    appointment_rate = first appointments / qualified leads, proposal_rate = proposals / first
    appointments (each step's arrivals in the week over the previous step's), close_rate = won /
    (won + lost) of the deals closed in the week; avg_sale = won first-year value / won;
    median_days_to_close over the week's won deals. A rate is null when its denominator is zero;
    the step counts stay so a reader sees the sample ("1 of 1" is not 100 %).

    trailing_* are the same ratios over the eight weeks before the row's week (sums of numerators
    over sums of denominators: a quiet week weighs less than a busy one), null before any history.
-#}
{%- set trailing_weeks = 8 -%}
{%- set trailing_columns = [
    'leads', 'qualified_leads', 'first_appointments', 'proposals', 'deals_won', 'deals_lost'
] -%}
with events as (
    select
        cast(date_trunc('week', event_date) as date) as week_start,
        owner_id,
        event_type,
        cast(null as decimal(18, 2)) as won_amount,
        cast(null as bigint) as days_to_close
    from {{ ref('fct_funnel_events') }}
    where event_type in ('lead', 'qualified_lead', 'first_appointment', 'proposal')
        and event_date <= {{ as_of_date() }}
    union all
    select
        cast(date_trunc('week', closed_date) as date) as week_start,
        owner_id,
        case when is_won then 'deal_won' else 'deal_lost' end as event_type,
        first_year_value_home as won_amount,
        days_to_close
    from {{ ref('fct_deals') }}
    where is_closed
        and closed_date <= {{ as_of_date() }}
),

grouped as (
    select
        week_start,
        case when grouping(owner_id) = 0 then 'owner' else 'all' end as breakdown,
        case
            when grouping(owner_id) = 0 then coalesce(cast(owner_id as varchar), 'unassigned')
            else 'all'
        end as breakdown_value,
        count_if(event_type = 'lead') as leads,
        count_if(event_type = 'qualified_lead') as qualified_leads,
        count_if(event_type = 'first_appointment') as first_appointments,
        count_if(event_type = 'proposal') as proposals,
        count_if(event_type = 'deal_won') as deals_won,
        count_if(event_type = 'deal_lost') as deals_lost,
        sum(won_amount) filter (where event_type = 'deal_won') as won_amount,
        median(days_to_close) filter (where event_type = 'deal_won') as median_days_to_close
    from events
    group by grouping sets ((week_start), (week_start, owner_id))
),

breakdowns as (
    select distinct breakdown, breakdown_value from grouped
),

weeks as (
    select cast(week_start as date) as week_start
    from generate_series(
            (select min(week_start) from events),
            cast(date_trunc('week', {{ as_of_date() }}) as date),
            interval 1 week
        ) as spine (week_start)
),

filled as (
    select
        weeks.week_start,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        cast(coalesce(grouped.leads, 0) as bigint) as leads,
        cast(coalesce(grouped.qualified_leads, 0) as bigint) as qualified_leads,
        cast(coalesce(grouped.first_appointments, 0) as bigint) as first_appointments,
        cast(coalesce(grouped.proposals, 0) as bigint) as proposals,
        cast(coalesce(grouped.deals_won, 0) as bigint) as deals_won,
        cast(coalesce(grouped.deals_lost, 0) as bigint) as deals_lost,
        cast(coalesce(grouped.won_amount, 0) as decimal(18, 2)) as won_amount,
        grouped.median_days_to_close
    from weeks
    cross join breakdowns
    left join grouped
        on weeks.week_start = grouped.week_start
        and breakdowns.breakdown = grouped.breakdown
        and breakdowns.breakdown_value = grouped.breakdown_value
),

windowed as (
    select
        filled.*,
        {%- for column in trailing_columns %}
        sum({{ column }}) over (
            partition by breakdown, breakdown_value order by week_start
            rows between {{ trailing_weeks }} preceding and 1 preceding
        ) as trailing_{{ column }},
        {%- endfor %}
        count(*) over (
            partition by breakdown, breakdown_value order by week_start
            rows between {{ trailing_weeks }} preceding and 1 preceding
        ) as trailing_weeks
    from filled
)

select
    week_start,
    breakdown,
    breakdown_value,
    week_start + interval 6 day > {{ as_of_date() }} as is_partial_week,
    leads,
    qualified_leads,
    first_appointments,
    proposals,
    deals_won,
    deals_lost,
    case when leads > 0 then qualified_leads / leads end as qualified_rate,
    case when qualified_leads > 0 then first_appointments / qualified_leads end as appointment_rate,
    case when first_appointments > 0 then proposals / first_appointments end as proposal_rate,
    case when deals_won + deals_lost > 0 then deals_won / (deals_won + deals_lost) end as close_rate,
    won_amount,
    cast(case when deals_won > 0 then won_amount / deals_won end as decimal(18, 2)) as avg_sale,
    median_days_to_close,
    cast(trailing_weeks as bigint) as trailing_weeks,
    case when trailing_leads > 0 then trailing_qualified_leads / trailing_leads end
        as trailing_qualified_rate,
    case
        when trailing_qualified_leads > 0 then trailing_first_appointments / trailing_qualified_leads
    end as trailing_appointment_rate,
    case when trailing_first_appointments > 0 then trailing_proposals / trailing_first_appointments end
        as trailing_proposal_rate,
    case
        when trailing_deals_won + trailing_deals_lost > 0
            then trailing_deals_won / (trailing_deals_won + trailing_deals_lost)
    end as trailing_close_rate
from windowed
