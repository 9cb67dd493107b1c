{% macro sql_string(value) -%}
    {#- A SQL string literal of a value from configuration (quotes doubled), or null for none. -#}
    {%- if value is none -%}null{%- else -%}'{{ (value | string) | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}
