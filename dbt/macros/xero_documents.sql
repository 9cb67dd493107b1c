{#-
    The column list of a Xero sales/purchase document staging model: invoices and credit notes share
    Xero's document shape (ids, type and status, contact, dates, totals in the document currency),
    renamed and typed once. `document` is the Xero prefix (`Invoice`, `CreditNote`) and `name` the
    column prefix (`invoice`, `credit_note`): `InvoiceID as invoice_id`, `Type as invoice_type`, ...
    What only one kind has comes in as (Xero column, name) pairs, placed where it always stood:
    `extra_ids` after contact_id, `extra_attributes` after has_attachments, `extra_dates` before
    fully_paid_on_date, `extra_money` (typed as money) after total.
-#}
{% macro xero_document_columns(document, name, extra_ids=[], extra_attributes=[], extra_dates=[], extra_money=[]) -%}
        ---------- ids
        {{ document }}ID as {{ name }}_id,
        ContactID as contact_id,
        {%- for column, alias in extra_ids %}
        {{ column }} as {{ alias }},
        {%- endfor %}
        BrandingThemeID as branding_theme_id,
        {{ document }}Number as {{ name }}_number,
        Reference as reference,

        ---------- attributes
        Type as {{ name }}_type,
        Status as {{ name }}_status,
        ContactName as contact_name,
        LineAmountTypes as line_amount_types,
        SentToContact as is_sent_to_contact,
        HasAttachments as has_attachments,
        {%- for column, alias in extra_attributes %}
        {{ column }} as {{ alias }},
        {%- endfor %}

        ---------- dates (organisation calendar days)
        Date as {{ name }}_date,
        DueDate as due_date,
        {%- for column, alias in extra_dates %}
        {{ column }} as {{ alias }},
        {%- endfor %}
        FullyPaidOnDate as fully_paid_on_date,

        ---------- money (document currency)
        CurrencyCode as currency_code,
        CurrencyRate as currency_rate,
        {{ money('SubTotal') }} as sub_total,
        {{ money('TotalTax') }} as total_tax,
        {{ money('Total') }} as total,
        {%- for column, alias in extra_money %}
        {{ money(column) }} as {{ alias }},
        {%- endfor %}

        ---------- timestamps
        {{ utc('UpdatedDateUTC') }} as updated_at,

        ---------- landing
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
{%- endmacro %}
