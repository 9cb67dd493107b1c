{#-
    What each client has been worth and is likely still worth, with how we won it.

    Realised: lifetime revenue, direct costs, gross margin and (allocated) true profit to as_of.
    Predicted: for a client still billing MRR in the as_of month, the expected remaining gross
    margin = its average monthly gross margin over its active months of the last 12 months x the
    expected remaining lifetime, 1 / monthly logo churn rate (trailing 12 months, floored at var
    ltv_churn_floor_rate so a quiet year does not promise forever) capped at ltv_horizon_months.
    predicted_lifetime_gross_margin = realised + expected remaining. Churned and project-only
    clients are predicted at their realised value. Acquisition lead source comes from the HubSpot
    company the crosswalk links (null when unmatched).
-#}
with as_of as (
    select cast(date_trunc('month', {{ as_of_date() }}) as date) as as_of_month
),

lifetime as (
    select
        client_id,
        min(month_start) filter (where revenue <> 0) as first_revenue_month,
        max(month_start) filter (where revenue <> 0) as last_revenue_month,
        sum(revenue) as lifetime_revenue,
        sum(recurring_revenue) as lifetime_recurring_revenue,
        sum(direct_costs) as lifetime_direct_costs,
        sum(gross_margin) as lifetime_gross_margin,
        sum(allocated_overhead) as lifetime_allocated_overhead,
        sum(true_profit) as lifetime_true_profit,
        sum(gross_margin) filter (where month_start > as_of_month - interval 12 month) as gross_margin_12m
    from {{ ref('fct_client_profitability_monthly') }}, as_of
    where client_id is not null
    group by client_id
),

recurring as (
    select
        client_id,
        min(month_start) filter (where is_active) as first_mrr_month,
        count(*) filter (where is_active and month_start > as_of_month - interval 12 month)
            as active_months_12m,
        sum(mrr_home) filter (where month_start = as_of_month) as current_mrr
    from {{ ref('fct_client_mrr_monthly') }}, as_of
    group by client_id
),

churn as (
    select
        least(
            greatest(
                coalesce(sum(churned_clients) / nullif(sum(clients_at_start), 0), 0),
                {{ var('ltv_churn_floor_rate') }}
            ),
            1
        ) as monthly_logo_churn_rate
    from {{ ref('mart_mrr_movements_monthly') }}, as_of
    where month_start > as_of_month - interval 12 month
),

valued as (
    select
        clients.client_id,
        clients.client_name,
        clients.hubspot_company_id,
        clients.match_method,
        clients.lead_source as acquisition_lead_source,
        lifetime.first_revenue_month,
        lifetime.last_revenue_month,
        recurring.first_mrr_month,
        coalesce(recurring.current_mrr, 0) > 0 as is_active_recurring,
        coalesce(recurring.current_mrr, 0) as current_mrr,
        date_diff(
            'month', lifetime.first_revenue_month, coalesce(lifetime.last_revenue_month, as_of.as_of_month)
        )
        + 1
            as tenure_months,
        coalesce(lifetime.lifetime_revenue, 0) as lifetime_revenue,
        coalesce(lifetime.lifetime_recurring_revenue, 0) as lifetime_recurring_revenue,
        coalesce(lifetime.lifetime_direct_costs, 0) as lifetime_direct_costs,
        coalesce(lifetime.lifetime_gross_margin, 0) as lifetime_gross_margin,
        coalesce(lifetime.lifetime_allocated_overhead, 0) as lifetime_allocated_overhead,
        coalesce(lifetime.lifetime_true_profit, 0) as lifetime_true_profit,
        lifetime.gross_margin_12m / nullif(recurring.active_months_12m, 0) as avg_monthly_gross_margin_12m,
        churn.monthly_logo_churn_rate,
        case
            when coalesce(recurring.current_mrr, 0) > 0
                then least(1 / churn.monthly_logo_churn_rate, {{ var('ltv_horizon_months') }})
            else 0
        end as expected_remaining_months
    from {{ ref('int_client_crosswalk') }} as clients
    cross join as_of
    cross join churn
    left join lifetime on clients.client_id = lifetime.client_id
    left join recurring on clients.client_id = recurring.client_id
)

select
    client_id,
    client_name,
    hubspot_company_id,
    match_method,
    acquisition_lead_source,
    first_revenue_month,
    last_revenue_month,
    first_mrr_month,
    is_active_recurring,
    {{ money('current_mrr') }} as current_mrr,
    cast(tenure_months as integer) as tenure_months,
    {{ money('lifetime_revenue') }} as lifetime_revenue,
    {{ money('lifetime_recurring_revenue') }} as lifetime_recurring_revenue,
    {{ money('lifetime_direct_costs') }} as lifetime_direct_costs,
    {{ money('lifetime_gross_margin') }} as lifetime_gross_margin,
    cast(lifetime_gross_margin / nullif(lifetime_revenue, 0) as double) as lifetime_gross_margin_rate,
    {{ money('lifetime_allocated_overhead') }} as lifetime_allocated_overhead,
    {{ money('lifetime_true_profit') }} as lifetime_true_profit,
    {{ money('avg_monthly_gross_margin_12m') }} as avg_monthly_gross_margin_12m,
    cast(monthly_logo_churn_rate as double) as monthly_logo_churn_rate,
    cast(expected_remaining_months as double) as expected_remaining_months,
    {{ money('coalesce(avg_monthly_gross_margin_12m, 0) * expected_remaining_months') }}
        as expected_remaining_gross_margin,
    {{ money(
        'lifetime_gross_margin + coalesce(avg_monthly_gross_margin_12m, 0) * expected_remaining_months'
    ) }} as predicted_lifetime_gross_margin
from valued
