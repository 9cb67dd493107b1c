{#-
    Every live deal as of the end of as_of_date. Grain: one row per deal (deals archived by then and
    deals created after the as-of day are left out). The stage, won and lost flags come from the stage
    history as of that day, so a rebuild for a past day shows deals as they stood then.

    Values: first_year_value = project + 12 x monthly recurring (the bookings figure); when a
    portal lacks the mrr/project properties it falls back to the deal amount.

    Home-currency columns: a deal in another currency is converted at the rate in effect at its
    close (closed_at; for an open deal its expected close date, else its creation), each value
    rounded to cents. The rate comes from int_fx__rate_periods, where HubSpot's own exchange rates
    win over Xero's (used only for a currency HubSpot has no rate for); fx_rate_source says which
    converted each deal. Only a currency in neither source leaves the home amounts null, which the
    deals_have_an_exchange_rate test reports.
-#}
with deals as (
    select *
    from {{ ref('int_crm__deals') }}
    where {{ live_as_of() }}
        and created_at < {{ as_of_end_utc() }}
),

current_visit as (
    select deal_id, deal_stage_id, funnel_stage, entered_at
    from {{ ref('int_crm__deal_stage_events') }}
    where exited_at is null
),

primary_company as (
    select deal_id, min(company_id) as company_id
    from {{ ref('int_crm__deal_companies') }}
    group by deal_id
),

first_contact_source as (
    select deal_contacts.deal_id, arg_min(contacts.lead_source, contacts.created_at) as lead_source
    from {{ ref('int_crm__deal_contacts') }} as deal_contacts
    inner join {{ ref('int_crm__contacts') }} as contacts
        on deal_contacts.contact_id = contacts.contact_id
    where contacts.lead_source is not null
    group by deal_contacts.deal_id
),

enriched as (
    select
        deals.deal_id,
        deals.deal_name,
        deals.owner_id,
        deals.pipeline_id,
        coalesce(current_visit.deal_stage_id, deals.deal_stage_id) as deal_stage_id,
        coalesce(current_visit.funnel_stage = 'won', deals.is_closed_won) as is_won,
        coalesce(current_visit.funnel_stage = 'lost', deals.is_closed and not deals.is_closed_won) as is_lost,
        deals.deal_type,
        coalesce(deals.lead_source, first_contact_source.lead_source, 'unknown') as lead_source,
        primary_company.company_id,
        deals.created_at,
        current_visit.entered_at as stage_entered_at,
        deals.close_at,
        deals.currency_code,
        deals.amount,
        deals.mrr_amount,
        deals.project_amount,
        coalesce(deals.currency_code, '{{ setting("home_currency") }}')
        = '{{ setting("home_currency") }}' as is_home_currency
    from deals
    left join current_visit
        on deals.deal_id = current_visit.deal_id
    left join primary_company
        on deals.deal_id = primary_company.deal_id
    left join first_contact_source
        on deals.deal_id = first_contact_source.deal_id
),

closed as (
    select
        *,
        is_won or is_lost as is_closed,
        case when is_won or is_lost then coalesce(close_at, stage_entered_at) end as closed_at,
        case
            when mrr_amount is null and project_amount is null then amount
            else coalesce(project_amount, 0) + 12 * coalesce(mrr_amount, 0)
        end as first_year_value
    from enriched
),

rate_dates as (
    select deal_id, currency_code, coalesce(closed_at, close_at, created_at) as rate_at
    from closed
    where not is_home_currency
),

deal_rates as (
    select rate_dates.deal_id, rates.rate_source, rates.home_per_unit, rates.units_per_home
    from rate_dates
    inner join {{ ref('int_fx__rate_periods') }} as rates
        on rate_dates.currency_code = rates.currency_code
        and (rate_dates.rate_at >= rates.effective_from or rates.is_first_period)
        and (rates.effective_to is null or rate_dates.rate_at < rates.effective_to)
),

won_by_company as (
    select company_id, min(closed_at) as first_won_at
    from closed
    where is_won and company_id is not null
    group by company_id
)

select
    closed.deal_id,
    closed.deal_name,
    closed.owner_id,
    closed.company_id,
    closed.pipeline_id,
    closed.deal_stage_id,
    closed.deal_type,
    closed.lead_source,
    closed.created_at,
    {{ org_date('closed.created_at') }} as created_date,
    closed.closed_at,
    {{ org_date('closed.closed_at') }} as closed_date,
    closed.is_closed,
    closed.is_won,
    closed.is_lost,
    closed.deal_type = 'existingbusiness'
    or coalesce(won_by_company.first_won_at < closed.created_at, false) as is_upsell,
    closed.currency_code,
    case when closed.is_home_currency then 'home' else deal_rates.rate_source end as fx_rate_source,
    closed.amount,
    {{ money(to_home_currency('closed.amount', 'closed.is_home_currency', 'deal_rates')) }} as amount_home,
    {{ money(to_home_currency('closed.mrr_amount', 'closed.is_home_currency', 'deal_rates')) }}
        as mrr_amount_home,
    {{ money(to_home_currency('closed.project_amount', 'closed.is_home_currency', 'deal_rates')) }}
        as project_amount_home,
    {{ money(to_home_currency('closed.first_year_value', 'closed.is_home_currency', 'deal_rates')) }}
        as first_year_value_home,
    case
        when closed.is_closed
            then date_diff('day', {{ org_date('closed.created_at') }}, {{ org_date('closed.closed_at') }})
    end as days_to_close
from closed
left join deal_rates
    on closed.deal_id = deal_rates.deal_id
left join won_by_company
    on closed.company_id = won_by_company.company_id
