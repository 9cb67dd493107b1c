{#-
    An organisation or sources setting of goals.yml (`org_timezone`, `home_currency`,
    `hubspot_deal_stages`, ...), whoever runs dbt. Three places are read, first found wins:
    1. the var, when passed: Dagster passes every setting on every build (`--vars`), and dbt unit
       tests set their own;
    2. `raw_config.settings`, the same values landed from goals.yml by the last run's goals asset:
       what a `dbt build` or `dbt docs generate` run by hand reads;
    3. `milemarker_defaults` in dbt_project.yml (goals.yml's own defaults), for a warehouse that no
       run has landed goals into yet. While dbt parses (no database), this is what it sees.
    The table is read once per dbt invocation: the values are cached on the `graph` object, which
    lives as long as the invocation.
-#}
{% macro setting(name) -%}
    {%- set passed = var(name, none) -%}
    {%- if passed is not none -%}
        {{ return(passed) }}
    {%- endif -%}
    {{ return(landed_settings().get(name, var('milemarker_defaults')[name])) }}
{%- endmacro %}

{% macro landed_settings() -%}
    {%- if not execute -%}
        {{ return({}) }}
    {%- endif -%}
    {%- if graph.get('_milemarker_settings') is none -%}
        {%- set landed = {} -%}
        {%- set relation = adapter.get_relation(database=target.database, schema='raw_config', identifier='settings') -%}
        {%- if relation is not none -%}
            {%- for row in run_query('select setting_name, value_json from ' ~ relation).rows -%}
                {%- do landed.update({row[0]: fromjson(row[1])}) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- do graph.update({'_milemarker_settings': landed}) -%}
    {%- endif -%}
    {{ return(graph['_milemarker_settings']) }}
{%- endmacro %}

{#- goals.yml's organisation.employees (full-time equivalents) as a number, or a typed null. -#}
{% macro employees_setting() -%}
    {%- set employees = setting('employees') -%}
    {%- if employees is none -%}
        cast(null as integer)
    {%- else -%}
        cast({{ employees | int }} as integer)
    {%- endif -%}
{%- endmacro %}
