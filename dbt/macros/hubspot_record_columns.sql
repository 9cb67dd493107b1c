{#-
    The columns every HubSpot CRM object table ends with (contacts, companies, deals and the four
    engagement types): its own timestamps and the landing columns, renamed and typed once.
-#}
{% macro hubspot_record_columns() -%}
        {{ utc('created_at') }} as created_at,
        {{ utc('updated_at') }} as updated_at,
        {{ utc('archived_at') }} as archived_at,

        ---------- landing
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
{%- endmacro %}
