-- Each month starts where the previous one ended: starting_mrr = the previous month's ending_mrr
-- (the first month starts at 0).
select month_start, starting_mrr, previous_ending_mrr
from (
    select
        month_start,
        starting_mrr,
        coalesce(lag(ending_mrr) over (order by month_start), 0) as previous_ending_mrr
    from {{ ref('mart_mrr_movements_monthly') }}
)
where starting_mrr <> previous_ending_mrr
