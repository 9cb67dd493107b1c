{#-
    The line items of every counted document (see int_xero__documents), with the amount exclusive of
    tax and the two tracking categories the marts use pivoted by name: which slot (1 or 2) holds
    "Service Line" or "Client" is the organisation's set-up, not a fixed position.
-#}
with lines as (
    select invoice_id as document_id, * exclude (invoice_id)
    from {{ ref('stg_xero__invoice_line_items') }}
    union all by name
    select credit_note_id as document_id, * exclude (credit_note_id)
    from {{ ref('stg_xero__credit_note_line_items') }}
    union all by name
    select bank_transaction_id as document_id, * exclude (bank_transaction_id)
    from {{ ref('stg_xero__bank_transaction_line_items') }}
)

select
    documents.document_id || ':' || lines.line_item_id as document_line_id,
    documents.*,
    lines.line_item_id,
    lines.item_code,
    lines.account_code,
    lines.description,
    -- Inclusive documents carry tax inside LineAmount; revenue and costs are always net of tax
    case
        when documents.line_amount_types = 'Inclusive' then lines.line_amount - coalesce(lines.tax_amount, 0)
        else lines.line_amount
    end as net_amount,
    {{ tracking_option_for('service_line_tracking_category', 'lines') }} as service_line,
    {{ tracking_option_for('client_tracking_category', 'lines') }} as client_tracking_option
from lines
inner join {{ ref('int_xero__documents') }} as documents
    on lines.document_id = documents.document_id
where not lines.is_deleted
