select * from read_parquet('exports/fct_pnl_monthly.parquet')
