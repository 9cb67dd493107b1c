{#-
    Three-month forecast of bookings, deals won, new MRR and revenue from every origin day
    (int_forecast__origins). Grain: origin x target month x component x metric_name. Each
    origin only uses what was known by its end: the stage a deal was in, the deals resolved and
    created before it, the MRR of its month.

    open_pipeline:
      stage win rate  p_s = (won_s + m·p̄) / (resolved_s + m), m = 10, over visits to stage s
                      entered in the 365 days before the origin and resolved by it; p̄ the close
                      rate of deals closed in that year. Halved for deals older in the stage than
                      the stage's p90 days-to-won.
      timing          F_s = empirical CDF of days from entering s to winning; a deal aged a days
                      wins in month m with q = (F(a + u2) - F(a + u1 - 1)) / (1 - F(a)), u the
                      days from the origin to the month's first and last day; q = 0 past the tail.
                      A stage with no wins in the year (new, or rarely won from) has no F_s of its
                      own: its deals are timed by the CDF pooled over every stage's wins.
      value           E = Σ v·p·q, Var = Σ v²·π(1 - π), π = p·q.
    new_pipeline: deals created per day (λ, int_forecast__creation_rate: the leads of the 56 days
      before the origin x the year's deals per lead) x p̄ x mean won value, timed by G = CDF of
      create-to-won days over the future creation days of the horizon; variance as a compound Poisson (mean won value squared).
    recurring (revenue only): the MRR of the origin's month, run off at the mean monthly gross
      MRR churn of the 12 months before, for each whole month after the origin's month (monthly
      contracts are invoiced on the 1st, so the origin's own month is already billed).
    Pipeline revenue: a win's project value in its month and its MRR from the next month on.
    Sums and means of DOUBLE terms are exact (exact_sum, exact_avg): a plain sum() depends on the
    order rows arrive in, so identical data gave a forecast differing in its last digits.
    weighted_pipeline_crm (open_pipeline bookings rows): Σ amount x HubSpot stage probability of
    the deals open at the origin, in the month of their close date (overdue ones in the first);
    weighted_pipeline_total (open_pipeline rows of bookings, deals_won, new_mrr): the whole
    weighted pipeline open at the origin, amount, 1 or MRR x HubSpot stage probability (the
    backtests' baseline, since the close dates deals had at a past origin are not landed).
    Formulas: docs/forecast.md.
-#}
{%- set shrinkage = 10 -%}
{%- set horizon_days = 92 -%}
{%- set max_days = 730 -%}

with origins as (
    select * from {{ ref('int_forecast__origins') }}
),

deals as (
    select
        deal_id, owner_id, created_at, created_date, closed_at, closed_date, is_won, is_lost,
        coalesce(first_year_value_home, 0) as bookings_value,
        coalesce(mrr_amount_home, 0) as mrr_value,
        coalesce(project_amount_home, first_year_value_home - 12 * coalesce(mrr_amount_home, 0), 0)
            as project_value
    from {{ ref('fct_deals') }}
),

visits as (
    select
        visits.deal_id,
        visits.pipeline_id,
        visits.deal_stage_id,
        visits.funnel_stage,
        visits.entered_at,
        {{ org_date('visits.entered_at') }} as entered_date,
        visits.exited_at
    from {{ ref('int_crm__deal_stage_events') }} as visits
),

stage_probabilities as (
    select pipeline_id, stage_id, stage_probability_rate
    from {{ ref('int_crm__deal_stages') }}
    where not is_deleted
),

months as (
    select distinct
        origins.origin_date, dates.month_start as target_month, dates.month_end,
        greatest(dates.month_start, origins.origin_date + 1) as window_start
    from origins
    inner join {{ ref('dim_date') }} as dates
        on dates.date_day between origins.origin_date + 1 and origins.origin_date + {{ horizon_days }}
),

months_ranked as (
    select
        *,
        window_start - origin_date as first_day_ahead,
        month_end - origin_date as last_day_ahead,
        row_number() over (partition by origin_date order by target_month) as horizon_month
    from months
    qualify horizon_month <= 3
),

-- ---------- what each origin knew: resolved history of the 365 days before it
resolved_deals as (
    select origins.origin_date, deals.*
    from origins
    inner join deals
        on deals.closed_at < origins.origin_end_utc
        and deals.closed_date > origins.origin_date - 365
        and (deals.is_won or deals.is_lost)
),

overall as (
    select
        origin_date,
        count_if(is_won) / nullif(count(*), 0) as close_rate,
        avg(bookings_value) filter (where is_won) as mean_bookings,
        avg(mrr_value) filter (where is_won) as mean_mrr,
        avg(project_value) filter (where is_won) as mean_project,
        avg(bookings_value * bookings_value) filter (where is_won) as mean_sq_bookings,
        avg(mrr_value * mrr_value) filter (where is_won) as mean_sq_mrr,
        avg(project_value * project_value) filter (where is_won) as mean_sq_project
    from resolved_deals
    group by origin_date
),

resolved_visits as (
    select
        resolved_deals.origin_date,
        visits.deal_stage_id,
        resolved_deals.is_won,
        case when resolved_deals.is_won then resolved_deals.closed_date - visits.entered_date end
            as days_to_won
    from resolved_deals
    inner join visits
        on resolved_deals.deal_id = visits.deal_id
        and visits.funnel_stage not in ('won', 'lost')
        and visits.entered_date > resolved_deals.origin_date - 365
),

stage_rates as (
    select
        resolved_visits.origin_date,
        resolved_visits.deal_stage_id,
        (count_if(resolved_visits.is_won) + {{ shrinkage }} * any_value(overall.close_rate))
        / (count(*) + {{ shrinkage }}) as stage_win_rate,
        quantile_cont(resolved_visits.days_to_won, 0.9) as p90_days_to_won
    from resolved_visits
    inner join overall
        on resolved_visits.origin_date = overall.origin_date
    group by all
),

-- empirical CDF of days from entering a stage to winning, per origin and stage, on 0..max_days;
-- the rows with a NULL stage pool every stage's wins (the timing of stages without wins of their own)
stage_cdf as (
    select
        won.origin_date,
        won.deal_stage_id,
        days.day_number,
        count_if(won.days_to_won <= days.day_number) / count(*) as cdf
    from resolved_visits as won
    cross join generate_series(0, {{ max_days }}) as days (day_number)
    where won.is_won
    group by grouping sets (
        (won.origin_date, won.deal_stage_id, days.day_number),
        (won.origin_date, days.day_number)
    )
),

stages_with_wins as (
    select distinct origin_date, deal_stage_id
    from resolved_visits
    where is_won
),

created_cdf as (
    select
        resolved_deals.origin_date,
        days.day_number,
        count_if(resolved_deals.closed_date - resolved_deals.created_date <= days.day_number)
        / count(*) as cdf
    from resolved_deals
    cross join generate_series(0, {{ max_days }}) as days (day_number)
    where resolved_deals.is_won
    group by all
),

-- ---------- open pipeline
open_deals as (
    select
        origins.origin_date,
        deals.deal_id,
        deals.bookings_value,
        deals.mrr_value,
        deals.project_value,
        visits.deal_stage_id,
        stage_probabilities.stage_probability_rate,
        least(origins.origin_date - visits.entered_date, {{ max_days }}) as age_days,
        stages_with_wins.deal_stage_id as timing_stage_id,
        {{ org_date('crm_deals.close_at') }} as crm_close_date
    from origins
    inner join visits
        on visits.entered_at < origins.origin_end_utc
        and coalesce(visits.exited_at, timestamp '9999-12-31') >= origins.origin_end_utc
        and visits.funnel_stage not in ('won', 'lost')
    inner join deals
        on visits.deal_id = deals.deal_id
        and deals.created_at < origins.origin_end_utc
    inner join {{ ref('int_crm__deals') }} as crm_deals
        on visits.deal_id = crm_deals.deal_id
    left join stage_probabilities
        on visits.pipeline_id = stage_probabilities.pipeline_id
        and visits.deal_stage_id = stage_probabilities.stage_id
    left join stages_with_wins
        on origins.origin_date = stages_with_wins.origin_date
        and visits.deal_stage_id = stages_with_wins.deal_stage_id
),

open_deal_months as (
    select
        open_deals.*,
        months_ranked.target_month,
        coalesce(stage_rates.stage_win_rate, overall.close_rate, 0)
        * case when open_deals.age_days > stage_rates.p90_days_to_won then 0.5 else 1 end as win_rate,
        case
            when coalesce(at_age.cdf, 0) >= 1 or at_age.cdf is null then 0
            else (coalesce(at_last.cdf, 1) - coalesce(at_first.cdf, 0)) / (1 - at_age.cdf)
        end as timing_rate
    from open_deals
    inner join months_ranked
        on open_deals.origin_date = months_ranked.origin_date
    left join overall
        on open_deals.origin_date = overall.origin_date
    left join stage_rates
        on open_deals.origin_date = stage_rates.origin_date
        and open_deals.deal_stage_id = stage_rates.deal_stage_id
    left join stage_cdf as at_age
        on open_deals.origin_date = at_age.origin_date
        and open_deals.timing_stage_id is not distinct from at_age.deal_stage_id
        and at_age.day_number = open_deals.age_days
    left join stage_cdf as at_first
        on open_deals.origin_date = at_first.origin_date
        and open_deals.timing_stage_id is not distinct from at_first.deal_stage_id
        and at_first.day_number
        = least(open_deals.age_days + months_ranked.first_day_ahead - 1, {{ max_days }})
    left join stage_cdf as at_last
        on open_deals.origin_date = at_last.origin_date
        and open_deals.timing_stage_id is not distinct from at_last.deal_stage_id
        and at_last.day_number = least(open_deals.age_days + months_ranked.last_day_ahead, {{ max_days }})
),

open_pipeline as (
    select
        origin_date,
        target_month,
        'open_pipeline' as component,
        metric.metric_name,
        {{ exact_sum('metric.value * win_rate * timing_rate') }} as expected_value,
        {{ exact_sum('metric.value * metric.value * win_rate * timing_rate * (1 - win_rate * timing_rate)') }}
            as variance
    from open_deal_months,
        (values ('bookings'), ('deals_won'), ('new_mrr'), ('project')) as metric_names (metric_name),
        lateral (
            select
                metric_names.metric_name,
                case metric_names.metric_name
                    when 'bookings' then bookings_value
                    when 'deals_won' then 1
                    when 'new_mrr' then mrr_value
                    else project_value
                end as value
        ) as metric
    group by all
),

weighted_pipeline as (
    select
        open_deals.origin_date,
        coalesce(close_month.target_month, first_month.target_month) as target_month,
        {{ exact_sum('open_deals.bookings_value * coalesce(open_deals.stage_probability_rate, 0)') }}
            as weighted_pipeline_crm
    from open_deals
    inner join months_ranked as first_month
        on open_deals.origin_date = first_month.origin_date
        and first_month.horizon_month = 1
    left join months_ranked as close_month
        on open_deals.origin_date = close_month.origin_date
        and date_trunc('month', open_deals.crm_close_date) = close_month.target_month
    where open_deals.crm_close_date is null
        or open_deals.crm_close_date <= (
            select max(month_end) from months_ranked as last
            where last.origin_date = open_deals.origin_date
        )
    group by all
),

-- the whole weighted pipeline per metric: amount (bookings), 1 (deals won) or MRR (new MRR) x the
-- HubSpot stage probability, over every deal open at the origin
weighted_pipeline_totals as (
    select
        open_deals.origin_date,
        metric_names.metric_name,
        {{ exact_sum(
            "case metric_names.metric_name when 'bookings' then open_deals.bookings_value"
            ~ " when 'deals_won' then 1 else open_deals.mrr_value end"
            ~ " * coalesce(open_deals.stage_probability_rate, 0)"
        ) }} as weighted_pipeline_total
    from open_deals
    cross join (values ('bookings'), ('deals_won'), ('new_mrr')) as metric_names (metric_name)
    group by all
),

-- ---------- new pipeline from the current deal creation pace
creation_rate as (
    select origin_date, deals_per_day
    from {{ ref('int_forecast__creation_rate') }}
),

new_pipeline_timing as (
    select
        months_ranked.origin_date,
        months_ranked.target_month,
        {{ exact_sum(
            'coalesce(g_last.cdf, case when months_ranked.last_day_ahead - offsets.creation_day < 0 then 0 else 1 end)
            - coalesce(g_first.cdf, case when months_ranked.first_day_ahead - 1 - offsets.creation_day < 0 then 0 else 1 end)'
        ) }} as won_share_days
    from months_ranked
    cross join generate_series(1, {{ horizon_days }}) as offsets (creation_day)
    left join created_cdf as g_first
        on months_ranked.origin_date = g_first.origin_date
        and g_first.day_number = months_ranked.first_day_ahead - 1 - offsets.creation_day
    left join created_cdf as g_last
        on months_ranked.origin_date = g_last.origin_date
        and g_last.day_number = months_ranked.last_day_ahead - offsets.creation_day
    group by all
),

new_pipeline as (
    select
        new_pipeline_timing.origin_date,
        new_pipeline_timing.target_month,
        'new_pipeline' as component,
        metric.metric_name,
        expected_wins * metric.mean_value as expected_value,
        expected_wins * metric.mean_square as variance
    from new_pipeline_timing
    inner join creation_rate
        on new_pipeline_timing.origin_date = creation_rate.origin_date
    inner join overall
        on new_pipeline_timing.origin_date = overall.origin_date,
        lateral (
            select
                creation_rate.deals_per_day * overall.close_rate * new_pipeline_timing.won_share_days
                    as expected_wins
        ) as wins,
        lateral (
            values
            ('bookings', overall.mean_bookings, overall.mean_sq_bookings),
            ('deals_won', 1, 1),
            ('new_mrr', overall.mean_mrr, overall.mean_sq_mrr),
            ('project', overall.mean_project, overall.mean_sq_project)
        ) as metric (metric_name, mean_value, mean_square)
),

pipeline as (
    select * from open_pipeline
    union all
    select * from new_pipeline
),

-- a win bills its project value in its month and its MRR from the following month on
pipeline_revenue as (
    select
        origin_date,
        target_month,
        component,
        'revenue' as metric_name,
        sum(case when metric_name = 'project' then expected_value else 0 end)
        + coalesce(sum(sum(case when metric_name = 'new_mrr' then expected_value else 0 end)) over (
            partition by origin_date, component order by target_month
            rows between unbounded preceding and 1 preceding
        ), 0) as expected_value,
        sum(case when metric_name = 'project' then variance else 0 end)
        + coalesce(sum(sum(case when metric_name = 'new_mrr' then variance else 0 end)) over (
            partition by origin_date, component order by target_month
            rows between unbounded preceding and 1 preceding
        ), 0) as variance
    from pipeline
    group by origin_date, target_month, component
),

mrr_history as (
    select month_start, ending_mrr, gross_mrr_churn_rate
    from {{ ref('mart_mrr_movements_monthly') }}
),

recurring as (
    select
        months_ranked.origin_date,
        months_ranked.target_month,
        'recurring' as component,
        'revenue' as metric_name,
        case when months_ranked.target_month > date_trunc('month', months_ranked.origin_date)
                then origin_mrr.ending_mrr * pow(
                        1 - coalesce(churn.mean_churn_rate, 0),
                        date_diff(
                            'month',
                            date_trunc('month', months_ranked.origin_date),
                            months_ranked.target_month
                        )
                    )
            else 0
        end as expected_value,
        0 as variance
    from months_ranked
    left join mrr_history as origin_mrr
        on origin_mrr.month_start = date_trunc('month', months_ranked.origin_date)
    left join (
        select
            origins.origin_date,
            {{ exact_avg('mrr_history.gross_mrr_churn_rate', scale=18) }} as mean_churn_rate
        from origins
        inner join mrr_history
            on mrr_history.month_start < date_trunc('month', origins.origin_date + 1)
            and mrr_history.month_start >= date_trunc('month', origins.origin_date + 1) - interval 12 month
        group by origins.origin_date
    ) as churn
        on months_ranked.origin_date = churn.origin_date
),

components as (
    select * from pipeline
    where metric_name <> 'project'
    union all
    select * from pipeline_revenue
    union all
    select * from recurring
),

with_total as (
    select * from components
    union all
    select
        origin_date, target_month, 'total', metric_name,
        {{ exact_sum('expected_value') }}, {{ exact_sum('variance') }}
    from components
    group by all
)

select
    with_total.origin_date,
    with_total.target_month,
    months_ranked.horizon_month,
    months_ranked.window_start as forecast_window_start,
    months_ranked.month_end as forecast_window_end,
    months_ranked.window_start > months_ranked.target_month as is_partial_month,
    with_total.component,
    with_total.metric_name,
    cast(with_total.expected_value as double) as expected_value,
    cast(greatest(with_total.expected_value - 1.2815516 * sqrt(with_total.variance), 0) as double)
        as p10_value,
    cast(with_total.expected_value + 1.2815516 * sqrt(with_total.variance) as double) as p90_value,
    cast(with_total.variance as double) as variance,
    case when with_total.component = 'open_pipeline' and with_total.metric_name = 'bookings'
            then cast(coalesce(weighted_pipeline.weighted_pipeline_crm, 0) as double)
    end as weighted_pipeline_crm,
    case when with_total.component = 'open_pipeline'
            and with_total.metric_name in ('bookings', 'deals_won', 'new_mrr')
            then cast(coalesce(weighted_pipeline_totals.weighted_pipeline_total, 0) as double)
    end as weighted_pipeline_total
from with_total
inner join months_ranked
    on with_total.origin_date = months_ranked.origin_date
    and with_total.target_month = months_ranked.target_month
left join weighted_pipeline
    on with_total.origin_date = weighted_pipeline.origin_date
    and with_total.target_month = weighted_pipeline.target_month
left join weighted_pipeline_totals
    on with_total.origin_date = weighted_pipeline_totals.origin_date
    and with_total.metric_name = weighted_pipeline_totals.metric_name
