{#-
    The MRR roll-forward per month: starting MRR (last month's ending) + new + expansion +
    reactivation - contraction - churned = ending MRR, with client counts and retention rates.
    Amounts are rounded to the cent per term, so the identity holds within 3 cents.
-#}
with movements as (
    select
        month_start,
        sum(mrr_home) as ending_mrr,
        sum(previous_mrr_home) as starting_mrr,
        sum(case when change_category = 'new' then mrr_change_home else 0 end) as new_mrr,
        sum(case when change_category = 'expansion' then mrr_change_home else 0 end) as expansion_mrr,
        sum(case when change_category = 'reactivation' then mrr_change_home else 0 end) as reactivation_mrr,
        sum(case when change_category = 'contraction' then -mrr_change_home else 0 end) as contraction_mrr,
        sum(case when change_category = 'churn' then -mrr_change_home else 0 end) as churned_mrr,
        count(*) filter (where is_active) as active_clients,
        count(*) filter (where previous_mrr_home > 0) as clients_at_start,
        count(*) filter (where change_category = 'new') as new_clients,
        count(*) filter (where change_category = 'reactivation') as reactivated_clients,
        count(*) filter (where change_category = 'churn') as churned_clients
    from {{ ref('fct_client_mrr_monthly') }}
    group by month_start
),

-- net revenue retention: what the clients active 12 months ago bill now, over what they billed then
retention as (
    select
        now.month_start,
        sum(coalesce(later.mrr_home, 0)) as retained_mrr_12m,
        sum(now.mrr_home) as cohort_mrr_12m
    from {{ ref('fct_client_mrr_monthly') }} as now
    left join {{ ref('fct_client_mrr_monthly') }} as later
        on now.client_id = later.client_id and later.month_start = now.month_start + interval 12 month
    where now.is_active
    group by now.month_start
),

monthly as (
    select
        months.month_start,
        coalesce(movements.starting_mrr, 0) as starting_mrr,
        coalesce(movements.new_mrr, 0) as new_mrr,
        coalesce(movements.expansion_mrr, 0) as expansion_mrr,
        coalesce(movements.reactivation_mrr, 0) as reactivation_mrr,
        coalesce(movements.contraction_mrr, 0) as contraction_mrr,
        coalesce(movements.churned_mrr, 0) as churned_mrr,
        coalesce(movements.ending_mrr, 0) as ending_mrr,
        coalesce(movements.clients_at_start, 0) as clients_at_start,
        coalesce(movements.new_clients, 0) as new_clients,
        coalesce(movements.reactivated_clients, 0) as reactivated_clients,
        coalesce(movements.churned_clients, 0) as churned_clients,
        coalesce(movements.active_clients, 0) as active_clients,
        year_ago.retained_mrr_12m,
        year_ago.cohort_mrr_12m
    from {{ ref('int_ledger__months') }} as months
    left join movements on months.month_start = movements.month_start
    left join retention as year_ago on year_ago.month_start = months.month_start - interval 12 month
)

select
    month_start,
    {{ money('starting_mrr') }} as starting_mrr,
    {{ money('new_mrr') }} as new_mrr,
    {{ money('expansion_mrr') }} as expansion_mrr,
    {{ money('reactivation_mrr') }} as reactivation_mrr,
    {{ money('contraction_mrr') }} as contraction_mrr,
    {{ money('churned_mrr') }} as churned_mrr,
    {{ money('ending_mrr') }} as ending_mrr,
    {{ money('ending_mrr - starting_mrr') }} as net_mrr_change,
    cast(clients_at_start as integer) as clients_at_start,
    cast(new_clients as integer) as new_clients,
    cast(reactivated_clients as integer) as reactivated_clients,
    cast(churned_clients as integer) as churned_clients,
    cast(active_clients as integer) as active_clients,
    cast(churned_clients / nullif(clients_at_start, 0) as double) as logo_churn_rate,
    cast((churned_mrr + contraction_mrr) / nullif(starting_mrr, 0) as double) as gross_mrr_churn_rate,
    cast(retained_mrr_12m / nullif(cohort_mrr_12m, 0) as double) as net_mrr_retention_12m
from monthly
