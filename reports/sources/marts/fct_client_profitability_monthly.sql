select * from read_parquet('exports/fct_client_profitability_monthly.parquet')
