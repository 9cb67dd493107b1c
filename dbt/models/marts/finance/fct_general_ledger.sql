{#-
    The general ledger: every line of every journal Xero posted, dated on or before as_of_date,
    with what its account means (seed account_map) and who it belongs to.

    Amounts are Xero's own: home currency, rounded to the cent per line, `net_amount` debit
    positive. `amount` signs a P&L line in its own direction (revenue and other income positive
    when earned, costs positive when incurred), so a P&L figure is a plain sum. The journals hold
    every posting -- payroll, depreciation and accruals from manual journals included, which no
    invoice or bank transaction shows. Client and recurring attribution come from the source
    document (joined by source id; a payment through the document it settled); the service line
    and a cost's client from the line's own tracking.
-#}
with lines as (
    select * from {{ ref('stg_xero__journal_lines') }}
),

journals as (
    select * from {{ ref('stg_xero__journals') }}
    where journal_date <= {{ as_of_date() }}
),

accounts as (
    select * from {{ ref('int_xero__account_map') }}
),

sources as (
    select * from {{ ref('int_xero__journal_sources') }}
),

clients as (
    select * from {{ ref('int_client_crosswalk') }}
),

-- a cost line names its client in the Client tracking category, by contact name
clients_by_name as (
    select client_name, min(client_id) as client_id
    from clients
    group by client_name
    having count(*) = 1
),

tracked as (
    select
        lines.*,
        {{ tracking_option_for('service_line_tracking_category', 'lines') }} as service_line,
        {{ tracking_option_for('client_tracking_category', 'lines') }} as client_tracking_option
    from lines
),

attributed as (
    select
        tracked.*,
        journals.journal_number,
        journals.journal_date,
        journals.created_at as posted_at,
        journals.source_type,
        journals.source_id,
        journals.reference,
        sources.document_id,
        sources.document_type,
        sources.document_number,
        sources.contact_id,
        sources.repeating_invoice_id,
        sources.currency_code,
        sources.narration,
        accounts.statement_line,
        accounts.line_of_business,
        accounts.cost_type,
        accounts.account_category,
        accounts.system_account,
        case
            when sources.document_type in ('ACCREC', 'ACCRECCREDIT') then sources.contact_id
            else coalesce(clients_by_name.client_id, contact_clients.client_id)
        end as client_id
    from tracked
    inner join journals on tracked.journal_id = journals.journal_id
    left join sources on journals.source_id = sources.source_id
    left join accounts on tracked.account_code = accounts.account_code
    left join clients_by_name on tracked.client_tracking_option = clients_by_name.client_name
    left join clients as contact_clients on sources.contact_id = contact_clients.client_id
)

select
    attributed.journal_line_id,
    attributed.journal_id,
    attributed.journal_number,
    attributed.journal_date,
    cast(date_trunc('month', attributed.journal_date) as date) as month_start,
    attributed.posted_at,
    attributed.source_type,
    attributed.source_id,
    attributed.reference,
    attributed.narration,
    attributed.document_id,
    attributed.document_type,
    attributed.document_number,
    attributed.contact_id,
    coalesce(attributed.currency_code, '{{ setting("home_currency") }}') as currency_code,
    attributed.account_id,
    attributed.account_code,
    attributed.account_name,
    attributed.account_type,
    attributed.system_account,
    attributed.statement_line,
    attributed.line_of_business,
    attributed.cost_type,
    attributed.account_category,
    attributed.statement_line is not null as is_profit_and_loss,
    attributed.description,
    attributed.net_amount,
    attributed.tax_amount,
    case
        when attributed.account_category in ('revenue', 'other_income') then -attributed.net_amount
        when attributed.account_category is not null then attributed.net_amount
    end as amount,
    attributed.service_line,
    attributed.client_tracking_option,
    attributed.client_id,
    clients.hubspot_company_id,
    clients.lead_source,
    attributed.repeating_invoice_id is not null as is_recurring,
    attributed.repeating_invoice_id
from attributed
left join clients on attributed.client_id = clients.client_id
