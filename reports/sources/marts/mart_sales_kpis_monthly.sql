select * from read_parquet('exports/mart_sales_kpis_monthly.parquet')
