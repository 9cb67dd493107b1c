{#-
    The owner's monthly sales scorecard. Grain: org-local month of the close date x breakdown, where
    breakdown is 'all' (breakdown_value 'all'), 'owner' (the owner id) or 'lead_source'; every
    month from the first close to the month of as_of_date appears for every breakdown value.

    close_rate = won / (won + lost), by count; win_rate_amount = won value / (won + lost value),
    values being first-year values; avg_sale = won value / won; median_days_to_close over the
    month's won deals; upsell_win_rate = won upsells / closed upsells (the upsell take rate).
    Both dealtypes count everywhere (as in the sandbox's close_rate definition).

    upsell_penetration (breakdown 'all' only) = active clients with a won upsell closed in the
    trailing 12 months / active clients, both at the month's end (as_of_date in the current month).
    Active means billing MRR in the month (fct_client_mrr_monthly); the upsell is matched to the
    client through the crosswalk's HubSpot company, so unmatched clients count as without one.
-#}
with closed as (
    select
        cast(date_trunc('month', closed_date) as date) as month_start,
        owner_id,
        lead_source,
        company_id,
        closed_date,
        is_won,
        is_upsell,
        first_year_value_home,
        mrr_amount_home,
        days_to_close
    from {{ ref('fct_deals') }}
    where is_closed
        and closed_date <= {{ as_of_date() }}
),

closed_upsells as (
    select company_id, closed_date
    from closed
    where is_won and is_upsell and company_id is not null
),

grouped as (
    select
        month_start,
        case
            when grouping(owner_id) = 0 then 'owner'
            when grouping(lead_source) = 0 then 'lead_source'
            else 'all'
        end as breakdown,
        case
            when grouping(owner_id) = 0 then coalesce(cast(owner_id as varchar), 'unassigned')
            when grouping(lead_source) = 0 then lead_source
            else 'all'
        end as breakdown_value,
        count_if(is_won) as deals_won,
        count_if(not is_won) as deals_lost,
        sum(first_year_value_home) filter (where is_won) as won_amount,
        sum(first_year_value_home) filter (where not is_won) as lost_amount,
        sum(mrr_amount_home) filter (where is_won) as won_mrr,
        median(days_to_close) filter (where is_won) as median_days_to_close,
        count_if(is_upsell and is_won) as upsell_deals_won,
        count_if(is_upsell) as upsell_deals_closed
    from closed
    group by grouping sets ((month_start), (month_start, owner_id), (month_start, lead_source))
),

active_clients as (
    select
        month_start,
        client_id,
        hubspot_company_id,
        least(last_day(month_start), {{ as_of_date() }}) as measured_on
    from {{ ref('fct_client_mrr_monthly') }}
    where is_active
        and month_start <= {{ as_of_date() }}
),

penetration as (
    select
        active_clients.month_start,
        count(distinct active_clients.client_id) as active_clients,
        count(distinct active_clients.client_id) filter (
            where closed_upsells.company_id is not null
        ) as upsell_clients_trailing_12m
    from active_clients
    left join closed_upsells
        on active_clients.hubspot_company_id = closed_upsells.company_id
        and closed_upsells.closed_date <= active_clients.measured_on
        and closed_upsells.closed_date > active_clients.measured_on - interval 12 month
    group by active_clients.month_start
),

breakdowns as (
    select distinct breakdown, breakdown_value from grouped
),

months as (
    select cast(month_start as date) as month_start
    from generate_series(
            (select min(month_start) from closed),
            cast(date_trunc('month', {{ as_of_date() }}) as date),
            interval 1 month
        ) as spine (month_start)
),

filled as (
    select
        months.month_start,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        cast(coalesce(grouped.deals_won, 0) as bigint) as deals_won,
        cast(coalesce(grouped.deals_lost, 0) as bigint) as deals_lost,
        coalesce(grouped.won_amount, 0) as won_amount,
        coalesce(grouped.lost_amount, 0) as lost_amount,
        coalesce(grouped.won_mrr, 0) as won_mrr,
        grouped.median_days_to_close,
        cast(coalesce(grouped.upsell_deals_won, 0) as bigint) as upsell_deals_won,
        cast(coalesce(grouped.upsell_deals_closed, 0) as bigint) as upsell_deals_closed,
        case when breakdowns.breakdown = 'all' then coalesce(penetration.active_clients, 0) end
            as active_clients,
        case when breakdowns.breakdown = 'all' then coalesce(penetration.upsell_clients_trailing_12m, 0) end
            as upsell_clients_trailing_12m
    from months
    cross join breakdowns
    left join grouped
        on months.month_start = grouped.month_start
        and breakdowns.breakdown = grouped.breakdown
        and breakdowns.breakdown_value = grouped.breakdown_value
    left join penetration
        on months.month_start = penetration.month_start
)

select
    month_start,
    breakdown,
    breakdown_value,
    deals_won,
    deals_lost,
    case when deals_won + deals_lost > 0 then deals_won / (deals_won + deals_lost) end as close_rate,
    cast(won_amount as decimal(18, 2)) as won_amount,
    cast(lost_amount as decimal(18, 2)) as lost_amount,
    case
        when won_amount + lost_amount > 0 then cast(won_amount / (won_amount + lost_amount) as double)
    end as win_rate_amount,
    cast(case when deals_won > 0 then won_amount / deals_won end as decimal(18, 2)) as avg_sale,
    cast(won_mrr as decimal(18, 2)) as won_mrr,
    median_days_to_close,
    upsell_deals_won,
    upsell_deals_closed,
    case when upsell_deals_closed > 0 then upsell_deals_won / upsell_deals_closed end as upsell_win_rate,
    cast(active_clients as bigint) as active_clients,
    cast(upsell_clients_trailing_12m as bigint) as upsell_clients_trailing_12m,
    case when active_clients > 0 then upsell_clients_trailing_12m / active_clients end as upsell_penetration
from filled
