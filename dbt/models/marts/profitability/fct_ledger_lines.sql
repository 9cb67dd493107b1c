{#-
    The profit-and-loss ledger: the lines of fct_general_ledger that post to a P&L account, with
    the document attribution the P&L marts slice by. Everything the accountant's P&L holds is here
    -- payroll, depreciation, accruals and corrections posted as manual journals included -- in
    Xero's own amounts (home currency, rounded per line as Xero posts them).

    Sign convention: each category is positive in its own direction. Revenue and other income are
    positive when earned (credit notes make them negative); direct costs and overhead are positive
    when incurred (supplier credits and reversals make them negative). So revenue - direct_cost =
    gross margin and a metric sums one category without flipping signs.
-#}
select
    journal_line_id as ledger_line_id,
    journal_id,
    source_type,
    document_id,
    document_type,
    document_number,
    journal_date as document_date,
    month_start,
    contact_id,
    currency_code,
    account_code,
    account_name,
    account_type,
    statement_line,
    line_of_business,
    cost_type,
    account_category,
    coalesce(description, narration) as description,
    amount as amount_home,
    service_line,
    client_id,
    hubspot_company_id,
    lead_source,
    is_recurring,
    repeating_invoice_id
from {{ ref('fct_general_ledger') }}
where is_profit_and_loss
