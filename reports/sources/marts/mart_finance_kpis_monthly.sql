select * from read_parquet('exports/mart_finance_kpis_monthly.parquet')
