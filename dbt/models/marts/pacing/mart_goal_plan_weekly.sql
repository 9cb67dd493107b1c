{#-
    The goal worked backwards: what is left of each outcome goal's current period (bookings, new
    MRR, deals won, revenue) turned into the wins, proposals, first appointments, qualified leads
    and leads it needs per week at the trailing conversion rates and average sale, beside what the
    team (or rep) actually produces per week, naming the stage that binds. Grain: goal target x plan
    scope as of as_of_date: one `team` row per goal target (the rep's own row for a per-owner goal)
    and, for a team goal, one `rep` row per active rep carrying an equal share of the team's gap.
    Formulas and a worked example: docs/plan.md.

    Trailing inputs (one set for the whole business, every row uses it):
    - conversion rates: sum(advanced) / sum(entered) per stage over the lead cohorts of the
      var('goal_plan_rate_window_months') (6) latest *matured* cohort months of
      fct_funnel_cohort_conversion (every lead had the full conversion horizon);
    - median days lead -> won: the leads of those cohorts that were won within the horizon;
    - average sale and median days to close: new-business deals won in the trailing
      var('goal_plan_sale_window_days') (182) days through as_of_date (fct_deals).
    Actual run-rates per stage come from fct_funnel_events: this ISO week so far (Monday to
    as_of_date) and the average of the 4 complete weeks before it.
-#}
{%- set rate_window_months = var('goal_plan_rate_window_months') | int -%}
{%- set sale_window_days = var('goal_plan_sale_window_days') | int -%}
{%- set horizon_days = var('funnel_conversion_horizon_days') | int -%}
{#- funnel event of each stage's run-rate -> the stage's column name -#}
{%- set stage_events = [
    ('lead', 'leads'), ('qualified_lead', 'qualified'), ('first_appointment', 'appointments'),
    ('proposal', 'proposals'), ('deal_won', 'wins')
] -%}

with goals as (
    select *
    from {{ ref('mart_goal_status') }}
    where metric_name in ('bookings', 'new_mrr', 'deals_won', 'revenue')
        and direction = 'increase'
        and not is_period_complete
),

cohorts as (
    select * from {{ ref('fct_funnel_cohort_conversion') }}
),

rate_window as (
    select
        cast(max(cohort_month) - interval ({{ rate_window_months - 1 }}) month as date)
            as first_cohort_month,
        max(cohort_month) as last_cohort_month
    from cohorts
    where is_matured
),

window_cohorts as (
    select cohorts.*
    from cohorts
    inner join rate_window
        on cohorts.cohort_month between rate_window.first_cohort_month and rate_window.last_cohort_month
),

rates as (
    select
        {%- for stage, rate_name in [
            ('lead', 'lead_to_qualified_rate'), ('qualified', 'qualified_to_appointment_rate'),
            ('appointment', 'appointment_to_proposal_rate'), ('proposal', 'proposal_to_won_rate')
        ] %}
        sum(advanced_count) filter (where funnel_stage = '{{ stage }}')
        / nullif(sum(entered_count) filter (where funnel_stage = '{{ stage }}'), 0) as {{ rate_name }},
        {%- endfor %}
        cast(sum(entered_count) filter (where funnel_stage = 'lead') as bigint) as rate_sample_leads
    from window_cohorts
),

lead_to_won as (
    select
        median({{ org_date('reached.reached_at') }} - {{ org_date('reached.lead_at') }})
            as median_days_lead_to_won
    from {{ ref('int_funnel__contact_reached') }} as reached
    inner join rate_window
        on reached.cohort_month between rate_window.first_cohort_month and rate_window.last_cohort_month
    where reached.funnel_stage = 'won'
        and reached.reached_at < reached.lead_at + interval ({{ horizon_days }}) day
),

sales as (
    select
        {{ exact_avg('first_year_value_home') }} as average_sale_bookings,
        {{ exact_avg('mrr_amount_home') }} as average_sale_new_mrr,
        median(days_to_close) as median_days_to_close,
        count(*) as sale_sample_deals
    from {{ ref('fct_deals') }}
    where is_won
        and not is_upsell
        and closed_date > {{ as_of_date() }} - {{ sale_window_days }}
        and closed_date <= {{ as_of_date() }}
),

this_week as (
    select cast(date_trunc('week', {{ as_of_date() }}) as date) as week_start
),

stage_events as (
    select
        {%- for event_type, stage in stage_events %}
        count_if(events.event_type = '{{ event_type }}' and events.event_date >= this_week.week_start)
            as {{ stage }}_this_week,
        count_if(events.event_type = '{{ event_type }}' and events.event_date < this_week.week_start) / 4.0
            as {{ stage }}_avg_4wk,
        {%- endfor %}
        events.owner_id
    from {{ ref('fct_funnel_events') }} as events
    cross join this_week
    where events.event_date >= this_week.week_start - 28
        and events.event_date <= {{ as_of_date() }}
    group by events.owner_id
),

-- reps a team goal is shared between: active people with a funnel event in the last 13 weeks
reps as (
    select owners.owner_id
    from {{ ref('dim_owner') }} as owners
    where owners.is_active
        and owners.owner_type = 'PERSON'
        and owners.owner_id in (
            select events.owner_id
            from {{ ref('fct_funnel_events') }} as events
            where events.event_date > {{ as_of_date() }} - 91
                and events.event_date <= {{ as_of_date() }}
        )
),

plan_scopes as (
    select
        goals.goal_target_id,
        case when goals.owner_id is null then 'team' else 'rep' end as plan_scope,
        goals.owner_id,
        1.0 as gap_share
    from goals
    union all
    select
        goals.goal_target_id,
        'rep' as plan_scope,
        reps.owner_id,
        1.0 / count(*) over (partition by goals.goal_target_id) as gap_share
    from goals
    cross join reps
    where goals.owner_id is null
),

actuals as (
    select
        {%- for event_type, stage in stage_events %}
        coalesce(sum(stage_events.{{ stage }}_this_week), 0) as actual_{{ stage }}_this_week,
        coalesce(sum(stage_events.{{ stage }}_avg_4wk), 0) as actual_{{ stage }}_avg_4wk,
        {%- endfor %}
        plan_scopes.goal_target_id,
        plan_scopes.owner_id
    from plan_scopes
    left join stage_events
        on plan_scopes.owner_id = stage_events.owner_id
        or plan_scopes.owner_id is null
    group by plan_scopes.goal_target_id, plan_scopes.owner_id
),

requirements as (
    select
        goals.goal_target_id,
        goals.goal_id,
        goals.goal_name,
        goals.metric_name,
        goals.metric_unit,
        goals.period_type,
        goals.period_start,
        goals.period_end,
        goals.as_of_date,
        goals.days_remaining,
        plan_scopes.plan_scope,
        plan_scopes.owner_id,
        plan_scopes.gap_share,
        goals.target,
        goals.actual_to_date,
        greatest(goals.target - goals.actual_to_date, 0) * plan_scopes.gap_share as remaining_amount,
        goals.days_remaining / 7.0 as weeks_left,
        case goals.metric_name
            when 'deals_won' then 1
            when 'new_mrr' then sales.average_sale_new_mrr
            else sales.average_sale_bookings
        end as average_sale,
        sales.median_days_to_close,
        sales.sale_sample_deals,
        lead_to_won.median_days_lead_to_won,
        rates.lead_to_qualified_rate,
        rates.qualified_to_appointment_rate,
        rates.appointment_to_proposal_rate,
        rates.proposal_to_won_rate,
        rates.rate_sample_leads
    from goals
    inner join plan_scopes
        on goals.goal_target_id = plan_scopes.goal_target_id
    cross join rates
    cross join sales
    cross join lead_to_won
),

required_totals as (
    select
        requirements.*,
        requirements.remaining_amount / nullif(requirements.average_sale, 0) as required_wins
    from requirements
),

funnel_totals as (
    select
        required_totals.*,
        required_wins / nullif(proposal_to_won_rate, 0) as required_proposals,
        required_wins / nullif(proposal_to_won_rate * appointment_to_proposal_rate, 0)
            as required_appointments,
        required_wins
        / nullif(proposal_to_won_rate * appointment_to_proposal_rate * qualified_to_appointment_rate, 0)
            as required_qualified,
        required_wins
        / nullif(
            proposal_to_won_rate * appointment_to_proposal_rate * qualified_to_appointment_rate
            * lead_to_qualified_rate,
            0
        ) as required_leads
    from required_totals
),

weekly as (
    select
        funnel_totals.*,
        {%- for stage in ['leads', 'qualified', 'appointments', 'proposals', 'wins'] %}
        funnel_totals.required_{{ stage }} / nullif(funnel_totals.weeks_left, 0)
            as required_{{ stage }}_per_week,
        {%- endfor %}
        actuals.actual_leads_this_week,
        actuals.actual_leads_avg_4wk,
        actuals.actual_qualified_this_week,
        actuals.actual_qualified_avg_4wk,
        actuals.actual_appointments_this_week,
        actuals.actual_appointments_avg_4wk,
        actuals.actual_proposals_this_week,
        actuals.actual_proposals_avg_4wk,
        actuals.actual_wins_this_week,
        actuals.actual_wins_avg_4wk
    from funnel_totals
    inner join actuals
        on funnel_totals.goal_target_id = actuals.goal_target_id
        and funnel_totals.owner_id is not distinct from actuals.owner_id
),

-- the binding stage: the largest required / trailing-4-week ratio; a stage needed but with no
-- recent activity at all binds first (the earliest such stage), and ties go to the earlier stage
stage_ratios as (
    {%- for stage in ['leads', 'qualified', 'appointments', 'proposals', 'wins'] %}
    select
        goal_target_id,
        owner_id,
        '{{ stage }}' as stage_name,
        {{ loop.index }} as stage_order,
        required_{{ stage }}_per_week / nullif(actual_{{ stage }}_avg_4wk, 0) as ratio
    from weekly
    where required_{{ stage }}_per_week > 0
    {{- "\n    union all" if not loop.last }}
    {%- endfor %}
),

binding as (
    select
        goal_target_id,
        owner_id,
        stage_name as binding_stage,
        ratio as binding_ratio
    from (
        select
            stage_ratios.*,
            row_number() over (
                partition by goal_target_id, owner_id
                order by ratio is null desc, ratio desc, stage_order asc
            ) as rank_in_goal
        from stage_ratios
    ) as ranked
    where rank_in_goal = 1
)

select
    weekly.goal_target_id || '|' || coalesce(cast(weekly.owner_id as varchar), 'team') as goal_plan_id,
    weekly.goal_target_id,
    weekly.goal_id,
    weekly.goal_name,
    weekly.metric_name,
    weekly.metric_unit,
    weekly.plan_scope,
    weekly.owner_id,
    weekly.period_type,
    weekly.period_start,
    weekly.period_end,
    weekly.as_of_date,
    weekly.target,
    weekly.actual_to_date,
    round(weekly.gap_share, 6) as gap_share,
    round(weekly.remaining_amount, 2) as remaining_amount,
    weekly.days_remaining,
    round(weekly.weeks_left, 4) as weeks_left,
    round(weekly.average_sale, 2) as average_sale,
    round(weekly.lead_to_qualified_rate, 4) as lead_to_qualified_rate,
    round(weekly.qualified_to_appointment_rate, 4) as qualified_to_appointment_rate,
    round(weekly.appointment_to_proposal_rate, 4) as appointment_to_proposal_rate,
    round(weekly.proposal_to_won_rate, 4) as proposal_to_won_rate,
    weekly.rate_sample_leads,
    weekly.sale_sample_deals,
    weekly.median_days_to_close,
    weekly.median_days_lead_to_won,
    coalesce(weekly.remaining_amount = 0 or weekly.median_days_lead_to_won <= weekly.days_remaining, false)
        as is_reachable_by_lead_flow,
    {%- for stage in ['leads', 'qualified', 'appointments', 'proposals', 'wins'] %}
    round(weekly.required_{{ stage }}, 2) as required_{{ stage }},
    round(weekly.required_{{ stage }}_per_week, 2) as required_{{ stage }}_per_week,
    cast(weekly.actual_{{ stage }}_this_week as bigint) as actual_{{ stage }}_this_week,
    round(weekly.actual_{{ stage }}_avg_4wk, 2) as actual_{{ stage }}_avg_4wk,
    {%- endfor %}
    binding.binding_stage,
    round(binding.binding_ratio, 4) as binding_ratio
from weekly
left join binding
    on weekly.goal_target_id = binding.goal_target_id
    and weekly.owner_id is not distinct from binding.owner_id
