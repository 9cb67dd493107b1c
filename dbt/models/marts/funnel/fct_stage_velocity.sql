{#-
    How fast deals move through each open pipeline stage, month by month. Grain: org-local month x
    pipeline x open deal stage, from the first month with a stage visit to the month of as_of_date.

    Exits: visits that left the stage in the month, by how they left (advanced counts moves to a
    later stage including won; regressed moves back), with median, 75th percentile and mean
    days_in_stage. Open: visits still in the stage at the month's end (at the end of as_of_date
    for the current month) and the median age of those visits then.

    Bit-stable: identical data rebuilds to identical values. The mean is the exact sum of the
    visits' days_in_stage (4 decimals, summed as DECIMAL) divided once, since an avg() over DOUBLE
    depends on the order rows arrive in, and round(..., 4) turned that into a changed 4th decimal
    in most rebuilds; medians and quantiles pick values by rank, so they need no such care.
-#}
with visits as (
    select * from {{ ref('fct_deal_stage_history') }}
    where exit_type is not null
),

stages as (
    select distinct pipeline_id, deal_stage_id, stage_label, stage_display_order, funnel_stage
    from visits
),

months as (
    select
        cast(month_start as date) as month_start,
        least(
            {{ org_day_start_utc('cast(month_start + interval 1 month as date)') }},
            {{ as_of_end_utc() }}
        ) as month_end_at
    from generate_series(
            (select cast(date_trunc('month', min(entered_date)) as date) from visits),
            cast(date_trunc('month', {{ as_of_date() }}) as date),
            interval 1 month
        ) as spine (month_start)
),

exits as (
    select
        cast(date_trunc('month', exited_date) as date) as month_start,
        pipeline_id,
        deal_stage_id,
        count(*) as exited_count,
        count_if(exit_type in ('advanced', 'won')) as advanced_count,
        count_if(exit_type = 'regressed') as regressed_count,
        count_if(exit_type = 'lost') as lost_count,
        median(days_in_stage) as median_days_in_stage,
        quantile_cont(days_in_stage, 0.75) as p75_days_in_stage,
        {{ exact_avg('days_in_stage', scale=4) }} as mean_days_in_stage
    from visits
    where exited_at is not null
    group by all
),

open_at_month_end as (
    select
        months.month_start,
        visits.pipeline_id,
        visits.deal_stage_id,
        count(*) as open_count,
        median(epoch(months.month_end_at - visits.entered_at) / 86400.0) as open_median_age_days
    from months
    inner join visits
        on visits.entered_at < months.month_end_at
        and (visits.exited_at is null or visits.exited_at >= months.month_end_at)
    group by all
)

select
    months.month_start,
    stages.pipeline_id,
    stages.deal_stage_id,
    stages.stage_label,
    stages.stage_display_order,
    stages.funnel_stage,
    coalesce(exits.exited_count, 0) as exited_count,
    cast(coalesce(exits.advanced_count, 0) as bigint) as advanced_count,
    cast(coalesce(exits.regressed_count, 0) as bigint) as regressed_count,
    cast(coalesce(exits.lost_count, 0) as bigint) as lost_count,
    round(exits.median_days_in_stage, 4) as median_days_in_stage,
    round(exits.p75_days_in_stage, 4) as p75_days_in_stage,
    round(exits.mean_days_in_stage, 4) as mean_days_in_stage,
    coalesce(open_at_month_end.open_count, 0) as open_count,
    round(open_at_month_end.open_median_age_days, 4) as open_median_age_days
from months
cross join stages
left join exits
    on months.month_start = exits.month_start
    and stages.pipeline_id = exits.pipeline_id
    and stages.deal_stage_id = exits.deal_stage_id
left join open_at_month_end
    on months.month_start = open_at_month_end.month_start
    and stages.pipeline_id = open_at_month_end.pipeline_id
    and stages.deal_stage_id = open_at_month_end.deal_stage_id
