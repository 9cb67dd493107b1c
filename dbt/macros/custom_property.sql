{#-
    A custom HubSpot property the marts use but a portal may not have (the sandbox defines
    `lead_source`, `mrr_amount`, `project_amount` and `xero_contact_id`; a real portal has whichever
    its admins created). The raw table has a column per property the portal defines, so a missing
    property is a missing column: it reads as a typed NULL instead of failing the whole build.
    Staging models are views rebuilt every run, so the column is picked up once the property exists.
-#}
{% macro custom_property(relation, column, data_type='varchar') -%}
    {%- if not execute -%}
        {{ column }}
    {%- else -%}
        {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- if column | lower in present -%}
            {{ column }}
        {%- else -%}
            {%- do log("HubSpot property " ~ column ~ " is missing from " ~ relation ~ ": read as NULL", info=true) -%}
            cast(null as {{ data_type }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
