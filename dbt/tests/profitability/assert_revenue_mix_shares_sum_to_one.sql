-- Within every month and dimension of the revenue mix, the shares sum to 1 (months with revenue).
select month_start, dimension, sum(revenue_share_rate) as total_share
from {{ ref('mart_revenue_mix') }}
group by month_start, dimension
having sum(revenue_home) <> 0 and abs(sum(revenue_share_rate) - 1) > 1e-9
