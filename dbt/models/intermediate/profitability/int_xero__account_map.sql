{#-
    Every account of the books with what it means to the P&L, from the editable seed account_map:
    the seed's row for the account code when there is one (the finance team's own word), else the
    row for its Xero account type (so a new account lands in the right statement line at once, with
    cost type `unclassified` until someone maps it). Accounts journals post to but the chart no
    longer lists (deleted since) are kept: their postings stay in the ledger. Accounts with no
    statement line (bank, receivables, liabilities, equity) are balance-sheet accounts.
-#}
with chart as (
    select account_code, account_name, account_type, account_class, system_account
    from {{ ref('stg_xero__accounts') }}
    where account_code is not null and not is_deleted
),

journal_only as (
    select
        lines.account_code,
        max(lines.account_name) as account_name,
        max(lines.account_type) as account_type,
        cast(null as varchar) as account_class,
        cast(null as varchar) as system_account
    from {{ ref('stg_xero__journal_lines') }} as lines
    left join chart on lines.account_code = chart.account_code
    where lines.account_code is not null and chart.account_code is null
    group by lines.account_code
),

accounts as (
    select * from chart
    union all
    select * from journal_only
),

account_map as (
    select * from {{ ref('account_map') }}
),

mapped as (
    select
        accounts.*,
        coalesce(by_code.statement_line, by_type.statement_line) as statement_line,
        coalesce(by_code.line_of_business, by_type.line_of_business) as line_of_business,
        coalesce(by_code.cost_type, by_type.cost_type) as cost_type,
        case
            when by_code.account_code is not null then 'account_code'
            when by_type.account_type is not null then 'account_type'
        end as mapped_by,
        by_code.account_type as mapped_account_type
    from accounts
    left join account_map as by_code
        on accounts.account_code = by_code.account_code
    left join account_map as by_type
        on accounts.account_type = by_type.account_type and by_type.account_code is null
)

select
    account_code,
    account_name,
    account_type,
    account_class,
    system_account,
    statement_line,
    line_of_business,
    cost_type,
    -- the four categories the P&L marts sum: every cost below gross margin is overhead
    case
        when statement_line in ('revenue', 'other_income') then statement_line
        when statement_line = 'cost_of_sales' then 'direct_cost'
        when statement_line is not null then 'overhead'
    end as account_category,
    mapped_by,
    mapped_account_type
from mapped
