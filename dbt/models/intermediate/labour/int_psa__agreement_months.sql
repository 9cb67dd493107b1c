{#-
    Each agreement's billing in every month it was active (started on or before the month's end,
    not ended or cancelled before the month began), through the as-of month, from the PSA.
    bill_revenue = bill_amount per month (Quarterly / 3, Semi-annual / 6, Yearly or Annual / 12,
    otherwise monthly); additions_revenue = the billable additions' extended price and
    additions_cost = every addition's extended cost, counting additions effective before the
    month's end and not cancelled before it began.
-#}
with agreements as (
    select
        agreement_id,
        agreement_name,
        agreement_type,
        company_id,
        bill_amount
        / case lower(billing_cycle)
            when 'quarterly' then 3
            when 'semi-annual' then 6
            when 'yearly' then 12
            when 'annual' then 12
            else 1
        end as monthly_bill_amount,
        cast(start_at as date) as start_date,
        cast(least(coalesce(end_at, cancelled_at), coalesce(cancelled_at, end_at)) as date) as stop_date
    from {{ ref('stg_connectwise__agreements') }}
    where not is_deleted and start_at is not null
),

months as (
    select distinct month_start
    from {{ ref('dim_date') }}
    where date_day <= {{ as_of_date() }}
),

active as (
    select
        agreements.*,
        months.month_start
    from agreements
    inner join months
        on
        agreements.start_date < months.month_start + interval 1 month
        and (agreements.stop_date is null or agreements.stop_date > months.month_start)
),

additions as (
    select
        agreement_id,
        extended_price,
        extended_cost,
        bill_customer,
        cast(effective_at as date) as effective_date,
        cast(cancelled_at as date) as cancelled_date
    from {{ ref('stg_connectwise__agreement_additions') }}
    where not is_deleted
),

addition_months as (
    select
        active.agreement_id,
        active.month_start,
        coalesce(sum(additions.extended_price) filter (where additions.bill_customer = 'Billable'), 0)
            as additions_revenue,
        coalesce(sum(additions.extended_cost), 0) as additions_cost
    from active
    inner join additions
        on
        active.agreement_id = additions.agreement_id
        and (
            additions.effective_date is null
            or additions.effective_date < active.month_start + interval 1 month
        )
        and (additions.cancelled_date is null or additions.cancelled_date > active.month_start)
    group by active.agreement_id, active.month_start
)

select
    active.agreement_id,
    active.month_start,
    active.agreement_name,
    active.agreement_type,
    active.company_id,
    active.monthly_bill_amount as bill_revenue,
    coalesce(addition_months.additions_revenue, 0) as additions_revenue,
    coalesce(addition_months.additions_cost, 0) as additions_cost
from active
left join addition_months
    on active.agreement_id = addition_months.agreement_id and active.month_start = addition_months.month_start
