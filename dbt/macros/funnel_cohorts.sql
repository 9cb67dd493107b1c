{#-
    A lead cohort (the leads of one month) is judged once every lead in it has had the whole
    conversion horizon (var funnel_conversion_horizon_days, counted from the lead date): the
    month's last day plus the horizon is on or before as_of_date. Younger cohorts' rates are still
    rising, so comparing them with old ones would flatter the old.
-#}
{% macro cohort_is_matured(cohort_month) -%}
    (last_day({{ cohort_month }}) + {{ var('funnel_conversion_horizon_days') | int }} <= {{ as_of_date() }})
{%- endmacro %}
