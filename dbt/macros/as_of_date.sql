{#-
    The `as_of_date` var as a DATE literal: the one "today" of every model (no wall clock in SQL,
    so any past day can be rebuilt exactly). Dagster always passes it; a hand-run dbt without it
    fails here instead of silently using the machine's clock.
-#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date') -%}
    {%- if value is none and execute -%}
        {{ exceptions.raise_compiler_error("dbt var as_of_date is not set: pass --vars '{as_of_date: YYYY-MM-DD}'") }}
    {%- endif -%}
    cast('{{ value }}' as date)
{%- endmacro %}
