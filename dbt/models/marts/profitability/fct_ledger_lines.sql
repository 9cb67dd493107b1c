{#-
    The profit-and-loss ledger: every line of a counted sales invoice, bill, credit note or
    spend/receive-money transaction that posts to a P&L account.

    Sign convention: each category is positive in its own direction. Revenue and other income are
    positive when earned (credit notes make them negative); direct costs and overhead are positive
    when incurred (supplier credits make them negative). So revenue - direct_cost = gross margin
    and a metric sums one category without flipping signs.
-#}
with lines as (
    select * from {{ ref('int_xero__document_lines') }}
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

categorised as (
    select
        lines.*,
        accounts.account_name,
        accounts.account_type,
        accounts.account_category,
        lines.ledger_sign
        * case when accounts.account_category in ('revenue', 'other_income') then 1 else -1 end
            as category_sign,
        case
            when lines.document_type in ('ACCREC', 'ACCRECCREDIT') then lines.contact_id
            else coalesce(clients_by_name.client_id, contact_clients.client_id)
        end as client_id
    from lines
    inner join {{ ref('int_xero__account_categories') }} as accounts
        on lines.account_code = accounts.account_code
    left join clients_by_name
        on lines.client_tracking_option = clients_by_name.client_name
    left join clients as contact_clients
        on lines.contact_id = contact_clients.client_id
)

select
    categorised.document_line_id as ledger_line_id,
    categorised.document_id,
    categorised.document_source,
    categorised.document_type,
    categorised.document_number,
    categorised.document_date,
    cast(date_trunc('month', categorised.document_date) as date) as month_start,
    categorised.contact_id,
    categorised.account_code,
    categorised.account_name,
    categorised.account_type,
    categorised.account_category,
    categorised.item_code,
    categorised.description,
    categorised.currency_code,
    categorised.currency_rate,
    {{ money('categorised.net_amount * categorised.category_sign') }} as amount,
    -- unrounded (8 dp): monthly totals are rounded once, after summing, as Xero's reports are
    cast(categorised.net_amount * categorised.category_sign / categorised.currency_rate as decimal(20, 8))
        as amount_home,
    categorised.service_line,
    categorised.client_id,
    clients.hubspot_company_id,
    clients.lead_source,
    categorised.repeating_invoice_id is not null as is_recurring,
    categorised.repeating_invoice_id
from categorised
left join clients
    on categorised.client_id = clients.client_id
