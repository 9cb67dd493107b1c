{#-
    The profit-and-loss category of every account: the seed's row for the account code when there
    is one (e.g. technicians' wages booked as direct cost), else the row for the Xero account type.
    Accounts whose type has no row (bank, receivables, liabilities, equity) are not P&L accounts.
-#}
with accounts as (
    select account_code, account_name, account_type
    from {{ ref('stg_xero__accounts') }}
    where not is_deleted and account_code is not null
),

category_map as (
    select account_type, account_code, account_category
    from {{ ref('account_category_map') }}
)

select
    accounts.account_code,
    accounts.account_name,
    accounts.account_type,
    coalesce(by_code.account_category, by_type.account_category) as account_category
from accounts
left join category_map as by_code
    on accounts.account_code = by_code.account_code
left join category_map as by_type
    on accounts.account_type = by_type.account_type and by_type.account_code is null
where coalesce(by_code.account_category, by_type.account_category) is not null
