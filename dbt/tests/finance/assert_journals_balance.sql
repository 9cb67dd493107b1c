-- Every journal balances: its lines' debits equal its credits to the cent. A journal that does not
-- was landed in part (a line missing), which would put a hole in the P&L or the balance sheet.
select journal_id, sum(net_amount) as imbalance
from {{ ref('fct_general_ledger') }}
group by journal_id
having sum(net_amount) <> 0
