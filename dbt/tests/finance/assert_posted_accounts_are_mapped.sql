{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_general_ledger'}}}) }}
-- Accounts the account map does not name (seeds/account_map.csv), listed so a finance person can
-- map them: P&L accounts with postings that only their type's fallback row classifies (their
-- cost type is `unclassified`, their line of business a guess), accounts whose type in Xero is not
-- the type their map row expects (the row may be meant for another chart), and accounts of a type
-- the map has no row for at all (they stay out of the P&L: Xero's report check then fails if they
-- carry P&L money). A WARN: their money is in the ledger either way, never dropped.
with posted as (
    select account_code, count(*) as journal_lines, sum(net_amount) as net_amount
    from {{ ref('fct_general_ledger') }}
    group by account_code
)

select
    accounts.account_code,
    accounts.account_name,
    accounts.account_type,
    accounts.mapped_by,
    accounts.mapped_account_type,
    posted.journal_lines,
    case
        when accounts.mapped_by is null and accounts.account_class in ('REVENUE', 'EXPENSE')
            then 'no row for the account or its type'
        when accounts.mapped_by = 'account_type' and accounts.cost_type = 'unclassified'
            then 'mapped by type only: cost type unclassified'
        else 'account type ' || accounts.account_type || ' differs from the map row''s '
            || accounts.mapped_account_type
    end as problem
from {{ ref('int_xero__account_map') }} as accounts
inner join posted on accounts.account_code = posted.account_code
where (accounts.mapped_by is null and accounts.account_class in ('REVENUE', 'EXPENSE'))
    or (accounts.mapped_by = 'account_type' and accounts.cost_type = 'unclassified')
    or (accounts.mapped_by = 'account_code' and accounts.account_type <> accounts.mapped_account_type)
