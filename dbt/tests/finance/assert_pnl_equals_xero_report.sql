{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_general_ledger'}}}) }}
-- Our P&L, built from the journals, equals Xero's own Profit and Loss report in every month the
-- report was landed for, account by account, within 0.01. Xero computes that report itself, so a
-- journal the pipeline misses, an account the map leaves out of the P&L (or puts in it wrongly),
-- or a sign mistake shows here. An ERROR: it fails the dbt build, so no export publishes books
-- that disagree with the accountant's. Months after the as_of month are not compared.
with report_rows as (
    select month_start, account_id, row_label, amount
    from {{ ref('stg_xero__profit_and_loss') }}
    where not is_deleted
        and row_type = 'Row'
        and account_id is not null
        and month_start <= cast(date_trunc('month', {{ as_of_date() }}) as date)
),

report_months as (
    select distinct month_start from report_rows
),

ours as (
    select month_start, account_id, max(account_name) as account_name, sum(amount) as amount
    from {{ ref('fct_general_ledger') }}
    where is_profit_and_loss and month_start in (select month_start from report_months)
    group by month_start, account_id
)

select
    coalesce(report_rows.month_start, ours.month_start) as month_start,
    coalesce(report_rows.account_id, ours.account_id) as account_id,
    coalesce(report_rows.row_label, ours.account_name) as account_name,
    report_rows.amount as xero_report_amount,
    ours.amount as journals_amount
from report_rows
full outer join ours
    on report_rows.month_start = ours.month_start and report_rows.account_id = ours.account_id
where abs(coalesce(report_rows.amount, 0) - coalesce(ours.amount, 0)) > 0.01
