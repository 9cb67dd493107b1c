{#-
    The `as_of_date` var as a DATE literal: the one "today" of every model (no wall clock in SQL,
    so any past day can be rebuilt exactly). Dagster always passes it. Unset -- dbt run by hand --
    it is the day Dagster would pass: today in the organisation's time zone (`setting`), taken once
    when dbt compiles, so the whole build shares one day.
-#}
{% macro as_of_date() -%}
    cast('{{ as_of_day() }}' as date)
{%- endmacro %}

{#- The as-of day as ISO text: the var, or today in the organisation's time zone. -#}
{% macro as_of_day() -%}
    {%- set value = var('as_of_date') -%}
    {%- if value is none -%}
        {%- set zone = modules.pytz.timezone(setting('org_timezone')) -%}
        {%- set value = modules.datetime.datetime.now(zone).date().isoformat() -%}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
