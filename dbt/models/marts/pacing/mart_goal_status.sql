{#-
    Where every goal stands today: the as-of day's rows of fct_goal_pacing_daily for the goals
    goals.yml holds now (history of removed goals stays in the fact only). Grain: goal target (a
    goal, or one rep of a per-owner goal). This is what the goal checks, the terminal report and
    the dashboards read.
    Formulas: docs/pacing.md.
-#}
select pacing.*
from {{ ref('fct_goal_pacing_daily') }} as pacing
where pacing.as_of_date = {{ as_of_date() }}
    and pacing.goal_target_id in (select goal_target_id from {{ ref('int_goal_periods') }})
