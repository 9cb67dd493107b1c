{#-
    The funnel never widens: within each `partition_by` group (e.g. a cohort), the count at a stage
    is at most the count at the stage before it (ordered by `stage_order_column`). Fails for every
    row whose count exceeds its predecessor's. Expects one row per stage per group (a dense funnel):
    a missing earlier stage is a gap the model should fill with zero, not skip.
-#}
{% test funnel_is_monotone(model, column_name, stage_order_column, partition_by) %}
with ordered as (
    select
        *,
        lag({{ column_name }}) over (
            partition by {{ partition_by | join(', ') }}
            order by {{ stage_order_column }}
        ) as previous_stage_count
    from {{ model }}
)

select *
from ordered
where {{ column_name }} > previous_stage_count
{% endtest %}
