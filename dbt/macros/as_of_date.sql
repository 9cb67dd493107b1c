{#-
    The as-of day as a DATE literal: the one "today" of every model (no wall clock in SQL, so any
    past day can be rebuilt exactly). Where it comes from, first found first:

    1. the `as_of_date` var (`--vars`, and dbt unit tests' overrides);
    2. the MILEMARKER_AS_OF_DATE environment variable -- what Dagster sets. It is read only while
       dbt executes (`execute`), never while it parses, so dbt's partial parse does not record it
       and a new day does not re-parse the project (a changed var would: dbt keys partial parsing
       on the whole --vars string, about 6 s of every daily build);
    3. today in the organisation's time zone (`setting`): dbt run by hand.
-#}
{% macro as_of_date() -%}
    cast('{{ as_of_day() }}' as date)
{%- endmacro %}

{#- The as-of day as ISO text (see as_of_date). -#}
{% macro as_of_day() -%}
    {%- set value = var('as_of_date') -%}
    {%- if value is none and execute -%}
        {%- set value = env_var('MILEMARKER_AS_OF_DATE', '') or none -%}
    {%- endif -%}
    {%- if value is none -%}
        {%- set zone = modules.pytz.timezone(setting('org_timezone')) -%}
        {%- set value = modules.datetime.datetime.now(zone).date().isoformat() -%}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
