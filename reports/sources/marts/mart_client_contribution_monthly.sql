select * from read_parquet('exports/mart_client_contribution_monthly.parquet')
