{#-
    Use a model's custom schema name as is (`staging`, `marts`) instead of dbt's default
    `<target schema>_<custom>`: there is one warehouse per environment, so the prefix only adds noise
    for the people querying it.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
{%- endmacro %}
