{#- Small typing helpers shared by the staging models, so every model types money and time alike. -#}

{#-
    A raw TIMESTAMPTZ as a plain TIMESTAMP in UTC: staging timestamps carry no session time zone,
    so `*_date` bucketing downstream is always an explicit conversion to the organisation's zone.
-#}
{% macro utc(column) -%}
    ({{ column }} at time zone 'UTC')
{%- endmacro %}

{#-
    Money as DECIMAL, never float: sums over thousands of lines must reconcile to the cent.
    Totals use scale 2; unit prices and rates may carry more (Xero allows 4 decimals).
-#}
{% macro money(column, scale=2) -%}
    cast({{ column }} as decimal(18, {{ scale }}))
{%- endmacro %}

{#-
    The columns every ConnectWise PSA staging model ends with: the record's last change (its
    _info.lastUpdated, the incremental cursor), the deleted flag and when the row was landed.
-#}
{% macro connectwise_record_columns() -%}
    {{ utc('lastUpdated') }} as updated_at,
    _is_deleted as is_deleted,
    {{ utc('_loaded_at') }} as loaded_at
{%- endmacro %}
