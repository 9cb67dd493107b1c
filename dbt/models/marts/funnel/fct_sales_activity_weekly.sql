{#-
    What each rep did and achieved each week. Grain: owner x week (weeks start on Monday, org-local
    dates), for every week from the owner's first activity or funnel event to the week of
    as_of_date (a departed, archived owner: to their last week), quiet weeks included as zeros.
    The current week runs only to as_of_date.

    prospecting_attempts = outbound calls + emails sent; connects = outbound calls with a connect
    disposition; connect_rate = connects / outbound calls. first_appointments, proposals,
    deals_won and won_amount (bookings, first-year value) come from fct_funnel_events.
-#}
with activities as (
    select
        owner_id,
        cast(date_trunc('week', activity_date) as date) as week_start,
        count_if(is_prospecting_attempt) as prospecting_attempts,
        count_if(activity_type = 'call' and is_prospecting_attempt) as outbound_calls,
        count_if(is_connect) as connects,
        count_if(activity_type = 'meeting') as meetings,
        count_if(activity_type = 'task') as tasks
    from {{ ref('fct_sales_activities') }}
    where owner_id is not null
    group by all
),

events as (
    select
        owner_id,
        cast(date_trunc('week', event_date) as date) as week_start,
        count_if(event_type = 'first_appointment') as first_appointments,
        count_if(event_type = 'proposal') as proposals,
        count_if(event_type = 'deal_won') as deals_won,
        coalesce(sum(amount_home) filter (where event_type = 'deal_won'), 0) as won_amount
    from {{ ref('fct_funnel_events') }}
    where owner_id is not null
        and event_type in ('first_appointment', 'proposal', 'deal_won')
    group by all
),

-- an active owner's weeks run to the as-of week, a departed (archived) owner's to their last one
owner_spans as (
    select
        owner_weeks_seen.owner_id,
        min(owner_weeks_seen.week_start) as first_week,
        case
            when bool_or(owners.is_active) then cast(date_trunc('week', {{ as_of_date() }}) as date)
            else max(owner_weeks_seen.week_start)
        end as last_week
    from (
        select owner_id, week_start from activities
        union all
        select owner_id, week_start from events
    ) as owner_weeks_seen
    left join {{ ref('dim_owner') }} as owners
        on owner_weeks_seen.owner_id = owners.owner_id
    group by owner_weeks_seen.owner_id
),

owner_weeks as (
    select owner_spans.owner_id, cast(spine.week_start as date) as week_start
    from owner_spans,
        generate_series(owner_spans.first_week, owner_spans.last_week, interval 1 week) as spine (week_start)
)

select
    owner_weeks.owner_id,
    owner_weeks.week_start,
    cast(coalesce(activities.prospecting_attempts, 0) as bigint) as prospecting_attempts,
    cast(coalesce(activities.outbound_calls, 0) as bigint) as outbound_calls,
    cast(coalesce(activities.connects, 0) as bigint) as connects,
    case
        when activities.outbound_calls > 0 then activities.connects / activities.outbound_calls
    end as connect_rate,
    cast(coalesce(activities.meetings, 0) as bigint) as meetings,
    cast(coalesce(activities.tasks, 0) as bigint) as tasks,
    cast(coalesce(events.first_appointments, 0) as bigint) as first_appointments,
    cast(coalesce(events.proposals, 0) as bigint) as proposals,
    cast(coalesce(events.deals_won, 0) as bigint) as deals_won,
    cast(coalesce(events.won_amount, 0) as decimal(18, 2)) as won_amount
from owner_weeks
left join activities
    on owner_weeks.owner_id = activities.owner_id
    and owner_weeks.week_start = activities.week_start
left join events
    on owner_weeks.owner_id = events.owner_id
    and owner_weeks.week_start = events.week_start
