select * from read_parquet('exports/mart_client_lifetime_value.parquet')
