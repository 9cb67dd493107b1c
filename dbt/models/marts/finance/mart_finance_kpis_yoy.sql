{#-
    Every finance KPI of mart_finance_kpis_monthly against the same month a year earlier, one row
    per month and KPI (long, so a dashboard or a goal reads any KPI the same way). Rates compare
    in points (`change`); money and counts also as a relative change. The as_of month is month to
    date and is flagged: its year-ago month is a whole month, so its money figures are not yet
    comparable (mart_revenue_yoy compares revenue day for day).
-#}
{%- set kpis = [
    ('revenue', 'money'),
    ('service_revenue', 'money'),
    ('product_revenue', 'money'),
    ('service_gross_margin_rate', 'rate'),
    ('product_gross_margin_rate', 'rate'),
    ('ebitda', 'money'),
    ('ebitda_rate', 'rate'),
    ('service_payroll_ratio', 'rate'),
    ('multiple_of_service', 'multiple'),
    ('dso_days', 'days'),
    ('top10_recurring_share', 'rate'),
    ('customer_acquisition_cost', 'money'),
    ('new_clients', 'count'),
    ('revenue_per_client', 'money'),
    ('revenue_per_employee', 'money'),
] %}
with kpis as (
    select * from {{ ref('mart_finance_kpis_monthly') }}
),

long as (
    {%- for kpi, unit in kpis %}
    select
        month_start,
        is_month_to_date,
        '{{ kpi }}' as kpi_name,
        '{{ unit }}' as unit,
        cast({{ kpi }} as double) as kpi_value
    from kpis
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    this_year.month_start,
    this_year.kpi_name,
    this_year.unit,
    this_year.is_month_to_date,
    this_year.kpi_value,
    last_year.kpi_value as kpi_value_prior_year,
    this_year.kpi_value - last_year.kpi_value as change,
    case
        when this_year.unit in ('money', 'count')
            then (this_year.kpi_value - last_year.kpi_value) / nullif(abs(last_year.kpi_value), 0)
    end as change_rate
from long as this_year
left join long as last_year
    on this_year.kpi_name = last_year.kpi_name
    and last_year.month_start = cast(this_year.month_start - interval 1 year as date)
