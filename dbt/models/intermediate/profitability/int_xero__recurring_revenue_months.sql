{#-
    Monthly recurring revenue per repeating-invoice template, client and month, in home currency.

    MRR is what the repeating invoices actually billed (all lines, net of tax, each invoice at its
    own CurrencyRate), so it matches the books rather than a template that may since have changed.
    A template billing every P months spreads each invoice evenly over the P months it covers; a
    weekly template's invoices in a month count as their average x 52/12/P. Credit notes are
    revenue adjustments, not MRR changes. Invoices whose template is no longer served count as
    monthly.

    Each line is converted to home currency as DECIMAL(20, 8) (as fct_ledger_lines does) and the
    sums stay DECIMAL, so they are exact: a DOUBLE sum depends on the order rows arrive in and
    could change the last decimal of mrr_home between two builds of the same data.
-#}
with invoices as (
    select
        document_id,
        repeating_invoice_id,
        contact_id as client_id,
        cast(date_trunc('month', document_date) as date) as invoice_month,
        sum(cast(net_amount / currency_rate as decimal(20, 8))) as amount_home
    from {{ ref('int_xero__document_lines') }}
    where document_type = 'ACCREC' and repeating_invoice_id is not null
    group by all
),

scheduled as (
    select
        invoices.*,
        coalesce(templates.schedule_unit, 'MONTHLY') as schedule_unit,
        greatest(coalesce(templates.schedule_period, 1), 1) as schedule_period
    from invoices
    left join {{ ref('stg_xero__repeating_invoices') }} as templates
        on invoices.repeating_invoice_id = templates.repeating_invoice_id
),

monthly as (
    select
        repeating_invoice_id,
        client_id,
        cast(invoice_month + to_months(covered.month_offset) as date) as month_start,
        sum(cast(amount_home / schedule_period as decimal(38, 8))) as mrr_home
    from scheduled,
        range(0, schedule_period) as covered (month_offset)
    where schedule_unit = 'MONTHLY'
    group by all
),

weekly as (
    select
        repeating_invoice_id,
        client_id,
        invoice_month as month_start,
        avg(amount_home) * 52 / 12 / any_value(schedule_period) as mrr_home
    from scheduled
    where schedule_unit = 'WEEKLY'
    group by all
)

select repeating_invoice_id, client_id, month_start, cast(mrr_home as decimal(20, 8)) as mrr_home
from (
    select * from monthly
    union all
    select * from weekly
) as months
where month_start <= {{ as_of_date() }}
