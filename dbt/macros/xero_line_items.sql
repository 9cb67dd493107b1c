{#-
    The columns every Xero line-item table shares (invoices, credit notes, bank transactions,
    repeating invoices all use Xero's LineItem shape), renamed and typed once.
-#}
{% macro xero_line_item_columns() -%}
        LineItemID as line_item_id,
        ItemCode as item_code,
        AccountCode as account_code,
        AccountID as account_id,
        Description as description,
        TaxType as tax_type,
        {{ money('Quantity', 4) }} as quantity,
        {{ money('UnitAmount', 4) }} as unit_amount,
        {{ money('LineAmount') }} as line_amount,
        {{ money('TaxAmount') }} as tax_amount,
        {{ money('DiscountAmount') }} as discount_amount,
        DiscountRate / 100.0 as discount_rate,
        {{ xero_tracking_columns() }}
{%- endmacro %}

{#- A line's two tracking categories and options (document, journal and manual journal lines). -#}
{% macro xero_tracking_columns() -%}
        TrackingCategory1 as tracking_category_1,
        TrackingOption1 as tracking_option_1,
        TrackingCategory2 as tracking_category_2,
        TrackingOption2 as tracking_option_2
{%- endmacro %}

{#-
    The whole column list of a Xero line-item staging model: the parent document's id (renamed
    `parent_name`), the shared LineItem columns, the line's own update time (the repeating-invoice
    template lines have none) and the landing columns.
-#}
{% macro xero_line_item_model_columns(parent_column, parent_name, has_updated_at=true) -%}
        {{ parent_column }} as {{ parent_name }},
        {{ xero_line_item_columns() }},
        {%- if has_updated_at %}
        {{ utc('UpdatedDateUTC') }} as updated_at,
        {%- endif %}
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
{%- endmacro %}

{#-
    The option a line carries for the tracking category the setting names (`setting_name`:
    service_line_tracking_category or client_tracking_category): which slot, 1 or 2, holds it is
    the organisation's set-up, not a fixed position. `relation` prefixes the columns.
-#}
{% macro tracking_option_for(setting_name, relation) -%}
    case
        when {{ relation }}.tracking_category_1 = '{{ setting(setting_name) }}' then {{ relation }}.tracking_option_1
        when {{ relation }}.tracking_category_2 = '{{ setting(setting_name) }}' then {{ relation }}.tracking_option_2
    end
{%- endmacro %}
