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

{#-
    The whole column list of a HubSpot association staging model (contact -> company, deal ->
    company, deal -> contact): the two object ids, the association type and the landing columns.
-#}
{% macro hubspot_association_columns(from_id, to_id) -%}
        {{ from_id }},
        {{ to_id }},
        association_type_id,
        association_category,
        association_label,
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
{%- endmacro %}
