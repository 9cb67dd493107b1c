{#-
    THE metric registry: every goal-able metric as one long daily table. Grain: metric_name x
    date_day x owner_id x lead_source x service_line x deal_type (dimensions a metric lacks are
    null). Every metric of seeds/goal_metrics.csv must appear here (tested on the seed), and its
    definition must match the seed's description.

    `value` is the day's amount for flows (summed over a period for its total), the end-of-day
    level for levels (mrr: summed over the dimensions, never over days), and the day's
    numerator/denominator for ratios (close_rate: pacing sums both over the period and divides).

    Adding a metric is one more row in `funnel_metric_map` (a funnel event counted or summed) or
    one more union below, never a change to the pacing models.
-#}
with funnel_events as (
    select * from {{ ref('fct_funnel_events') }}
),

activities as (
    select * from {{ ref('fct_sales_activities') }}
),

ledger_lines as (
    select * from {{ ref('fct_ledger_lines') }}
),

client_mrr as (
    select * from {{ ref('fct_client_mrr_daily') }}
),

deals as (
    select deal_id, deal_type from {{ ref('int_crm__deals') }}
),

-- metric <- funnel event type, and what it measures: a count, the bookings amount or the new MRR
funnel_metric_map (event_type, metric_name, measure) as (
    values
    ('lead', 'leads', 'count'),
    ('qualified_lead', 'qualified_leads', 'count'),
    ('first_appointment', 'first_appointments', 'count'),
    ('proposal', 'proposals', 'count'),
    ('deal_won', 'deals_won', 'count'),
    ('deal_won', 'bookings', 'amount'),
    ('deal_won', 'new_mrr', 'mrr')
),

funnel_metrics as (
    select
        funnel_metric_map.metric_name,
        funnel_events.event_date as date_day,
        funnel_events.owner_id,
        funnel_events.lead_source,
        cast(null as varchar) as service_line,
        deals.deal_type,
        sum(
            case funnel_metric_map.measure
                when 'count' then 1
                when 'amount' then funnel_events.amount_home
                when 'mrr' then funnel_events.mrr_amount_home
            end
        ) as value,
        cast(null as double) as numerator,
        cast(null as double) as denominator
    from funnel_events
    inner join funnel_metric_map
        on funnel_events.event_type = funnel_metric_map.event_type
    left join deals
        on funnel_events.deal_id = deals.deal_id
    group by all
),

close_rate as (
    select
        'close_rate' as metric_name,
        funnel_events.event_date as date_day,
        funnel_events.owner_id,
        funnel_events.lead_source,
        cast(null as varchar) as service_line,
        deals.deal_type,
        count_if(funnel_events.event_type = 'deal_won') / count(*) as value,
        count_if(funnel_events.event_type = 'deal_won') as numerator,
        count(*) as denominator
    from funnel_events
    left join deals
        on funnel_events.deal_id = deals.deal_id
    where funnel_events.event_type in ('deal_won', 'deal_lost')
    group by all
),

activity_metrics as (
    select
        metric_name,
        activity_date as date_day,
        owner_id,
        cast(null as varchar) as lead_source,
        cast(null as varchar) as service_line,
        cast(null as varchar) as deal_type,
        count(*) as value,
        cast(null as double) as numerator,
        cast(null as double) as denominator
    from activities
    cross join (values ('prospecting_attempts'), ('connects')) as metric (metric_name)
    where (metric_name = 'prospecting_attempts' and is_prospecting_attempt)
        or (metric_name = 'connects' and is_connect)
    group by all
),

ledger_metrics as (
    select
        metric_name,
        document_date as date_day,
        cast(null as bigint) as owner_id,
        lead_source,
        service_line,
        cast(null as varchar) as deal_type,
        sum(case when account_category = 'revenue' then amount_home else -amount_home end) as value,
        cast(null as double) as numerator,
        cast(null as double) as denominator
    from ledger_lines
    cross join (values ('revenue'), ('gross_margin')) as metric (metric_name)
    where account_category = 'revenue'
        or (metric_name = 'gross_margin' and account_category = 'direct_cost')
    group by all
),

-- the finance metrics: a day's sums from the journals (fct_ledger_lines), by the account map
finance_days as (
    select
        document_date as date_day,
        sum(amount_home) filter (where account_category = 'revenue') as revenue,
        sum(
            case
                when account_category in ('revenue', 'other_income') then amount_home
                when account_category = 'direct_cost' or statement_line = 'operating_expenses'
                    then -amount_home
                else 0
            end
        ) as ebitda,
        sum(amount_home) filter (
            where account_category = 'revenue' and line_of_business in ('managed_services', 'projects')
        ) as service_revenue,
        sum(amount_home) filter (where statement_line = 'cost_of_sales' and cost_type = 'labour')
            as service_payroll,
        sum(amount_home) filter (where cost_type = 'sales_and_marketing') as sales_and_marketing
    from ledger_lines
    group by document_date
),

-- a client is new on the date of its first counted sales invoice
new_client_days as (
    select first_invoice_date as date_day, count(*) as new_clients
    from (
        select contact_id, min(document_date) as first_invoice_date
        from {{ ref('int_xero__documents') }}
        where document_type = 'ACCREC'
        group by contact_id
    ) as first_invoices
    group by first_invoice_date
),

finance_measures as (
    select
        coalesce(finance_days.date_day, new_client_days.date_day) as date_day,
        coalesce(finance_days.revenue, 0) as revenue,
        coalesce(finance_days.ebitda, 0) as ebitda,
        coalesce(finance_days.service_revenue, 0) as service_revenue,
        coalesce(finance_days.service_payroll, 0) as service_payroll,
        coalesce(finance_days.sales_and_marketing, 0) as sales_and_marketing,
        coalesce(new_client_days.new_clients, 0) as new_clients
    from finance_days
    full outer join new_client_days on finance_days.date_day = new_client_days.date_day
),

-- metric <- its value for a flow, or its numerator and denominator for a ratio
finance_metrics as (
    select
        metric.metric_name,
        finance_measures.date_day,
        cast(null as bigint) as owner_id,
        cast(null as varchar) as lead_source,
        cast(null as varchar) as service_line,
        cast(null as varchar) as deal_type,
        case metric.metric_name
            when 'ebitda' then finance_measures.ebitda
            when 'sales_and_marketing_spend' then finance_measures.sales_and_marketing
            when 'new_clients' then finance_measures.new_clients
            when 'ebitda_margin' then finance_measures.ebitda / nullif(finance_measures.revenue, 0)
            when 'service_payroll_ratio'
                then finance_measures.service_payroll / nullif(finance_measures.service_revenue, 0)
            when 'multiple_of_service'
                then finance_measures.service_revenue / nullif(finance_measures.service_payroll, 0)
            when 'customer_acquisition_cost'
                then finance_measures.sales_and_marketing / nullif(finance_measures.new_clients, 0)
        end as value,
        case metric.metric_name
            when 'ebitda_margin' then finance_measures.ebitda
            when 'service_payroll_ratio' then finance_measures.service_payroll
            when 'multiple_of_service' then finance_measures.service_revenue
            when 'customer_acquisition_cost' then finance_measures.sales_and_marketing
        end as numerator,
        case metric.metric_name
            when 'ebitda_margin' then finance_measures.revenue
            when 'service_payroll_ratio' then finance_measures.service_revenue
            when 'multiple_of_service' then finance_measures.service_payroll
            when 'customer_acquisition_cost' then finance_measures.new_clients
        end as denominator
    from finance_measures
    cross join (
        values
        ('ebitda'), ('sales_and_marketing_spend'), ('new_clients'), ('ebitda_margin'),
        ('service_payroll_ratio'), ('multiple_of_service'), ('customer_acquisition_cost')
    ) as metric (metric_name)
),

-- the labour metrics, from the PSA's time entries (no rows without a PSA): a day's hours and their
-- cost, the capacity of the members employed, and the clients' margin from the books on the days
-- the PSA covers (from its first time entry on), so a rate never divides pre-PSA margin by no hours
labour_days as (
    select
        work_date as date_day,
        sum(actual_hours) as hours,
        sum(actual_hours) filter (where client_id is not null) as client_hours,
        sum(actual_hours) filter (where is_utilised) as utilised_hours,
        sum(labour_cost) as labour_cost,
        sum(labour_cost) filter (where client_id is not null) as client_labour_cost,
        sum(labour_cost) filter (where agreement_id is not null) as agreement_labour_cost
    from {{ ref('int_labour__time_entries') }}
    group by work_date
),

capacity_days as (
    select date_day, sum(capacity_hours) as capacity_hours
    from {{ ref('int_labour__member_capacity_daily') }}
    group by date_day
),

client_margin_days as (
    select
        document_date as date_day,
        sum(case when account_category = 'revenue' then amount_home else -amount_home end) as client_margin
    from ledger_lines
    where client_id is not null
        and account_category in ('revenue', 'direct_cost')
        and document_date >= (select min(date_day) from labour_days)
    group by document_date
),

-- an agreement-month's revenue and additions' cost, spread evenly over the month's days
agreement_days as (
    select
        days.date_day,
        sum(agreements.revenue / day(last_day(agreements.month_start))) as agreement_revenue,
        sum(
            (agreements.revenue - agreements.additions_cost) / day(last_day(agreements.month_start))
        ) as agreement_margin_before_labour
    from {{ ref('fct_agreement_profitability_monthly') }} as agreements
    inner join {{ ref('dim_date') }} as days on agreements.month_start = days.month_start
    group by days.date_day
),

-- the as-of day is always there (zeros without a PSA), so every labour metric exists in the registry
as_of_day as (
    select {{ as_of_date() }} as date_day
),

labour_measures as (
    select
        coalesce(
            labour_days.date_day,
            capacity_days.date_day,
            client_margin_days.date_day,
            agreement_days.date_day,
            as_of_day.date_day
        ) as date_day,
        coalesce(labour_days.hours, 0) as hours,
        coalesce(labour_days.client_hours, 0) as client_hours,
        coalesce(labour_days.utilised_hours, 0) as utilised_hours,
        coalesce(labour_days.labour_cost, 0) as labour_cost,
        coalesce(labour_days.client_labour_cost, 0) as client_labour_cost,
        coalesce(labour_days.agreement_labour_cost, 0) as agreement_labour_cost,
        coalesce(capacity_days.capacity_hours, 0) as capacity_hours,
        coalesce(client_margin_days.client_margin, 0) as client_margin,
        coalesce(agreement_days.agreement_revenue, 0) as agreement_revenue,
        coalesce(agreement_days.agreement_margin_before_labour, 0) as agreement_margin_before_labour
    from labour_days
    full outer join capacity_days on labour_days.date_day = capacity_days.date_day
    full outer join client_margin_days
        on coalesce(labour_days.date_day, capacity_days.date_day) = client_margin_days.date_day
    full outer join agreement_days
        on coalesce(labour_days.date_day, capacity_days.date_day, client_margin_days.date_day)
        = agreement_days.date_day
    full outer join as_of_day
        on coalesce(
            labour_days.date_day, capacity_days.date_day, client_margin_days.date_day, agreement_days.date_day
        )
        = as_of_day.date_day
),

labour_metrics as (
    select
        metric.metric_name,
        labour_measures.date_day,
        cast(null as bigint) as owner_id,
        cast(null as varchar) as lead_source,
        cast(null as varchar) as service_line,
        cast(null as varchar) as deal_type,
        case metric.metric_name
            when 'labour_hours' then labour_measures.hours
            when 'labour_cost' then labour_measures.labour_cost
            when 'client_contribution' then labour_measures.client_margin - labour_measures.client_labour_cost
            when
                'utilisation_rate'
                then labour_measures.utilised_hours / nullif(labour_measures.capacity_hours, 0)
            when
                'effective_hourly_rate'
                then labour_measures.client_margin / nullif(labour_measures.client_hours, 0)
            when 'agreement_gross_margin'
                then (labour_measures.agreement_margin_before_labour - labour_measures.agreement_labour_cost)
                    / nullif(labour_measures.agreement_revenue, 0)
        end as value,
        case metric.metric_name
            when 'utilisation_rate' then labour_measures.utilised_hours
            when 'effective_hourly_rate' then labour_measures.client_margin
            when 'agreement_gross_margin'
                then labour_measures.agreement_margin_before_labour - labour_measures.agreement_labour_cost
        end as numerator,
        case metric.metric_name
            when 'utilisation_rate' then labour_measures.capacity_hours
            when 'effective_hourly_rate' then labour_measures.client_hours
            when 'agreement_gross_margin' then labour_measures.agreement_revenue
        end as denominator
    from labour_measures
    cross join (
        values
        ('labour_hours'), ('labour_cost'), ('client_contribution'), ('utilisation_rate'),
        ('effective_hourly_rate'), ('agreement_gross_margin')
    ) as metric (metric_name)
),

mrr as (
    select
        'mrr' as metric_name,
        date_day,
        cast(null as bigint) as owner_id,
        lead_source,
        cast(null as varchar) as service_line,
        cast(null as varchar) as deal_type,
        sum(mrr_home) as value,
        cast(null as double) as numerator,
        cast(null as double) as denominator
    from client_mrr
    group by all
),

unioned as (
    select * from funnel_metrics
    union all by name
    select * from close_rate
    union all by name
    select * from activity_metrics
    union all by name
    select * from ledger_metrics
    union all by name
    select * from finance_metrics
    union all by name
    select * from labour_metrics
    union all by name
    select * from mrr
)

select
    metric_name,
    date_day,
    owner_id,
    lead_source,
    service_line,
    deal_type,
    cast(value as double) as value,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator
from unioned
where date_day <= {{ as_of_date() }}
